"""The cockpit in Chromium: the charts are drawn (SVG) under the content security policy and a click on
a district, then a school, then a class drills down to the class."""

import pytest

from tests.test_browser import browser, shoot, sign_in  # noqa: F401 (the browser fixture)
from tests.test_home_dashboard import cockpit  # noqa: F401 (the data fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drawn_charts(page) -> int:
    return page.locator("[data-dashboard][data-drawn] svg").count()


def test_the_bureau_clicks_from_the_city_to_a_class(browser, live_server, cockpit, password):  # noqa: F811
    page, errors = sign_in(browser, live_server, "bureau", password)
    assert drawn_charts(page) == page.locator("[data-dashboard]").count() >= 5
    shoot(page, "cockpit-city")
    school_b = cockpit.school_b
    page.locator('[data-figure="warnings"] svg text', has_text=school_b.district.name).first.click()
    page.wait_for_url(f"**/?district={school_b.district.pk}")
    assert page.get_by_role("navigation", name="驾驶舱层级").get_by_text(school_b.district.name).is_visible()
    assert drawn_charts(page) >= 3
    page.locator('[data-figure="rates-units"] svg text', has_text=school_b.name).first.click()
    page.wait_for_url(f"**/?school={school_b.pk}")
    shoot(page, "cockpit-school")
    page.locator('[data-figure="rates-units"] svg text', has_text="3年级").first.click()
    page.wait_for_url("**/schools/classes/*/")
    assert school_b.name in page.content()
    assert not errors, errors


def test_a_principal_sees_the_school_figures_on_a_phone(browser, live_server, cockpit, password):  # noqa: F811
    page, errors = sign_in(browser, live_server, "principal_a", password, phone=True)
    assert drawn_charts(page) >= 2
    assert page.get_by_text(cockpit.school_b.name).count() == 0
    shoot(page, "cockpit-principal-phone")
    assert not errors, errors
