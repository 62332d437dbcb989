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


def _tiny_jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), (30, 110, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_the_saved_message_shows_by_the_sticky_bar_on_a_phone(browser, live_server, city, password):  # noqa: F811
    visit = factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    first = Criterion.objects.filter(area__rubric=visit.rubric).order_by("area__order", "order").first()
    page, errors = sign_in(browser, live_server, "inspector", password, phone=True)
    page.goto(live_server.url + reverse("inspections:visit-fill", args=[visit.pk]))
    page.fill(f"#score-{first.pk}", "4")
    page.get_by_role("button", name="保存草稿").click()
    status = page.locator(".visit-bar [data-offline-status]")
    status.get_by_text("草稿已保存").wait_for()
    # Where the thumb is: inside the bar at the bottom of the screen, not at the top of the page.
    assert _in_view(page, status)
    assert _in_view(page, page.get_by_role("button", name="保存草稿"))
    page.screenshot(path=str(_shot_path("inspections-visit-saved-by-bar-phone")))  # the screen, not the page
    assert VisitScore.objects.get(visit=visit, criterion=first).points == 4
    assert not errors, errors


def _shot_path(name):
    from tests.test_browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def test_a_refused_score_is_left_out_of_the_total(browser, live_server, city, password):  # noqa: F811
    visit = factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    criteria = list(Criterion.objects.filter(area__rubric=visit.rubric).order_by("area__order", "order"))
    page, errors = sign_in(browser, live_server, "inspector", password, phone=True)
    page.goto(live_server.url + reverse("inspections:visit-fill", args=[visit.pk]))
    page.fill(f"#score-{criteria[0].pk}", "4.5")
    page.fill(f"#score-{criteria[1].pk}", "5")
    page.fill(f"#score-{criteria[2].pk}", str(criteria[2].max_points + 20))  # above the maximum
    page.fill(f"#score-{criteria[3].pk}", "2.3")  # not in steps of 0.5
    assert page.locator("[data-total]").inner_text() == "9.5"
    assert "2 项得分无效，未计入" in page.locator("[data-total-note]").inner_text()
    assert page.locator(f"#score-{criteria[2].pk}").get_attribute("class").count("is-invalid") == 1
    assert page.locator(f"#score-{criteria[2].pk}-problem").is_visible()
    page.fill(f"#score-{criteria[2].pk}", "3")
    assert page.locator("[data-total]").inner_text() == "12.5"
    assert page.locator("[data-total-note]").inner_text().count("1 项") == 1
    assert not errors, errors


def test_touch_targets_on_the_visit_form_are_at_least_44_px(browser, live_server, city, password):  # noqa: F811
    visit = factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    page, errors = sign_in(browser, live_server, "inspector", password, phone=True)
    page.goto(live_server.url + reverse("inspections:visit-fill", args=[visit.pk]))
    targets = page.locator(
        "main button:visible, main input:not([type=hidden]):visible, main textarea:visible, "
        "main select:visible, main label.btn:visible"
    )
    small = []
    for index in range(targets.count()):
        box = targets.nth(index).bounding_box()
        if box and (box["height"] < 44 or box["width"] < 44):
            small.append((targets.nth(index).evaluate("e => e.outerHTML.slice(0, 80)"), box))
    assert targets.count() > 20
    assert not small, "\n".join(map(str, small))
    assert not errors, errors


def test_the_visit_list_is_cards_on_a_phone_and_a_table_on_a_desk(browser, live_server, city, password):  # noqa: F811
    city.school_a.name = "长白朝鲜族自治县第二实验小学"
    city.school_a.save()
    factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    page, errors = sign_in(browser, live_server, "inspector", password, phone=True)
    page.goto(live_server.url + reverse("inspections:visit-list"))
    card = page.locator(".visit-card").first
    assert card.is_visible() and not page.locator("table").first.is_visible()
    title = card.locator(".visit-card-title")
    assert title.inner_text() == "长白朝鲜族自治县第二实验小学"
    line = title.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert title.bounding_box()["height"] < 2 * line  # one line, not two characters a line
    shoot(page, "inspections-visit-cards-phone")
    card.click()
    page.wait_for_url("**/inspections/visits/*/")
    desk, _ = sign_in(browser, live_server, "inspector", password)
    desk.goto(live_server.url + reverse("inspections:visit-list"))
    assert desk.locator("table").first.is_visible() and not desk.locator(".visit-card").first.is_visible()
    assert not errors, errors


def test_a_photo_taken_offline_is_queued_and_uploaded_when_back_online(browser, live_server, city, password):  # noqa: F811
    from inspections.models import VisitPhoto

    visit = factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector)
    page, errors = sign_in(browser, live_server, "inspector", password, phone=True)
    page.goto(live_server.url + reverse("inspections:visit-fill", args=[visit.pk]))
    camera = page.locator("#id_photo")
    assert camera.get_attribute("accept") == "image/*" and camera.get_attribute("capture") == "environment"
    page.context.set_offline(True)
    camera.set_input_files({"name": "classroom.jpg", "mimeType": "image/jpeg", "buffer": _tiny_jpeg()})
    page.locator("[data-photo-list] figcaption", has_text="待上传").wait_for()
    page.get_by_text("照片已保存在本机").wait_for()
    assert not VisitPhoto.objects.exists()

    # Back online (and after a reload: the queue lives in IndexedDB), the photo is sent.
    page.context.set_offline(False)
    page.reload()
    page.locator("[data-photo-list] figcaption", has_text="已上传").wait_for()
    photo = VisitPhoto.objects.get()
    assert photo.visit == visit and photo.uploaded_by == city.inspector and photo.name == "classroom.jpg"
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the queue is empty: nothing sent twice
    page.wait_for_timeout(300)
    assert VisitPhoto.objects.count() == 1
    shoot(page, "inspections-visit-photo-phone")

    page.goto(live_server.url + reverse("inspections:visit-detail", args=[visit.pk]))
    image = page.locator("#photos img")
    assert image.count() == 1
    image.scroll_into_view_if_needed()  # the thumbnails load lazily, as the reader scrolls to them
    page.wait_for_function(  # the photo loads (a bounded wait: decode() of a stalled image never settles)
        "() => { const img = document.querySelector('#photos img');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=15000,
    )
    assert image.evaluate("img => img.naturalWidth") == 64
    assert not [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e], errors
