"""Teaching-research pages: scope by school, attendance on a phone, exports, the evidence on the visit form."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.models import EarlyWarning, ResearchVisit
from research import rules
from research.models import Activity, Participation
from schools.models import ResearchLiaison
from tests.factories import SchoolFactory
from tests.inspections.factories import drawn_visit
from tests.monitoring.factories import make_exam
from tests.research import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def research(city):
    factories.defaults()
    return city


@pytest.fixture
def group_activity(research):
    return factories.activity(by=research.group_leader_a, group=research.group_a, participants=[research.teacher_a])


def test_another_schools_principal_gets_404_for_school_a_records(research, group_activity, login):
    client = login(research.principal_b)
    for url in [
        reverse("research:activity-detail", args=[group_activity.pk]),
        reverse("research:activity-update", args=[group_activity.pk]),
        reverse("research:school-table", args=[research.school_a.pk]),
        reverse("research:growth-detail", args=[research.teacher_a.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    listed = client.get(reverse("research:activity-list"))
    assert group_activity.topic not in listed.content.decode()


def test_a_teacher_confirms_on_the_list_and_a_second_tap_is_told_once_is_enough(research, group_activity, login):
    client = login(research.teacher_user_a)
    page = client.get(reverse("research:activity-list")).content.decode()
    assert "待我确认参加的活动" in page and "确认参加" in page
    url = reverse("research:activity-confirm", args=[group_activity.pk])
    first = client.post(url, {"next": reverse("research:activity-list")}, follow=True)
    assert "已确认参加" in first.content.decode()
    second = client.post(url, follow=True)
    assert "您已确认过参加本次活动" in second.content.decode()
    assert Participation.objects.filter(activity=group_activity, status="confirmed").count() == 1
    assert "待我确认参加的活动" not in client.get(reverse("research:activity-list")).content.decode()


def test_a_teacher_cannot_confirm_for_a_colleague_or_record_attendance(research, group_activity, login):
    response = login(research.teacher_user_a).post(
        reverse("research:activity-attendance", args=[group_activity.pk]),
        {"teacher": [research.teacher_a.pk]},
        follow=True,
    )
    assert "只有组织者" in response.content.decode()
    assert group_activity.participations.get().status == "invited"


def test_the_form_refuses_an_activity_ending_before_it_starts(research, login):
    start = timezone.localtime() - timedelta(days=1)
    response = login(research.group_leader_a).post(
        reverse("research:activity-create"),
        {
            "level": "group",
            "activity_type": factories.kind("lesson_prep").pk,
            "group": research.group_a.pk,
            "topic": "集体备课",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "教研室",
            "participants": [research.teacher_a.pk],
        },
    )
    assert response.status_code == 400
    assert "活动结束时间应晚于开始时间" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_group_leader_records_through_the_form(research, login):
    start = (timezone.localtime() - timedelta(days=1)).replace(hour=14, minute=0)
    response = login(research.group_leader_a).post(
        reverse("research:activity-create"),
        {
            "level": "group",
            "activity_type": factories.kind("lesson_prep").pk,
            "group": research.group_a.pk,
            "topic": "《将相和》集体备课",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "hours": "2",
            "place": "教研室",
            "participants": [research.teacher_a.pk],
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "research:activity-detail", args=[activity.pk]
    )
    assert activity.school == research.school_a and activity.participations.get().teacher == research.teacher_a


def test_the_activity_export_is_a_real_workbook_of_the_users_scope(research, group_activity, login):
    factories.activity(
        by=research.principal_b, level="school", code="theme", school=research.school_b, topic="乙校教研"
    )
    response = login(research.principal_a).get(reverse("research:activity-export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("开始时间", "层级", "类型", "主题")
    assert [row[3] for row in rows[1:]] == [group_activity.topic]


def test_the_visit_form_shows_the_computed_figure_and_its_records(research, login):
    for days_ago in (1, 2):
        factories.activity(
            by=research.principal_a,
            level="school",
            code="theme",
            school=research.school_a,
            days_ago=days_ago,
            topic="全校教研",
        )
    visit = drawn_visit(by=research.bureau, school=research.school_a, inspector=research.inspector)
    page = login(research.inspector).get(reverse("inspections:visit-fill", args=[visit.pk])).content.decode()
    assert f'data-record-evidence="{rules.SCHOOL_WIDE}"' in page
    assert "2 次全校学科教研活动（标准 ≥ 2 次）" in page and "全校教研" in page
    assert f'data-record-evidence="{rules.PARENT_HOURS}"' in page and "家长学校 0 次共 0 学时" in page


def test_the_warnings_page_names_who_is_responsible(research, login):
    exam = make_exam(schools=[research.school_a])
    warning = EarlyWarning.objects.create(exam=exam, school=research.school_a, kind="sharp_fall", reason="语文下滑")
    ResearchVisit.objects.create(warning=warning)
    ResearchLiaison.objects.create(
        researcher=research.inspector, school=research.school_a, starts_on=timezone.localdate() - timedelta(days=5)
    )
    page = login(research.bureau).get(reverse("monitoring:warning-list")).content.decode()
    assert "负责教研员" in page and "督学（全校）" in page
    export = login(research.bureau).get(reverse("monitoring:warning-list"), {"export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[0][9] == "负责教研员" and rows[1][9] == "督学（全校）"
    mine = login(research.inspector).get(reverse("research:my-schools")).content.decode()
    assert research.school_a.name in mine and f"?q={research.school_a.code}" in mine


def test_the_city_table_takes_the_same_queries_for_more_schools(research, login):
    client = login(research.bureau)
    client.get(reverse("research:city-table"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("research:city-table")).status_code == 200
    for _ in range(4):
        school = SchoolFactory()
        factories.activity(by=research.bureau, level="school", code="theme", school=school)
    with CaptureQueriesContext(connection) as more:
        page = client.get(reverse("research:city-table")).content.decode()
    assert len(more) == len(few)
    assert page.count('aria-label="达标"') + page.count('aria-label="未达标"') == 6 * len(rules.RULE_CODES)


def test_the_principal_reads_the_semester_table_of_their_school(research, login):
    factories.activity(by=research.principal_a, level="school", code=rules.CONSULTATION_TYPE, school=research.school_a)
    page = login(research.principal_a).get(reverse("research:my-table"), follow=True).content.decode()
    assert "甲小学 · 教研常规达标" in page and "学情会商每学期≥1次" in page
    assert "1 次学情会商（标准 ≥ 1 次）" in page


def test_the_zone_page_sets_its_schools_side_by_side(research, login):
    from tests.factories import ZoneFactory

    zone = ZoneFactory(district=research.school_a.district)
    for school in (research.school_a, research.school_b):
        school.zone = zone
        school.save(update_fields=["zone"])
    activity = factories.activity(
        by=research.principal_a,
        level="school",
        code="theme",
        school=research.school_a,
        participants=[research.teacher_a],
    )
    factories.activity(by=research.inspector, level="zone", code="zone", zone=zone, topic="片区同课异构")
    response = login(research.principal_a).get(reverse("research:zone-detail", args=[zone.pk]))
    rows = {row["school"]: row for row in response.context["rows"]}
    assert rows[research.school_a]["activities"] == 1 and rows[research.school_a]["invited"] == 1
    assert rows[research.school_b]["activities"] == 0
    assert "片区同课异构" in response.content.decode()
    assert activity.pk  # school A's own activity counted beside B's none
    other = ZoneFactory(district=research.school_a.district, name="另一片区")
    assert login(research.principal_a).get(reverse("research:zone-detail", args=[other.pk])).status_code == 404


def test_a_teacher_logs_a_book_and_the_school_sees_completion(research, login):
    factories.defaults()
    from research.models import Book

    client = login(research.teacher_user_a)
    url = reverse("research:growth-reading", args=[research.teacher_a.pk]) + "?year=2026"
    client.post(url, {"book": Book.objects.first().pk, "finished_on": "2026-10-01"})
    future = client.post(url, {"title": "未来之书", "finished_on": "2099-01-01"}, follow=True)
    assert "读完日期不能晚于今天" in future.content.decode()
    client.post(
        reverse("research:growth-record", args=[research.teacher_a.pk]) + "?year=2026",
        {"task": "article", "description": "《浅谈习作教学》"},
    )
    denied = login(research.principal_a).post(
        reverse("research:growth-record", args=[research.teacher_a.pk]) + "?year=2026",
        {"task": "case", "description": "代填"},
        follow=True,
    )
    assert "成长档案由教师本人填写" in denied.content.decode()
    table = login(research.principal_a).get(reverse("research:growth-school"), {"year": 2026})
    row = next(row for row in table.context["page"].object_list if row["teacher"] == research.teacher_a)
    assert row["done"] == 1 and row["books"] == 1 and row["completion"] == 16


def test_a_growth_material_is_served_only_within_the_teachers_scope(research, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from research.models import GrowthRecord

    login(research.teacher_user_a).post(
        reverse("research:growth-record", args=[research.teacher_a.pk]) + "?year=2026",
        {
            "task": "paper_set",
            "description": "三年级语文期末试卷",
            "file": SimpleUploadedFile("试卷.pdf", b"%PDF-1.4 x"),
        },
    )
    record = GrowthRecord.objects.get()
    url = reverse("research:growth-material", args=[record.pk])
    response = login(research.principal_a).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(research.principal_b).get(url).status_code == 404
    bad = login(research.teacher_user_a).post(
        reverse("research:growth-record", args=[research.teacher_a.pk]) + "?year=2026",
        {"task": "case", "description": "案例", "file": SimpleUploadedFile("案例.pdf", b"MZ not a pdf")},
        follow=True,
    )
    assert "内容与扩展名不符" in bad.content.decode()
    assert not GrowthRecord.objects.filter(task="case").exists()


def test_my_schools_lists_each_schools_three_latest_activities_in_the_same_queries_for_more_schools(research, login):
    def liaise(school):
        ResearchLiaison.objects.create(
            researcher=research.inspector, school=school, starts_on=timezone.localdate() - timedelta(days=30)
        )

    liaise(research.school_a)
    for days_ago, topic in [(9, "最早的活动"), (7, "第三新"), (5, "第二新"), (2, "最新的活动")]:
        factories.activity(
            by=research.bureau, level="school", code="theme", school=research.school_a, days_ago=days_ago, topic=topic
        )
    client = login(research.inspector)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("research:my-schools")).content.decode()
    assert page.index("最新的活动") < page.index("第二新") < page.index("第三新")
    assert "最早的活动" not in page
    for _ in range(3):
        school = SchoolFactory()
        liaise(school)
        factories.activity(
            by=research.bureau, level="school", code="theme", school=school, topic=f"{school.name}的活动"
        )
    with CaptureQueriesContext(connection) as more:
        page = client.get(reverse("research:my-schools")).content.decode()
    assert len(more) == len(few)
    assert page.count("的活动") >= 4
