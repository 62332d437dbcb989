"""The registry's pure rules: code formats, labels and masking."""

import pytest

from schools.codes import (
    academic_year_label,
    class_label,
    grade_label,
    is_student_number,
    mask_name,
    mask_student_number,
    parse_class_label,
    school_code_problems,
    semester_label,
    stage_of_grade,
)

TEN_DIGITS = "学校标识码应为10位数字。"

# ---- 学校标识码 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "type_prefix", "province_code"),
    [
        ("2122000001", "21", "22"),
        ("3122999999", "31", "22"),
        ("2111000001", "21", "11"),
        ("2122000001", None, None),
        ("9999000001", None, None),
        ("2199000001", "21", None),
        ("9922000001", None, "22"),
    ],
)
def test_valid_school_code_has_no_problems(code, type_prefix, province_code):
    assert school_code_problems(code, type_prefix=type_prefix, province_code=province_code) == []


@pytest.mark.parametrize(
    "code",
    [
        "",
        None,
        "212200001",  # 9 digits
        "21220000011",  # 11 digits
        "21220000a1",
        "2122 00001",
        "2122-000001",
        "G122000001",
        " 2122000001",
        "2122000001 ",
        "2122000001\n",  # `$` alone would let a trailing newline through
        "２１２２０００００１",  # full-width digits typed with a Chinese input method
        "٢١٢٢٠٠٠٠٠١",  # Arabic-Indic digits are digits to `\d`, not to a school code
    ],
)
def test_school_code_must_be_ten_ascii_digits(code):
    assert school_code_problems(code, type_prefix="21", province_code="22") == [TEN_DIGITS]


def test_school_code_with_wrong_type_prefix_says_what_was_expected():
    problems = school_code_problems("3122000001", type_prefix="21", province_code="22")
    assert problems == ["学校标识码前两位应为21（与办学类型一致），实为31。"]


def test_school_code_with_wrong_province_says_what_was_expected():
    problems = school_code_problems("2123000001", type_prefix="21", province_code="22")
    assert problems == ["学校标识码第3—4位应为省份代码22，实为23。"]


def test_school_code_with_both_mismatches_reports_both():
    problems = school_code_problems("3111000001", type_prefix="21", province_code="22")
    assert len(problems) == 2
    assert "前两位应为21" in problems[0]
    assert "省份代码22" in problems[1]


def test_non_digit_code_reports_only_the_format_problem():
    # No "prefix should be 21, is ab" noise when the code is not even digits.
    assert school_code_problems("ab22000001", type_prefix="21", province_code="22") == [TEN_DIGITS]


# ---- 学籍号 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["G220602201501011234", "L220602201501011234", "J220602201501011234", "G22060220150101123X"],
)
def test_student_number_accepts_g_j_l_with_eighteen_character_id(value):
    assert is_student_number(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "A220602201501011234",  # unknown letter
        "g220602201501011234",  # lower-case letter
        "220602201501011234",  # no letter
        "G22060220150101123",  # 17 + 1 characters short
        "G2206022015010112345",  # one too many
        "G22060220150101123x",  # lower-case check character
        "G2206022015010112X4",  # X only as the last character
        "G220602201501011234 ",
        "G220602201501011234\n",  # `$` alone would let a trailing newline through
        "G２２0602201501011234",  # full-width digits
    ],
)
def test_student_number_refuses_everything_else(value):
    assert is_student_number(value) is False


# ---- Labels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_year", "term", "expected"),
    [
        (2025, 1, "2025—2026学年第一学期"),
        (2025, 2, "2025—2026学年第二学期"),
        (2026, 1, "2026—2027学年第一学期"),
        (1999, 2, "1999—2000学年第二学期"),
    ],
)
def test_semester_label(start_year, term, expected):
    assert semester_label(start_year, term) == expected


def test_academic_year_label_uses_an_em_dash():
    assert academic_year_label(2025) == "2025—2026学年"


@pytest.mark.parametrize(
    ("grade", "expected"),
    [(1, "一年级"), (6, "六年级"), (7, "七年级"), (9, "九年级"), (10, "高一"), (11, "高二"), (12, "高三")],
)
def test_grade_label(grade, expected):
    assert grade_label(grade) == expected


@pytest.mark.parametrize("grade", [0, 13])
def test_grade_label_outside_one_to_twelve_is_an_error(grade):
    with pytest.raises(KeyError):
        grade_label(grade)


