"""Journeys in headless Chromium against a live server with a real Celery worker: what a bureau
officer and an inspector on a phone do in a day. Screenshots go to var/screenshots/journey-*.png."""

import io

import openpyxl
import pytest
from django.urls import reverse

from inspections.models import Criterion, Visit
from monitoring.models import EarlyWarning, Exam, ResearchVisit, Score
from schools import codes
from tests.inspections import factories as inspection_factories
from tests.monitoring.factories import student_number
from tests.test_browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_bureau_runs_an_exam_from_creation_to_the_research_visit(
    browser, live_server, city, password, broker, tmp_path, request
):
    page, errors = sign_in(browser, live_server, "bureau", password)

    # Create the exam: grade 3, Chinese and mathematics, both schools.
    page.goto(live_server.url + reverse("monitoring:exam-create"))
    page.fill("#id_name", "2026学年三年级期末质量监测")
    page.fill("#id_code", "JC-JOURNEY")
    page.select_option("#id_kind", index=1)
    page.select_option("#id_semester", index=1)
    page.select_option("#id_grade", "3")
    page.fill("#id_held_on", "2026-12-20")
    page.select_option("#id_schools", [str(city.school_a.pk), str(city.school_b.pk)])
    page.select_option("#id_subjects-0-subject", label="语文")
    page.select_option("#id_subjects-1-subject", label="数学")
    page.fill("#id_subjects-1-order", "1")
    shoot(page, "journey-bureau-1-exam-form")
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    exam = Exam.objects.get(code="JC-JOURNEY")
    assert page.url.endswith(reverse("monitoring:exam-detail", args=[exam.pk])), page.url

    # Download the template and fill it like a school would: school B low in both subjects.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载成绩模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert "成绩导入模板" in download.value.suggested_filename
    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:6] == ["学籍号", "姓名", "学校标识码", "班级", "语文", "数学"]
    for n in range(1, 41):
        school = city.school_a if n % 2 else city.school_b
        high = school == city.school_a
        values = [student_number(n), f"学生{n}", school.code, codes.class_label(3, 1 + n % 2)]
        values += [80 + n % 20 if high else 30 + n % 20, 85 if high else 35.5]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=n + 1, column=column, value=value)
    filled = tmp_path / "成绩.xlsx"
    book.save(filled)

    # Upload it. The worker starts only now, so the job page is seen queued, its bar at 0, and
    # then followed by the page's polling (static/js/app.js) to the end.
    page.set_input_files("input[name=file]", str(filled))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/jobs/**")
    assert page.locator(".job-progress").is_visible()
    assert page.locator(".progress-bar").inner_text().strip() == "0%"
    assert page.locator("[data-job-status]").inner_text() == "排队中"
    shoot(page, "journey-bureau-2-job-queued")
    request.getfixturevalue("worker")
    page.get_by_text("导入完成").wait_for(timeout=90_000)
    shoot(page, "journey-bureau-3-job-done")
    assert Score.objects.filter(exam_subject__exam=exam).count() == 80

    # The ranking, and its export.
    page.goto(live_server.url + reverse("monitoring:exam-detail", args=[exam.pk]))
    page.get_by_role("link", name="学校排名").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name=city.school_a.name).is_visible()
    shoot(page, "journey-bureau-4-ranking")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel（全部学科）").click()
    exported = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert "学校排名" in download.value.suggested_filename
    assert any(city.school_b.name in str(c.value) for s in exported.worksheets for r in s.iter_rows() for c in r)

    # A warning for school B, and its research visit.
    warning = EarlyWarning.objects.get(exam=exam, school=city.school_b)
    page.goto(live_server.url + reverse("monitoring:warning-list") + f"?exam={exam.pk}")
    # Grouped by school: school B's header counts its warnings; its warning opens the research visit.
    assert "1 条预警" in page.locator("tr.group-row", has_text=city.school_b.name).inner_text()
    page.locator(f"#warnings-{city.school_b.pk} a").first.click()
    page.wait_for_url(f"**{reverse('monitoring:warning-detail', args=[warning.pk])}")
    page.select_option("#id_researcher", str(city.inspector.pk))
    page.fill("#id_visited_on", "2027-01-05")
    page.fill("#id_causes", "教研活动不足，作业设计缺少分层。")
    page.fill("#id_measures", "每周集体备课，市教研员跟踪听课两次。")
    page.select_option("#id_status", index=1)
    page.locator("form [type=submit]").last.click()
    page.get_by_text("调研记录已保存").wait_for()
    shoot(page, "journey-bureau-5-research-visit")
    visit = ResearchVisit.objects.get(warning=warning)
    assert visit.researcher == city.inspector and "分层" in visit.causes
    assert not errors, errors


def test_inspector_on_a_phone_scores_a_visit_through_a_network_loss_and_opens_the_letter(
    browser, live_server, city, password
):
    visit = inspection_factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    criteria = list(Criterion.objects.filter(area__rubric=visit.rubric).order_by("area__order", "order"))
    page, errors = sign_in(browser, live_server, "inspector", password, phone=True)

    # From the visit list to the assigned visit.
    page.goto(live_server.url + reverse("inspections:visit-list"))
    shoot(page, "journey-inspector-1-visit-list-phone")
    page.goto(live_server.url + reverse("inspections:visit-fill", args=[visit.pk]))
    page.fill(f"#score-{criteria[0].pk}", "4")

    # The network goes; the inspector keeps typing and saves; the draft waits in the browser.
    page.context.set_offline(True)
    page.fill(f"#score-{criteria[1].pk}", "5")
    page.fill(f"#score-{criteria[2].pk}", str(criteria[2].max_points))
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("网络不可用").wait_for()
    shoot(page, "journey-inspector-2-offline-phone")
    page.fill(f"#score-{criteria[3].pk}", str(criteria[3].max_points))

    # The network comes back: the draft goes out once.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.get_by_text("草稿已保存").wait_for()
    for criterion in criteria[4:]:
        page.fill(f"#score-{criterion.pk}", str(criterion.max_points))
    page.fill("#id_visited_on", "2026-11-20")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交并锁定").click()
    page.wait_for_url(f"**{reverse('inspections:visit-detail', args=[visit.pk])}")
    shoot(page, "journey-inspector-3-submitted-phone")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.total == sum(c.max_points for c in criteria[2:]) + 4 + 5

    # The feedback letter (督导意见书), a PDF.
    link = page.get_by_role("link", name="督导意见书")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF")
    assert not [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e], errors
