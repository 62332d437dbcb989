"""A group leader's journey in headless Chromium against a live server: write the subject report
(学科教学质量分析报告) and submit it. Screenshots go to var/screenshots/journey-leader-*.png."""

import pytest
from django.urls import reverse

from reports.models import Kind, Report, Status
from schools.models import Semester
from tests.reports.factories import scored_exam
from tests.test_browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_group_leader_writes_and_submits_the_subject_report(browser, live_server, city, password):
    semester = Semester.objects.get(is_current=True)
    scored_exam(
        schools=[city.school_a, city.school_b],
        semester=semester,
        scores_by_school={city.school_a.pk: [95, 88, 72, 55, None], city.school_b.pk: [80, 70, 60, 40]},
    )
    page, errors = sign_in(browser, live_server, "leader_a", password)

    # Start the one report this leader writes: their school's Chinese report of the semester.
    page.goto(live_server.url + reverse("reports:report-create"))
    assert page.get_by_text(f"甲小学语文 · {semester} · 学科教学质量分析报告").is_visible()
    page.get_by_role("button", name="开始撰写 / 打开").click()
    report = Report.objects.get(kind=Kind.SUBJECT, school=city.school_a, subject__code="YW")
    page.wait_for_url(f"**{reverse('reports:report-detail', args=[report.pk])}")
    assert page.get_by_text("77.50").first.is_visible()  # the system's own statistics, school A's mean

    # Write the narrative and save the draft.
    page.get_by_role("link", name="撰写/修改").click()
    page.fill("#id_basic_situation", "语文组共6名教师，三年级2个班参加期末统考。")
    page.fill("#id_score_analysis", "平均分77.50，高于全市；低分学生集中在二班。")
    page.fill("#id_problems_causes", "习作得分偏低，阅读理解的分层训练不足。")
    page.fill("#id_measures", "开展习作专项教研，每周一次分层作业设计。")
    shoot(page, "journey-leader-1-edit")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("已保存。").wait_for()
    assert page.get_by_text("习作得分偏低").first.is_visible()

    # Submit, confirming the browser's question; afterwards the report can no longer be edited.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="提交").click()
    page.get_by_text("已提交。").wait_for()
    shoot(page, "journey-leader-2-submitted")
    assert page.locator(".badge", has_text="已提交").first.is_visible()
    assert dialogs == ["提交后不能再修改，确定提交？"]
    assert page.get_by_role("link", name="撰写/修改").count() == 0
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.author == city.group_leader_a
    assert report.problems_causes == "习作得分偏低，阅读理解的分层训练不足。"
    response = page.request.get(live_server.url + reverse("reports:report-edit", args=[report.pk]))
    assert response.status == 403
    assert not [e for e in errors if "403" not in e], errors
