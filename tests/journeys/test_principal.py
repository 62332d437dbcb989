"""A principal's journey in headless Chromium against a live server with a real Celery worker: answer a
rectification order with an attachment, file the basic indicators and the semester report, and have
the report's PDF rendered by the worker. Screenshots go to var/screenshots/journey-principal-*.png."""

import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import services as inspection_services
from inspections.models import RectificationOrder
from monitoring.models import Indicator, IndicatorReport
from reports.models import Kind, Report, ReportPdf, Status
from schools.models import Semester
from tests.inspections import factories as inspection_factories
from tests.monitoring.factories import basic_indicators
from tests.reports.conftest import pdf_text, squeezed
from tests.reports.factories import scored_exam
from tests.test_browser import SCREENSHOTS, shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_principal_answers_an_order_files_the_semester_report_and_downloads_its_pdf(
    browser, live_server, city, password, broker, tmp_path, request
):
    semester = Semester.objects.get(is_current=True)
    scored_exam(
        schools=[city.school_a, city.school_b],
        semester=semester,
        scores_by_school={city.school_a.pk: [95, 88, 72, 55, None], city.school_b.pk: [80, 70, 60, 40]},
    )
    visit = inspection_factories.submitted_visit(
        by=city.bureau, school=city.school_a, inspector=city.inspector, fraction=Decimal("0.5")
    )
    today = timezone.localdate()
    order = inspection_services.create_order(
        school=city.school_a,
        visit=visit,
        items="落实集体备课制度\n建立作业公示制度",
        deadline=today + timedelta(days=20),
        by=city.bureau,
        today=today,
    )
    page, errors = sign_in(browser, live_server, "principal_a", password)

    # 1. The rectification order: answered with a file of evidence.
    page.goto(live_server.url + reverse("inspections:order-detail", args=[order.pk]))
    assert page.get_by_text("建立作业公示制度").is_visible()
    page.fill("#id_response", "已制定集体备课制度并每周检查，作业每日在班级公示。")
    evidence = tmp_path / "整改佐证.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("#id_files", str(evidence))
    asked = []  # answering the order cannot be undone: the page asks first
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="报送整改情况").click()
    page.get_by_text("整改情况已报送，等待核查。").wait_for()
    assert asked == ["报送后整改情况交局里核查，不能再修改，确定报送吗？"]
    assert page.get_by_text("已回复待核查").first.is_visible()
    assert page.get_by_role("link", name="整改佐证.pdf").is_visible()
    shoot(page, "journey-principal-1-order-answered")
    order.refresh_from_db()
    assert order.status == RectificationOrder.Status.ANSWERED and order.responded_by == city.principal_a
    assert [a.name for a in order.attachments.all()] == ["整改佐证.pdf"]

    # 2. The basic indicators of the school year, one of them below its line.
    # A 小学 files the lines of its stage only (not the 初中 sleep line); qualitative ones as 是/否.
    indicators = [i for i in basic_indicators() if i.applies_to(city.school_a)]
    low = next(i for i in indicators if i.direction == Indicator.Direction.AT_LEAST and not i.yes_no)
    page.goto(live_server.url + reverse("monitoring:indicator-table"))
    page.get_by_role("link", name="填报甲小学").click()
    for indicator in indicators:
        if indicator.yes_no:
            page.select_option(f"#id_i_{indicator.pk}", "1")
            continue
        value = indicator.line - 1 if indicator == low else indicator.line
        page.fill(f"#id_i_{indicator.pk}", f"{value.normalize():f}")
    page.get_by_role("button", name="保存填报").click()
    page.get_by_text("基本指标已保存").wait_for()
    shoot(page, "journey-principal-2-indicators")
    filed = IndicatorReport.objects.filter(school=city.school_a, start_year=semester.start_year)
    assert filed.count() == len(indicators) and filed.get(indicator=low).value == low.line - 1

    # 3. The semester report (学校学期工作报告): written, submitted, rendered.
    page.goto(live_server.url + reverse("reports:report-create"))
    page.locator("form", has_text="学校学期工作报告").get_by_role("button", name="开始撰写 / 打开").click()
    report = Report.objects.get(kind=Kind.PRINCIPAL_SEMESTER, school=city.school_a)
    page.wait_for_url(f"**{reverse('reports:report-detail', args=[report.pk])}")
    assert page.get_by_role("cell", name=low.name).is_visible()  # the indicators just filed
    page.get_by_role("link", name="撰写/修改").click()
    page.fill("#id_basic_situation", "本学期全校开齐开足课程，教师队伍稳定。")
    page.fill("#id_score_analysis", "三年级语文平均分77.50，高于全市。")
    page.fill("#id_problems_causes", "督导发现集体备课制度落实不到位，已限期整改。")
    page.fill("#id_measures", "落实集体备课与作业公示，下学期开展校本教研月。")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("已保存。").wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交").click()
    page.get_by_text("已提交。").wait_for()
    shoot(page, "journey-principal-3-report-submitted")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED

    # The PDF: the job page waits until the worker is there, then follows it to the end.
    page.get_by_role("button", name="生成 PDF").click()
    page.wait_for_url("**/jobs/**")
    assert page.locator("[data-job-status]").inner_text() == "排队中"
    request.getfixturevalue("worker")
    page.get_by_text("已生成第1版").wait_for(timeout=90_000)
    shoot(page, "journey-principal-4-pdf-job-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert "学校学期工作报告" in download.value.suggested_filename
    content = download.value.path().read_bytes()
    assert content.startswith(b"%PDF") and content == ReportPdf.objects.get(report=report).file.read()
    text = squeezed(pdf_text(content))
    assert "学校学期工作报告" in text and "甲小学" in text
    assert "集体备课制度落实不到位" in text and low.name in text and "77.50" in text
    # The first page of the PDF as a picture, for a person to look at.
    (tmp_path / "report.pdf").write_bytes(content)
    first_page = SCREENSHOTS / "journey-principal-5-pdf-page1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(tmp_path / "report.pdf"), str(first_page)], check=True
    )
    assert not errors, errors
