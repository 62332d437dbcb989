"""The visit form on a phone in headless Chromium, with the network dropping in the middle."""

import pytest
from django.urls import reverse

from inspections.models import ClientSubmission, Criterion, Visit, VisitScore
from tests.inspections import factories
from tests.test_browser import browser, shoot, sign_in  # noqa: F401 (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspector_fills_a_visit_offline_and_it_is_sent_once_when_back_online(browser, live_server, city, password):  # noqa: F811
    visit = factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    criteria = list(Criterion.objects.filter(area__rubric=visit.rubric).order_by("area__order", "order"))
    page, errors = sign_in(browser, live_server, "inspector", password, phone=True)
    page.goto(live_server.url + reverse("inspections:visit-fill", args=[visit.pk]))
    page.fill(f"#score-{criteria[0].pk}", "4.5")
    page.fill(f"#score-{criteria[1].pk}", "5")
    assert page.locator("[data-total]").inner_text() == "9.5"

    page.context.set_offline(True)
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("网络不可用").wait_for()
    shoot(page, "inspections-visit-offline-phone")
    assert not VisitScore.objects.filter(visit=visit).exists()

    # Back online, the outbox is sent.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.get_by_text("草稿已保存").wait_for()
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a second flush finds an empty outbox
    assert VisitScore.objects.get(visit=visit, criterion=criteria[0]).points == 4.5
    assert ClientSubmission.objects.filter(object_id=visit.pk).count() == 1

    # Fill the rest and submit: the visit locks and the page goes to the visit.
    for criterion in criteria[2:]:
        page.fill(f"#score-{criterion.pk}", str(criterion.max_points))
    page.fill("#id_visited_on", "2026-10-15")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交并锁定").click()
    page.wait_for_url(f"**{reverse('inspections:visit-detail', args=[visit.pk])}")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED and visit.total == 99.5
    shoot(page, "inspections-visit-detail-phone")
    assert not [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e], errors  # the offline attempt
