"""The real portal in headless Debian Chromium: people sign in and see their home pages."""

import os
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


def sign_in(browser, live_server, username, password, *, phone=False):
    context = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page, errors


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_principal_signs_in_and_sees_their_school(browser, live_server, city, password):
    page, errors = sign_in(browser, live_server, "principal_a", password, phone=True)
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "甲校长，您好"
    assert page.get_by_role("heading", name="甲小学").is_visible()
    assert page.get_by_text("乙小学").count() == 0
    shoot(page, "principal-home-phone")
    assert not errors, errors


def test_bureau_signs_in_sees_the_city_and_opens_the_school_list(browser, live_server, city, password):
    page, errors = sign_in(browser, live_server, "bureau", password)
    assert page.get_by_text("全市概况").is_visible()
    shoot(page, "bureau-home")
    page.get_by_role("button", name="学校基础信息").click()
    page.get_by_role("link", name="学校", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="甲小学").is_visible()
    assert page.get_by_role("link", name="乙小学").is_visible()
    shoot(page, "bureau-school-list")
    assert not errors, errors


def test_a_wrong_password_shows_a_chinese_message(browser, live_server, city):
    page, _ = sign_in(browser, live_server, "bureau", "not-the-password")
    assert page.get_by_text("用户名或密码不正确").is_visible()


def test_bureau_sees_the_exam_charts_drawn_under_the_content_security_policy(browser, live_server, city, password):
    from monitoring.statistics import compute_exam
    from tests.monitoring.factories import import_rows, make_exam, row

    exam = make_exam(schools=[city.school_a, city.school_b], name="三年级期末监测")
    import_rows(exam, [row(n, city.school_a if n % 2 else city.school_b, 1, 40 + n, 90 - n) for n in range(1, 30)])
    compute_exam(exam)
    page, errors = sign_in(browser, live_server, "bureau", password)
    page.goto(f"{live_server.url}/monitoring/exams/{exam.pk}/")
    page.wait_for_selector("[data-chart=bands] svg")
    assert page.locator("[data-chart=bands] svg text", has_text="语文").count() >= 1
    shoot(page, "monitoring-exam")
    page.get_by_role("link", name="学校排名").click()
    page.wait_for_selector("[data-chart=ranking] svg")
    assert page.locator("table").get_by_text("甲小学").is_visible()
    shoot(page, "monitoring-ranking")
    assert not errors, errors
