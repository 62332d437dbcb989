"""Teaching-research journeys in headless Chromium against a live server: a group leader records a
集体备课 on a phone, the teacher confirms attendance on a phone, a principal reads the semester table,
a researcher opens a warned school. Screenshots go to var/screenshots/journey-research-*.png."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.models import EarlyWarning, ResearchVisit
from research import rules
from research.models import Activity, Participation
from schools.models import ResearchLiaison
from tests.monitoring.factories import make_exam
from tests.research import factories
from tests.test_browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_group_leader_records_a_lesson_preparation_and_the_teacher_confirms_on_a_phone(
    browser, live_server, city, password
):
    factories.defaults()
    yesterday = timezone.localdate() - timedelta(days=1)
    page, errors = sign_in(browser, live_server, "leader_a", password, phone=True)
    page.goto(live_server.url + reverse("research:activity-create"))
    page.select_option("#id_level", "group")
    page.select_option("#id_activity_type", label="集体备课")
    page.select_option("#id_group", str(city.group_a.pk))
    page.fill("#id_topic", "《将相和》集体备课")
    page.fill("#id_starts_at", f"{yesterday:%Y-%m-%d}T14:00")
    page.fill("#id_ends_at", f"{yesterday:%Y-%m-%d}T16:00")
    page.fill("#id_place", "语文教研室")
    page.select_option("#id_lead_teacher", str(city.teacher_a.pk))
    page.fill("#id_minutes", "中心发言人说课，组内研讨，确定二次备课要点。")
    page.get_by_label("参加人员").select_option(label="甲老师")  # a searchable list once it is long
    shoot(page, "journey-research-1-leader-form-phone")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存，参加人员可在手机上确认出勤").wait_for()
    activity = Activity.objects.get()
    assert activity.hours == 2 and activity.school == city.school_a and activity.lead_teacher == city.teacher_a
    assert page.get_by_text("实到 0 / 应到 1").is_visible()
    shoot(page, "journey-research-2-leader-detail-phone")
    assert not errors, errors

    # The teacher, on a phone: the home page lists the activity to confirm; one tap confirms it.
    page, errors = sign_in(browser, live_server, "teacher_a", password, phone=True)
    page.get_by_text("《将相和》集体备课").first.click()
    page.wait_for_url(f"**{reverse('research:activity-detail', args=[activity.pk])}")
    shoot(page, "journey-research-3-teacher-confirm-phone")
    page.get_by_role("button", name="确认参加").click()
    page.get_by_text("已确认参加“《将相和》集体备课”，计 2.0 学时").wait_for()
    assert page.get_by_text("您已确认参加").is_visible()
    assert page.get_by_role("button", name="确认参加").count() == 0
    shoot(page, "journey-research-4-teacher-confirmed-phone")
    assert Participation.objects.get().status == "confirmed"
    assert not errors, errors


def test_principal_reads_the_semester_table(browser, live_server, city, password):
    factories.defaults()
    for days_ago in (3, 10):
        factories.activity(by=city.principal_a, level="school", code="theme", school=city.school_a, days_ago=days_ago)
    factories.activity(by=city.principal_a, level="school", code=rules.PARENT_TYPE, school=city.school_a, length=1)
    page, errors = sign_in(browser, live_server, "principal_a", password)
    page.get_by_role("button", name="教研与成长").click()
    page.get_by_role("link", name="本校教研常规达标").click()
    page.wait_for_url(f"**{reverse('research:school-table', args=[city.school_a.pk])}")
    table = page.locator("[data-semester-table]")
    row = table.locator("tr", has_text="全校学科教研活动每学期≥2次")
    assert row.get_by_text("达标", exact=True).is_visible()
    parent = table.locator("tr", has_text="家长课每学期≥2学时")
    assert parent.get_by_text("未达标").is_visible() and parent.get_by_text("家长学校 1 次共 1.0 学时").is_visible()
    assert page.get_by_text("乙小学").count() == 0
    shoot(page, "journey-research-5-principal-semester-table")
    assert not errors, errors


def test_researcher_opens_a_warned_school_they_are_responsible_for(browser, live_server, city, password):
    factories.defaults()
    exam = make_exam(schools=[city.school_a, city.school_b])
    warning = EarlyWarning.objects.create(exam=exam, school=city.school_a, kind="sharp_fall", reason="语文成绩大幅下滑")
    ResearchVisit.objects.create(warning=warning)
    ResearchLiaison.objects.create(
        researcher=city.inspector, school=city.school_a, starts_on=timezone.localdate() - timedelta(days=30)
    )
    factories.activity(by=city.principal_a, level="school", code=rules.CONSULTATION_TYPE, school=city.school_a)
    page, errors = sign_in(browser, live_server, "inspector", password)
    page.goto(live_server.url + reverse("monitoring:warning-list"))
    assert page.locator("tr", has_text="语文成绩大幅下滑").is_visible()
    group = page.locator("tr.group-row", has_text="甲小学")  # warnings come grouped by school
    assert group.get_by_text("督学（全校）").is_visible()  # the warnings page names who is responsible
    shoot(page, "journey-research-6-warnings")
    page.get_by_role("button", name="教研与成长").click()
    page.get_by_role("link", name="我联系的学校").click()
    card = page.locator("[data-liaison-school='甲小学']")
    assert card.get_by_text("学情会商未达标").count() == 0  # met: not among the missing
    assert card.get_by_text("家长学校未达标").is_visible()
    card.get_by_role("link", name="甲小学").click()
    page.wait_for_url(f"**{reverse('research:school-table', args=[city.school_a.pk])}*")
    assert page.get_by_text("负责教研员：督学（全校）").is_visible()
    shoot(page, "journey-research-7-researcher-school")
    page.go_back()
    page.locator("[data-liaison-school='甲小学']").get_by_role("link", name="质量预警与调研").click()
    page.locator(f"#warnings-{city.school_a.pk} a").first.click()  # the school's group: its warnings
    page.wait_for_url(f"**{reverse('monitoring:warning-detail', args=[warning.pk])}")
    assert not errors, errors
