"""Rankings that can be trusted (issue 14 §3) and grades instead of ranks as the exam's policy (§4).

The policy is decided once, in `monitoring.rules.place_shown`; these tests walk every place it shows
up: the ranking page and its workbook, the school and trend pages, the API and the reports.
"""

import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from monitoring import rules
from monitoring.models import Exam, Level, Statistic
from monitoring.statistics import compute_exam
from tests.monitoring.factories import import_rows, make_exam, row

D = Decimal


# ---- The policy as pure functions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("exam_policy", "city_grades", "expected"),
    [
        ("", False, False),  # 默认 follows the city: ranks
        ("", True, True),  # 默认 follows the city: grades
        ("grades", False, True),  # the exam's own choice wins either way
        ("grades", True, True),
        ("ranks", True, False),
        ("ranks", False, False),
        ("nonsense", True, True),  # anything else is 默认
    ],
)
def test_the_exams_choice_wins_and_default_follows_the_city(exam_policy, city_grades, expected):
    assert rules.shows_grades(exam_policy, city_grades=city_grades) is expected


@pytest.mark.parametrize(
    ("grades", "sees_all", "own", "expected"),
    [
        (False, True, False, rules.PLACE_RANK),  # bureau roles: every school's place
        (True, True, False, rules.PLACE_GRADE),  # ... or its grade under the grades policy
        (False, False, True, rules.PLACE_RANK),  # a school's staff: their own place
        (True, False, True, rules.PLACE_GRADE),  # ... or their own grade
        (False, False, False, rules.PLACE_NONE),  # another school's: never
        (True, False, False, rules.PLACE_NONE),
    ],
)
def test_who_sees_a_schools_place(grades, sees_all, own, expected):
    assert rules.place_shown(grades=grades, sees_all_schools=sees_all, own_school=own) == expected


@pytest.mark.parametrize(
    ("place", "rank", "ranked", "grade", "text"),
    [
        (rules.PLACE_RANK, 14, 35, "B", "第 14 名 / 共 35 所"),
        (rules.PLACE_GRADE, 14, 35, "B", "等级 B"),
        (rules.PLACE_RANK, None, 35, "B", "—"),  # nobody sat: no place
        (rules.PLACE_GRADE, 14, 35, "", "—"),
        (rules.PLACE_NONE, 14, 35, "B", "—"),
    ],
)
def test_a_place_prints_as_place_out_of_how_many_or_as_a_grade(place, rank, ranked, grade, text):
    assert rules.place_text(place, rank=rank, ranked_schools=ranked, grade=grade) == text


@pytest.mark.parametrize(
    ("rate", "grade"),
    [
        (D("1"), "A"),
        (D("0.85"), "A"),  # exactly on a line: the higher grade
        (D("0.8499"), "B"),
        (D("0.70"), "B"),
        (D("0.60"), "C"),
        (D("0.5999"), "D"),
        (D("0"), "D"),
        (None, ""),
    ],
)
def test_grade_bands_by_score_rate(rate, grade):
    assert rules.grade_for(rate) == grade


def test_grades_sort_a_first_and_no_grade_last():
    assert sorted(["", "D", "B", "A", "C"], key=rules.grade_order) == ["A", "B", "C", "D", ""]


@pytest.mark.parametrize(
    ("full_marks", "first", "last"),
    [(D(120), "[0, 12)", "[108, 120]"), (D(100), "[0, 10)", "[90, 100]"), (D(150), "[0, 15)", "[135, 150]")],
)
def test_score_bands_follow_the_subjects_own_full_marks(full_marks, first, last):
    labels = rules.band_labels(full_marks, D("0.1"))
    assert (labels[0], labels[-1], len(labels)) == (first, last, 10)


# ---- An exam of primary and junior-middle schools -------------------------------------------------


