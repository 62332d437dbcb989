"""Pure rules of the registry: code formats, labels and masking. No ORM, no clock."""

import re

# ASCII digits only: \d would also take full-width digits typed with a Chinese input method.
SCHOOL_CODE_PATTERN = re.compile(r"^[0-9]{10}\Z")

# 学籍号: the national student number, G + the 18-character ID number (L/J for pupils without one).
STUDENT_NUMBER_PATTERN = r"^[GJL][0-9]{17}[0-9X]\Z"
STUDENT_NUMBER_MESSAGE = "学籍号格式不正确：应为G、J或L加18位身份证号（末位可为X）。"
_STUDENT_NUMBER_RE = re.compile(STUDENT_NUMBER_PATTERN)

# 同类学校: the middle class of the 办学类型 code.
SCHOOL_CATEGORIES = {"21": "小学", "31": "初中", "34": "高中", "51": "特殊教育", "11": "幼儿园"}


_GRADE_LABELS = {
    1: "一年级",
    2: "二年级",
    3: "三年级",
    4: "四年级",
    5: "五年级",
    6: "六年级",
    7: "七年级",
    8: "八年级",
    9: "九年级",
    10: "高一",
    11: "高二",
    12: "高三",
}


def school_code_problems(code: str, *, type_prefix: str | None, province_code: str | None) -> list[str]:
    """Why `code` is not a valid 10-digit 学校标识码 for a school of this type in this province.

    The code is 2 digits of school class (the first two digits of its 办学类型 code), 2 digits of
    province, 6 digits of sequence.
    """
    if not SCHOOL_CODE_PATTERN.match(code or ""):
        return ["学校标识码应为10位数字。"]
    problems = []
    if type_prefix and code[:2] != type_prefix:
        problems.append(f"学校标识码前两位应为{type_prefix}（与办学类型一致），实为{code[:2]}。")
    if province_code and code[2:4] != province_code:
        problems.append(f"学校标识码第3—4位应为省份代码{province_code}，实为{code[2:4]}。")
    return problems


def is_student_number(value: str) -> bool:
    return bool(_STUDENT_NUMBER_RE.match(value or ""))


def academic_year_label(start_year: int) -> str:
    return f"{start_year}—{start_year + 1}学年"


def semester_label(start_year: int, term: int) -> str:
    term_label = "第一学期" if term == 1 else "第二学期"
    return f"{academic_year_label(start_year)}{term_label}"


def grade_label(grade: int) -> str:
    return _GRADE_LABELS[grade]


def stage_of_grade(grade: int) -> str:
    if grade <= 6:
        return "primary"
    if grade <= 9:
        return "junior"
    return "senior"


def class_label(grade: int, number: int) -> str:
    return f"{grade_label(grade)}({number})班"


_FULL_WIDTH = str.maketrans("０１２３４５６７８９（）", "0123456789()")
_NUMBER = r"(?:\(\s*(?P<bracketed>[0-9]+)\s*\)|(?P<plain>[0-9]+))"
_CLASS_LABEL = re.compile("(?P<grade>" + "|".join(_GRADE_LABELS.values()) + r")\s*" + _NUMBER + r"\s*班")
# A class number alone: '2班', '(2)班', '2', '02' (read only where the grade is known).
_CLASS_NUMBER = re.compile(_NUMBER + r"\s*班?")
_GRADE_BY_LABEL = {label: grade for grade, label in _GRADE_LABELS.items()}


def parse_class_label(label: str, grade: int | None = None) -> tuple[int, int] | None:
    """A class as schools write it → (grade, number); None if it is not a class name.

    '三年级(2)班', '三年级2班', '高一（3）班' name their grade. When the grade is known — a monitoring
    exam is of one grade — a class number alone is unambiguous too: '2班', '(2)班', '（２）班', '2',
    '02'. A label that names a grade keeps it, so '五年级1班' in a 六年级 exam still reads as 五年级.
    """
    text = (label or "").strip().translate(_FULL_WIDTH)
    match = _CLASS_LABEL.fullmatch(text)
    if match:
        grade_of_label = _GRADE_BY_LABEL[match["grade"]]
    elif grade is not None:
        match = _CLASS_NUMBER.fullmatch(text)
        grade_of_label = grade
    if not match:
        return None
    number = int(match["bracketed"] or match["plain"])
    if number == 0:
        return None
    return grade_of_label, number


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳明明 → 欧**明: keep the first and (for 3+ characters) the last character."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_student_number(number: str) -> str:
    """G220602201501011234 → G2206**********1234: the birth date and sequence inside are hidden."""
    if len(number or "") < 9:
        return "*" * len(number or "")
    return number[:5] + "*" * (len(number) - 9) + number[-4:]
