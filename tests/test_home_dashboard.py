"""The home page: the bureau's cockpit (全市 → 区县 → 学校 → 班级), a school's own figures, the leader's
report to write, and a core that imports no domain app."""

import ast
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eduquality.extensions import PROJECT_APPS
from eduquality.figures import crosstab, figure, percent
from inspections.models import RectificationOrder, StarRating
from monitoring.models import EarlyWarning, ResearchVisit
from reports.dashboard import filing_progress
from reports.models import Deadline, Kind, Report
from schools.models import Semester
from tests.factories import DistrictFactory, SchoolClassFactory, SchoolFactory
from tests.reports.factories import scored_exam

# ---- Pure pieces -------------------------------------------------------------------------------------


def test_crosstab_fills_every_unit_and_kind_and_leaves_out_unlisted_ones():
    counts = [(1, "a", 2), (2, "b", 3), (1, "a", 1), (9, "a", 5), (1, "z", 4)]
    series = crosstab(counts, [1, 2, 3], [("a", "甲"), ("b", "乙")])
    assert series == [{"name": "甲", "data": [3, 0, 0]}, {"name": "乙", "data": [0, 3, 0]}]


def test_a_figure_without_figures_draws_no_chart_and_says_so():
    empty = figure(key="k", title="t", chart="bar", categories=["甲"], series=[{"name": "n", "data": [0]}])
    assert empty["chart"] is None and empty["empty"] == "暂无数据。"
    drawn = figure(key="k", title="t", chart="bar", categories=["甲"], series=[{"name": "n", "data": [2]}], urls=["/x"])
    assert drawn["chart"] == "bar" and drawn["rows"] == [{"label": "甲", "url": "/x", "values": [2]}]
    with pytest.raises(ValueError):
        figure(key="k", title="t", chart="bar", categories=["甲", "乙"], series=[{"name": "n", "data": [1]}])


def test_percent_keeps_one_decimal():
    from decimal import Decimal

    assert percent(Decimal("0.8567")) == 85.7
    assert percent(None) is None


def test_filing_progress_counts_late_only_after_the_deadline():
    due = datetime.date(2026, 12, 20)
    statuses = {"submitted": 3, "accepted": 1, "draft": 2, "returned": 1}
    before = filing_progress("school", 10, statuses, due, datetime.date(2026, 12, 20))
    assert (before.filed, before.begun, before.overdue, before.waiting) == (4, 3, 0, 6)
    after = filing_progress("school", 10, statuses, due, datetime.date(2026, 12, 21))
    assert (after.filed, after.overdue, after.waiting) == (4, 6, 0)
    no_deadline = filing_progress("school", 10, {}, None, datetime.date(2027, 1, 1))
    assert (no_deadline.filed, no_deadline.overdue, no_deadline.waiting) == (0, 0, 10)
    # A closed school's report never makes the figures exceed what is expected.
    assert filing_progress("school", 2, {"submitted": 3}, due, None).filed == 2


# ---- Architecture ------------------------------------------------------------------------------------


def test_the_core_imports_no_domain_app():
    """eduquality/ is the bottom layer: the apps plug into it through eduquality/extensions.py."""
    core = Path(settings.BASE_DIR) / "eduquality"
    offenders = []
    for path in core.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in PROJECT_APPS]
    assert offenders == []


# ---- The cockpit ----------------------------------------------------------------------------------------


@pytest.fixture
def cockpit(city):
    """School A (district 1) and B (district 2) with an exam, a warning, orders, star levels and reports."""
    semester = Semester.objects.get(is_current=True)
    a, b = city.school_a, city.school_b
    SchoolClassFactory(school=a, grade=3, number=2)
    exam = scored_exam(
        schools=[a, b], semester=semester, scores_by_school={a.pk: [95, 88, 70, 50, 30], b.pk: [60, 40, 35, 20, 90]}
    )
    warning, _ = EarlyWarning.objects.get_or_create(
        exam=exam, school=b, kind=EarlyWarning.Kind.SHARP_FALL, defaults={"reason": "测试"}
    )
    ResearchVisit.objects.get_or_create(warning=warning)
    today = timezone.localdate()
    for school, status, deadline in [
        (b, RectificationOrder.Status.OPEN, today - datetime.timedelta(days=3)),  # overdue in fact
        (b, RectificationOrder.Status.OVERDUE, today - datetime.timedelta(days=9)),
        (a, RectificationOrder.Status.ANSWERED, today + datetime.timedelta(days=9)),
    ]:
        RectificationOrder.objects.create(  # issued a month before its deadline (never after it)
            school=school,
            items="整改",
            deadline=deadline,
            status=status,
            issued_by=city.bureau,
            issued_at=timezone.now() - datetime.timedelta(days=40),
        )
    StarRating.objects.create(
        school=a, start_year=semester.start_year, visit_count=1, mean_total=91, star_level=4, target_level=3
    )
    StarRating.objects.create(
        school=b, start_year=semester.start_year, visit_count=1, mean_total=50, star_level=0, target_level=3
    )
    Deadline.objects.create(
        kind=Kind.SCHOOL, semester=semester, start_year=semester.start_year, due_on=today - datetime.timedelta(days=1)
    )
    Report.objects.create(
        kind=Kind.SCHOOL, status="submitted", school=a, semester=semester, start_year=semester.start_year
    )
    return city


def figures_of(response) -> dict:
    return {fig["key"]: fig for fig in response.context["figures"]}


