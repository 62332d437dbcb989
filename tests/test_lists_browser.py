"""The three to-do lists in headless Chromium at desktop width: 整改看板 (cards that filter, 催办),
质量预警 grouped by school (a group folds away), 报送情况 (sorting by a header, pages, page size)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import services
from monitoring.models import EarlyWarning, ResearchVisit
from tests.factories import SchoolFactory
from tests.inspections import factories
from tests.monitoring.factories import make_exam
from tests.test_browser import browser, shoot, sign_in  # noqa: F401 (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bureau_works_through_the_three_lists(browser, live_server, city, password):  # noqa: F811
    today = timezone.localdate()
    schools = [SchoolFactory(name=f"第{n + 1}中学") for n in range(28)]
    factories.late_order(by=city.bureau, school=city.school_a, days_late=9)
    factories.late_order(by=city.bureau, school=schools[0], days_late=2)
    services.mark_overdue(today=today)
    for n, school in enumerate([city.school_b, *schools[1:4]]):
        services.create_order(
            school=school,
            visit=None,
            items="一\n二",
            deadline=today + timedelta(days=5 + 7 * n),
            by=city.bureau,
            today=today,
        )
    exam = make_exam(schools=[city.school_a, city.school_b, schools[0]], name="2026年秋季三年级期末监测")
    for school, kinds in [(city.school_a, ["sharp_fall", "multi_subject_bottom"]), (city.school_b, ["sharp_fall"])]:
        for kind in kinds:
            warning = EarlyWarning.objects.create(exam=exam, school=school, kind=kind, reason="语文成绩大幅下滑")
            ResearchVisit.objects.create(warning=warning)

    page, errors = sign_in(browser, live_server, "bureau", password)
    page.on("dialog", lambda dialog: dialog.accept())

    # 整改看板: overdue first; the 逾期 card filters; 催办 is recorded and shown.
    page.goto(live_server.url + reverse("inspections:order-list"))
    first_row = page.locator("tbody tr").first
    assert "甲小学" in first_row.inner_text() and "逾期 9 天" in first_row.inner_text()
    shoot(page, "lists-orders")
    page.locator(".summary-card", has_text="逾期未整改").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr").count() == 2
    page.locator("tbody tr").first.get_by_role("button", name="催办").click()
    page.get_by_text("已向甲小学催办（第1次）").wait_for()
    assert "status=overdue" in page.url  # back on the filtered board
    assert "1 次" in page.locator("tbody tr").first.inner_text()
    shoot(page, "lists-orders-overdue-urged")

    # 质量预警 grouped by school: 甲 with its two warnings; its group folds away.
    page.goto(live_server.url + reverse("monitoring:warning-list"))
    group = page.locator("tr.group-row").first
    assert "甲小学" in group.inner_text() and "2 条预警" in group.inner_text()
    shoot(page, "lists-warnings-by-school")
    body = page.locator(f"#warnings-{city.school_a.pk}")
    assert body.is_visible()
    group.get_by_title("展开/收起").click()
    body.wait_for(state="hidden")

    # 报送情况: 30 schools in pages of 25 with page numbers; a header sorts; the size switches.
    page.goto(live_server.url + reverse("reports:tracking"))
    assert page.locator(".pagination .page-item.active").inner_text().strip() == "1"
    assert page.locator(".pagination").get_by_role("link", name="2").is_visible()
    shoot(page, "lists-tracking")
    page.get_by_role("link", name="学校", exact=False).first.click()
    page.wait_for_load_state("networkidle")
    assert "sort=school" in page.url
    page.locator(".page-size").get_by_role("link", name="50").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr").count() == 30 and "sort=school" in page.url
    assert not errors, errors