@pytest.fixture
def mixed(city, db):
    """甲/乙小学 (小学) and 丙/丁中学 (初中) in one exam: each category has its own 1 and 2."""
    from schools.models import SchoolType
    from tests.factories import SchoolFactory

    junior = SchoolType.objects.get(code="311")
    middle_c = SchoolFactory(name="丙中学", school_type=junior)
    middle_d = SchoolFactory(name="丁中学", school_type=junior)
    exam = make_exam(schools=[city.school_a, city.school_b, middle_c, middle_d], code="JC-MIX")
    import_rows(
        exam,
        [
            row(1, city.school_a, 1, 90, 88),
            row(2, city.school_b, 1, 60, 58),
            row(3, middle_c, 1, 80, 78),
            row(4, middle_d, 1, 40, 38),
        ],
    )
    compute_exam(exam)
    return exam


def set_policy(exam: Exam, policy: str) -> None:
    """What the exam form does: only the policy changes (the exam's computed state is kept)."""
    Exam.objects.filter(pk=exam.pk).update(grade_policy=policy)
    exam.refresh_from_db()


def _workbook(client, exam):
    response = client.get(reverse("monitoring:exam-ranking", args=[exam.pk]) + "?export=xlsx")
    assert response.status_code == 200
    return response, openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_ranking_export_groups_categories_and_writes_rates_as_percent_numbers(mixed, city, login):
    response, book = _workbook(login(city.bureau), mixed)
    assert (
        "学校排名" in response["Content-Disposition"]
        or "%E5%AD%A6%E6%A0%A1%E6%8E%92%E5%90%8D" in (response["Content-Disposition"])
    )
    sheet = book["语文"]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["学校标识码", "学校", "区县", "类别", "排名", "同类学校数"]
    rows = [dict(zip(header, (cell.value for cell in cells), strict=False)) for cells in sheet.iter_rows(min_row=2)]
    # Not 1, 1, 2, 2: each category in a block of its own, in its own order.
    assert [(r["类别"], r["学校"], r["排名"]) for r in rows] == [
        ("小学", "甲小学", 1),
        ("小学", "乙小学", 2),
        ("初中", "丙中学", 1),
        ("初中", "丁中学", 2),
    ]
    assert all(r["区县"] for r in rows) and rows[0]["同类学校数"] == 2
    for title in ("优秀率", "良好率", "及格率", "低分率", "得分率"):
        cell = sheet.cell(row=2, column=header.index(title) + 1)
        assert isinstance(cell.value, (int, float)), (title, cell.value)
        assert "%" in cell.number_format, (title, cell.number_format)
    assert sheet.cell(row=2, column=header.index("得分率") + 1).value == pytest.approx(0.9)  # 甲: 90 of 100
    assert sheet.cell(row=2, column=header.index("优秀率") + 1).value == 1


def test_under_the_grades_policy_the_export_has_grades_and_no_place(mixed, city, login):
    set_policy(mixed, Exam.GradePolicy.GRADES)
    response, book = _workbook(login(city.bureau), mixed)
    disposition = response["Content-Disposition"]
    assert "%E7%AD%89%E7%BA%A7" in disposition  # 学校等级.xlsx, not 学校排名
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        assert "排名" not in header and "同类学校数" not in header and "等级" in header
        grades = [cells[header.index("等级")].value for cells in sheet.iter_rows(min_row=2)]
        categories = [cells[header.index("类别")].value for cells in sheet.iter_rows(min_row=2)]
        assert categories == ["小学", "小学", "初中", "初中"]
        assert set(grades) <= {"A", "B", "C", "D"} and grades[0] == "A"


def test_the_export_follows_a_policy_changed_after_the_computation(mixed, city, login):
    client = login(city.bureau)
    _, before = _workbook(client, mixed)  # cached per computation...
    assert "排名" in [c.value for c in before["语文"][1]]
    set_policy(mixed, Exam.GradePolicy.GRADES)
    _, after = _workbook(client, mixed)  # ...and per policy
    assert "排名" not in [c.value for c in after["语文"][1]]


