"""A teacher's journey in headless Chromium against a live server: read the observation of their own
lesson and answer it with a reflection, then apply for an award with a material file.
Screenshots go to var/screenshots/journey-teacher-*.png."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import Nomination
from inspections.models import Observation
from tests.awards.factories import CampaignFactory
from tests.inspections import factories as inspection_factories
from tests.test_browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_reflects_on_an_observed_lesson_and_applies_for_an_award(
    browser, live_server, city, password, tmp_path
):
    observation = inspection_factories.observation(by=city.principal_a, teacher=city.teacher_a, topic="桂林山水")
    today = timezone.localdate()
    campaign = CampaignFactory(
        name="2026年优秀教师评选",
        nomination_opens=today - timedelta(days=3),
        nomination_closes=today + timedelta(days=20),
    )
    page, errors = sign_in(browser, live_server, "teacher_a", password)

    # The home page tells the teacher a lesson waits for a reflection; the link opens the observation.
    page.get_by_text("《桂林山水》待写教学反思").click()
    page.wait_for_url(f"**{reverse('inspections:observation-detail', args=[observation.pk])}")
    assert page.get_by_text("授课教师尚未填写教学反思。").is_visible()
    assert page.get_by_text("草船借箭").count() == 0  # the topic is the one of this lesson
    shoot(page, "journey-teacher-1-observation")
    page.fill("#id_reflection", "板书层次不够清晰，下节课先列提纲再展开。")
    page.get_by_role("button", name="保存教学反思").click()
    page.get_by_text("教学反思已保存").wait_for()
    assert page.get_by_text("板书层次不够清晰").first.is_visible()
    assert page.get_by_text("授课教师尚未填写教学反思。").count() == 0
    shoot(page, "journey-teacher-2-reflection-saved")
    observation.refresh_from_db()
    assert observation.reflection == "板书层次不够清晰，下节课先列提纲再展开。" and observation.reflected_at
    assert Observation.objects.count() == 1

    # The award: from the campaign list to the nomination form, with a material file.
    page.goto(live_server.url + reverse("awards:campaign-list"))
    page.get_by_role("link", name=campaign.name).first.click()
    page.locator(f"a[href='{reverse('awards:nomination-create', args=[campaign.pk])}']").click()
    page.wait_for_url(f"**{reverse('awards:nomination-create', args=[campaign.pk])}")
    page.select_option("#id_teacher", label="甲老师（甲小学）")
    page.fill("#id_work_title", "以读促写的单元教学实践")
    page.fill("#id_summary", "三年来坚持单元整体教学，所带班级语文成绩稳居全区前列。")
    material = tmp_path / "事迹材料.pdf"
    material.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("#id_files", str(material))
    shoot(page, "journey-teacher-3-nomination-form")
    page.get_by_role("button", name="提交申报").click()
    page.get_by_text("已提交“甲老师”的申报").wait_for()
    shoot(page, "journey-teacher-4-nomination")
    assert page.get_by_text("待学校推荐").is_visible()  # the school endorses it next
    nomination = Nomination.objects.get(campaign=campaign)
    assert nomination.teacher == city.teacher_a and nomination.nominated_by == city.teacher_user_a
    assert [f.original_name for f in nomination.files.all()] == ["事迹材料.pdf"]
    with page.expect_download() as download:
        page.get_by_role("link", name="事迹材料.pdf").click()
    assert download.value.suggested_filename == "事迹材料.pdf"
    assert download.value.path().read_bytes() == material.read_bytes()
    assert not errors, errors