def test_the_bureau_sees_every_district_and_drills_down_to_a_class(cockpit, login):
    client = login(cockpit.bureau)
    a, b = cockpit.school_a, cockpit.school_b
    city = figures_of(client.get(reverse("home")))
    assert set(city) == {"warnings", "filing", "orders", "stars", "rates-trend", "rates-units"}
    warnings = city["warnings"]
    assert a.district.name in warnings["data"]["categories"] and b.district.name in warnings["data"]["categories"]
    row_b = next(r for r in warnings["rows"] if r["label"] == b.district.name)
    assert (
        sum(row_b["values"]) == EarlyWarning.objects.filter(school=b).count() > 0
        and row_b["url"] == f"/?district={b.district.pk}"
    )
    orders = city["orders"]
    assert orders["facts"][0] == {
        "label": "逾期未整改",
        "value": 2,
        "url": reverse("inspections:order-list") + "?status=overdue",
        "tone": "danger",
    }
    assert city["stars"]["rows"][0]["values"] == [1] and city["stars"]["rows"][4]["values"] == [1]
    filing = next(r for r in city["filing"]["rows"] if r["label"].startswith("全校报告"))
    assert filing["values"] == [1, 0, 1]  # A filed, B overdue
    assert {r["url"] for r in city["rates-units"]["rows"]} == {
        f"/?district={a.district.pk}",
        f"/?district={b.district.pk}",
    }

    district = client.get(reverse("home"), {"district": b.district.pk})
    figures = figures_of(district)
    assert [r["label"] for r in figures["warnings"]["rows"]] == [b.name]
    assert EarlyWarning.objects.filter(school=a).count() == 0
    assert figures["rates-units"]["rows"][0]["url"] == f"/?school={b.pk}"
    assert a.name not in district.content.decode()

    school = client.get(reverse("home"), {"school": a.pk})
    assert "学校档案" in school.content.decode()
    figures = figures_of(school)
    units = figures["rates-units"]["rows"]
    assert units and all(r["url"].startswith("/schools/classes/") for r in units)
    assert [c[0] for c in school.context["heading"]["crumbs"]] == ["全市", a.district.name, a.name]
    assert client.get(units[0]["url"]).status_code == 200


def test_a_principal_sees_only_their_school(cockpit, login):
    client = login(cockpit.principal_a)
    a, b = cockpit.school_a, cockpit.school_b
    response = client.get(reverse("home"), {"school": b.pk, "district": b.district.pk})  # ignored
    figures = figures_of(response)
    assert "warnings" not in figures  # warnings are for bureau roles
    assert {f["value"] for f in figures["orders"]["facts"] if f["label"] == "已回复待核查"} == {1}
    assert {f["value"] for f in figures["orders"]["facts"] if f["label"] == "逾期未整改"} == {0}
    assert figures["stars"]["facts"][0]["value"] == "★★★★☆"
    trend = figures["rates-trend"]
    assert [s["name"] for s in trend["data"]["series"]][3:] == ["全市优秀率", "全市及格率", "全市低分率"]
    assert trend["rows"][0]["url"] == reverse("monitoring:exam-school", args=[trend_exam(a), a.pk])
    page = response.content.decode()
    assert b.name not in page and b.district.name not in page
    assert response.context["heading"]["crumbs"] == ((a.name, ""),)


def trend_exam(school):
    return school.exams.get().pk


def test_people_without_a_cockpit_see_their_cards_and_no_empty_jobs_panel(cockpit, login):
    response = login(cockpit.teacher_user_a).get(reverse("home"))
    assert response.context["figures"] == []
    page = response.content.decode()
    assert "我最近的后台任务" not in page and "质量驾驶舱" not in page
    assert "暂无待办的报告" not in page  # a teacher writes no report
    assert "我的教师档案" in page


def test_the_group_leader_sees_the_subject_report_to_write(cockpit, login):
    client = login(cockpit.group_leader_a)
    page = client.get(reverse("home")).content.decode()
    assert "我要撰写的报告" in page
    assert f'href="{reverse("reports:report-create")}"' in page and "开始撰写：甲小学语文学科教学质量分析报告" in page
    semester = Semester.objects.get(is_current=True)
    report = Report.objects.create(
        kind=Kind.SUBJECT,
        school=cockpit.school_a,
        subject=cockpit.group_a.subject,
        semester=semester,
        start_year=semester.start_year,
    )
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("reports:report-edit", args=[report.pk])}"' in page and "草稿" in page


def test_the_cockpit_costs_a_fixed_number_of_queries(cockpit, login, django_assert_max_num_queries):
    client = login(cockpit.bureau)
    client.get(reverse("home"))  # warm the menu cache
    views = [{}, {"district": cockpit.school_b.district.pk}, {"school": cockpit.school_a.pk}]

    def counts():
        found = []
        for params in views:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("home"), params).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    # Twice the city: more districts, schools, warnings and orders cost no more queries.
    semester = Semester.objects.get(is_current=True)
    for _ in range(3):
        school = SchoolFactory(district=DistrictFactory())
        scored_exam(schools=[school], semester=semester, scores_by_school={school.pk: [70, 80]}, code=f"X{school.pk}")
        RectificationOrder.objects.create(
            school=school, items="整改", deadline=timezone.localdate(), issued_by=cockpit.bureau
        )
    assert counts() == before
    with django_assert_max_num_queries(37):
        client.get(reverse("home"))
    principal = login(cockpit.principal_a)
    principal.get(reverse("home"))
    with django_assert_max_num_queries(37):
        principal.get(reverse("home"))


def test_an_exam_on_an_axis_is_named_by_season_and_the_rest_of_its_name():
    from monitoring.dashboard import exam_label
    from monitoring.models import Exam

    autumn, spring = Semester(start_year=2026, term=1), Semester(start_year=2026, term=2)
    assert exam_label(Exam(name=f"{autumn}八年级期中统考", semester=autumn)) == "2026秋 八年级期中统考"
    assert exam_label(Exam(name="五年级期末统考", semester=spring)) == "2027春 五年级期末统考"