def test_the_ranking_page_shows_each_category_in_its_own_section_and_order(mixed, city, login):
    page = login(city.bureau).get(reverse("monitoring:exam-ranking", args=[mixed.pk]) + "?category=all")
    text = page.content.decode()
    sections = re.findall(r'<section class="mb-4" data-category="([^"]+)">(.*?)</section>', text, re.S)
    assert [label for label, _ in sections] == ["小学", "初中"]
    for label, body in sections:
        charts = re.findall(r'data-chart="ranking" data-chart-data="([^"]+)"', body)
        assert len(charts) == 1
        chart = json.loads(charts[0].replace("&quot;", '"'))
        names = {"小学": ["甲小学", "乙小学"], "初中": ["丙中学", "丁中学"]}[label]
        assert chart["schools"] == names and chart["fullMarks"] == 100
        assert "第 1 名 / 共 2 所" in body and "第 2 名 / 共 2 所" in body
    assert 'class="frozen-col' in text  # the school column stays while the figures scroll


def test_the_ranking_page_under_the_grades_policy_shows_no_place(mixed, city, login):
    set_policy(mixed, Exam.GradePolicy.GRADES)
    text = login(city.bureau).get(reverse("monitoring:exam-ranking", args=[mixed.pk]) + "?category=all").content
    text = text.decode()
    assert "学校等级" in text and "等级 A" in text
    assert "第 1 名" not in text and "名次变化" not in text and "<th>名次</th>" not in text


def test_the_trend_says_place_out_of_how_many_or_the_grade(mixed, city, login):
    url = reverse("monitoring:school-trend", args=[city.school_b.pk])
    for user in (city.bureau, city.principal_b):
        text = login(user).get(url).content.decode()
        assert "第 2 名 / 共 2 所" in text
        chart = json.loads(re.search(r'data-chart="trend" data-chart-data="([^"]+)"', text)[1].replace("&quot;", '"'))
        assert chart["series"][0]["data"][0]["place"] == "第 2 名 / 共 2 所"
    set_policy(mixed, Exam.GradePolicy.GRADES)
    text = login(city.principal_b).get(url).content.decode()
    assert "等级 C" in text and "第 2 名" not in text  # 乙: 60 of 100 is exactly the C line


def test_a_principal_never_sees_another_schools_place(mixed, city, login):
    client = login(city.principal_a)
    assert client.get(reverse("monitoring:exam-ranking", args=[mixed.pk])).status_code == 403
    assert client.get(reverse("monitoring:exam-ranking", args=[mixed.pk]) + "?export=xlsx").status_code == 403
    own = client.get(reverse("monitoring:exam-school", args=[mixed.pk, city.school_a.pk])).content.decode()
    assert "第 1 名 / 共 2 所" in own and "乙小学" not in own


def test_the_exam_page_draws_score_bands_per_full_marks(city, login):
    exam = make_exam(schools=[city.school_a], subjects=(("YW", 120), ("SX", 120), ("WL", 100)), code="JC-BANDS")
    import_rows(exam, [row(1, city.school_a, 1, 110, 100, 95)])
    compute_exam(exam)
    text = login(city.bureau).get(reverse("monitoring:exam-detail", args=[exam.pk])).content.decode()
    charts = [
        json.loads(found.replace("&quot;", '"'))
        for found in re.findall(r'data-chart="bands" data-chart-data="([^"]+)"', text)
    ]
    by_subjects = {tuple(s["name"] for s in chart["series"]): chart["labels"] for chart in charts}
    assert by_subjects[("语文", "数学")][-1] == "[108, 120]"
    assert by_subjects[("物理",)][-1] == "[90, 100]"  # not a 120-mark band for a 100-mark subject
    physics = next(chart for chart in charts if chart["series"][0]["name"] == "物理")
    assert physics["series"][0]["data"][-1] == 1  # 95 of 100 is in the top band