@pytest.mark.parametrize(
    ("grade", "stage"),
    [(1, "primary"), (6, "primary"), (7, "junior"), (9, "junior"), (10, "senior"), (12, "senior")],
)
def test_stage_changes_exactly_after_grades_six_and_nine(grade, stage):
    assert stage_of_grade(grade) == stage


@pytest.mark.parametrize(
    ("grade", "number", "expected"),
    [(3, 2, "三年级(2)班"), (1, 12, "一年级(12)班"), (10, 3, "高一(3)班"), (12, 1, "高三(1)班")],
)
def test_class_label(grade, number, expected):
    assert class_label(grade, number) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("三年级(2)班", (3, 2)),
        ("三年级2班", (3, 2)),
        ("高一（3）班", (10, 3)),
        ("高一(3)班", (10, 3)),
        ("三年级（2）班", (3, 2)),
        (" 九年级(15)班 ", (9, 15)),
        ("一年级(10)班", (1, 10)),
        ("高三12班", (12, 12)),
        ("三年级（２）班", (3, 2)),  # full-width digits typed with a Chinese input method
    ],
)
def test_parse_class_label_reads_the_usual_spellings(label, expected):
    assert parse_class_label(label) == expected


@pytest.mark.parametrize("grade", range(1, 13))
@pytest.mark.parametrize("number", [1, 9, 10, 21])
def test_parse_class_label_reads_back_every_class_label(grade, number):
    assert parse_class_label(class_label(grade, number)) == (grade, number)


@pytest.mark.parametrize(
    "label",
    [
        "",
        None,
        "三年级",
        "三年级班",
        "三年级()班",
        "三年级(0)班",
        "三年级(二)班",
        "三年级(-1)班",
        "三年纪(2)班",
        "十三年级(2)班",
        "初一(2)班",
        "2班",
        "(2)班",
        "三年级(2)班级",
        "三年级(2)(3)班",  # two class numbers are not class 23
        "三年级(1)2班",
        "三年级①班",  # a circled digit is not a class number (and must not crash the import)
    ],
)
def test_parse_class_label_refuses_what_is_not_a_class_name(label):
    assert parse_class_label(label) is None


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("1班", (5, 1)),
        ("(1)班", (5, 1)),
        ("（1）班", (5, 1)),
        ("1", (5, 1)),
        ("01", (5, 1)),
        ("１２", (5, 12)),  # full-width digits
        ("（１）班", (5, 1)),
        (" 3 班 ", (5, 3)),
        ("五年级1班", (5, 1)),
        ("五年级(12)班", (5, 12)),
        ("四年级1班", (4, 1)),  # names another grade: kept, so the import can refuse it
    ],
)
def test_a_class_number_alone_reads_as_a_class_of_the_known_grade(label, expected):
    assert parse_class_label(label, grade=5) == expected


@pytest.mark.parametrize("label", ["1班", "(1)班", "1", "01"])
def test_a_class_number_alone_is_no_class_when_the_grade_is_unknown(label):
    assert parse_class_label(label) is None


@pytest.mark.parametrize("label", ["0", "00班", "(0)班", "班", "1.5", "一班", "1班级", "(1)2班", "1(2)班", "A1", "-1"])
def test_a_class_number_alone_must_be_a_positive_whole_number(label):
    assert parse_class_label(label, grade=5) is None


# ---- Masking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("", ""),
        (None, ""),
        ("张", "张"),
        ("张三", "张*"),
        ("王小明", "王*明"),
        ("欧阳明明", "欧**明"),
        ("爱新觉罗溥仪", "爱****仪"),
    ],
)
def test_mask_name_keeps_first_and_last_character(name, masked):
    assert mask_name(name) == masked


def test_mask_student_number_hides_birth_date_and_sequence():
    assert mask_student_number("G220602201501011234") == "G2206**********1234"


def test_masked_student_number_keeps_its_length():
    number = "L22060220150101123X"
    masked = mask_student_number(number)
    assert len(masked) == len(number)
    assert masked.endswith("123X")
    assert "20150101" not in masked


@pytest.mark.parametrize(("number", "masked"), [("", ""), (None, ""), ("G1234", "*****"), ("12345678", "********")])
def test_short_numbers_are_masked_entirely(number, masked):
    assert mask_student_number(number) == masked
