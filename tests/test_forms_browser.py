"""Selects in headless Chromium: type to search a long list, narrow it by its group, 请选择 for blank."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import TeacherFactory
from tests.test_browser import browser, shoot, sign_in  # noqa: F401 (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bureau_finds_a_participant_among_many_by_typing(browser, live_server, city, password):  # noqa: F811
    for number in range(30):
        TeacherFactory(school=city.school_b, name=f"乙校教师{number:02d}")
    TeacherFactory(school=city.school_a, name="欧阳明")
    page, errors = sign_in(browser, live_server, "bureau", password, phone=True)
    page.goto(live_server.url + reverse("research:activity-create"))
    assert page.locator("#id_activity_type option").first.inner_text() == "请选择"

    # The 1,600-checkbox list is now one searchable box; a select of schools narrows it first.
    assert page.locator("#id_participants").get_attribute("data-searchable") is not None
    search = page.locator("#id_participants-ts-control")
    search.click()
    search.press_sequentially("欧阳")
    options = page.locator("#id_participants-ts-dropdown .option")
    expect(options).to_have_count(1)
    assert options.first.text_content() == "欧阳明"  # the typed part is highlighted
    options.first.click()
    chosen = page.locator("#id_participants option:checked")
    assert chosen.count() == 1 and chosen.first.inner_text() == "欧阳明"
    assert search.input_value() == ""  # ready for the next name
    shoot(page, "forms-searchable-participants-phone")

    schools = page.locator("select[data-group-filter-for=id_participants]")
    schools.select_option("乙小学")
    search.fill("")
    search.click()
    expect(options).to_have_count(31)  # 乙小学: its 30 new teachers and 乙老师
    shown = options.all_inner_texts()
    assert shown and all(name.startswith("乙") for name in shown)
    assert page.locator("#id_participants option:checked").count() == 1  # the choice stays

    box = page.locator("#id_participants").locator("xpath=..").locator(".ts-control").bounding_box()
    assert box["height"] >= 44  # a touch target on the phone
    assert not errors, errors


def test_without_javascript_the_select_still_works(browser, live_server, city, password):  # noqa: F811
    for number in range(20):
        TeacherFactory(school=city.school_b, name=f"乙校教师{number:02d}")
    page, _ = sign_in(browser, live_server, "bureau", password)
    context = browser.new_context(java_script_enabled=False, storage_state=page.context.storage_state())
    plain = context.new_page()
    plain.goto(live_server.url + reverse("research:activity-create"))
    participants = plain.locator("#id_participants")
    assert participants.is_visible() and participants.evaluate("s => s.multiple")
    groups = participants.locator("optgroup")
    assert sorted(groups.evaluate_all("gs => gs.map(g => g.label)")) == ["乙小学", "甲小学"]
    context.close()