def test_the_bureau_sets_the_policy_in_the_exam_form(city, login):
    from tests.monitoring.test_views import exam_form_data

    client = login(city.bureau)
    form = client.get(reverse("monitoring:exam-create")).content.decode()
    assert "等级代替排名" in form and "默认（按全市设置）" in form
    data = exam_form_data("JC-POLICY", ("YW", "100", ("0.850", "0.700", "0.600", "0.400")))
    response = client.post(reverse("monitoring:exam-create"), {**data, "grade_policy": "grades"})
    assert response.status_code == 302
    exam = Exam.objects.get(code="JC-POLICY")
    assert exam.grade_policy == "grades" and exam.shows_grades


def test_every_monitoring_export_of_schools_names_district_and_category(mixed, city, login):
    from monitoring.models import EarlyWarning, ResearchVisit

    warning = EarlyWarning.objects.create(exam=mixed, school=city.school_b, kind="sharp_fall", reason="测试")
    ResearchVisit.objects.create(warning=warning)
    client = login(city.bureau)
    for url in (
        reverse("monitoring:warning-list") + "?export=xlsx",
        reverse("monitoring:indicator-table") + "?export=xlsx",
    ):
        book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
        header = [cell.value for cell in book.active[1]]
        assert "区县" in header and "类别" in header, url
        category = book.active.cell(row=2, column=header.index("类别") + 1).value
        assert category in {"小学", "初中"}, url


def test_stored_statistics_keep_ranks_within_each_category(mixed):
    stats = Statistic.objects.filter(exam=mixed, level=Level.SCHOOL, exam_subject__subject__code="YW")
    assert sorted((s.category_label, s.rank) for s in stats) == [("初中", 1), ("初中", 2), ("小学", 1), ("小学", 2)]


def _header_and_first_row(sheet):
    header = [cell.value for cell in sheet[1]]
    return header, dict(zip(header, sheet[2], strict=False))


def test_the_value_added_export_names_district_and_category_and_writes_the_match_rate_as_a_number(city, login):
    from tests.monitoring.test_value_added import cohort

    _, _, now = cohort(city, effects=[8, 0, 0, 0, 0, -8], intake=[-0.8, 0, 0.2, 0, -0.2, 0.8])
    compute_exam(now)
    response = login(city.bureau).get(reverse("monitoring:exam-value-added", args=[now.pk]), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["增值-总分"]
    header, first = _header_and_first_row(sheet)
    assert "区县" in header and first["类别"].value == "小学"
    assert isinstance(first["匹配率"].value, (int, float)) and "%" in first["匹配率"].number_format


def test_the_paper_analysis_exports_write_rates_as_percent_numbers(city, login):
    from tests.monitoring.items_factories import MATHS_ITEMS, item_header_row, make_blueprint
    from tests.monitoring.test_items_views import _answers

    exam = make_exam(schools=[city.school_a, city.school_b], subjects=(("SX", 10),), code="JC-ITEMX")
    make_blueprint(exam.subjects.get(), MATHS_ITEMS)
    rows = [row(n, city.school_a if n % 2 else city.school_b, 1 + n % 2, None, *_answers(n)) for n in range(1, 41)]
    import_rows(exam, rows, item_header_row(exam))
    compute_exam(exam)
    subject = exam.subjects.get()
    client = login(city.bureau)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("monitoring:item-analysis", args=[exam.pk, subject.pk]) + "?export=xlsx").content)
    )
    _, first = _header_and_first_row(book["小题分析"])
    for title in ("得分率", "满分率", "零分率"):
        assert isinstance(first[title].value, (int, float)) and "%" in first[title].number_format, title
    url = reverse("monitoring:item-school", args=[exam.pk, city.school_a.pk])
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "?export=xlsx").content))
    _, first = _header_and_first_row(book["知识点得分率"])
    assert isinstance(first["全市"].value, (int, float)) and "%" in first["全市"].number_format
