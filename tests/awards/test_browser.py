"""The judging and the public notice in headless Chromium."""

import pytest

from awards.models import Score
from tests.awards.conftest import advance_to_notice
from tests.test_browser import browser, shoot, sign_in  # noqa: F401 - the shared browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_judge_scores_a_nomination_in_the_browser(browser, live_server, awards_world, password):  # noqa: F811
    page, errors = sign_in(browser, live_server, "judge0", password)
    page.goto(f"{live_server.url}/awards/judging/")
    assert page.get_by_text("待评分").first.is_visible()
    shoot(page, "awards-judge-queue")
    page.get_by_role("link", name="评分").first.click()
    inputs = page.locator("input[type=number]")
    fields = inputs.count()
    assert fields == 3
    for index in range(fields):
        inputs.nth(index).fill("8")
    shoot(page, "awards-score-form")
    page.get_by_role("button", name="保存评分").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("的评分已保存").is_visible()
    assert Score.objects.filter(assignment__judge__user__username="judge0").count() == fields
    assert not errors, errors


def test_notice_page_prints_and_takes_an_objection(browser, live_server, awards_world, city, password, monkeypatch):  # noqa: F811
    from django.utils import timezone

    campaign = advance_to_notice(awards_world, city)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: campaign.notice_starts_on)
    page, errors = sign_in(browser, live_server, "principal_b", password)
    page.goto(f"{live_server.url}/awards/{campaign.pk}/notice/")
    assert page.get_by_role("heading", name=f"关于{campaign.name}拟表彰名单的公示").is_visible()
    assert page.get_by_role("cell", name="甲老师").is_visible()
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.__printed === true")
    shoot(page, "awards-notice")
    page.fill("textarea[name=text]", "该教师事迹材料与实际不符。")
    page.get_by_role("button", name="提交异议").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("异议已提交").is_visible()
    assert campaign.objections.get().text == "该教师事迹材料与实际不符。"
    assert not errors, errors


def test_announce_is_disabled_with_its_reason_during_the_notice(
    browser,  # noqa: F811
    live_server,
    awards_world,
    city,
    password,
    monkeypatch,
):
    from datetime import timedelta

    from django.utils import timezone

    from awards import services

    campaign = advance_to_notice(awards_world, city)
    services.lodge_objection(
        campaign=campaign, nomination=None, text="公示名单有误。", by=city.principal_b, today=campaign.notice_starts_on
    )
    today = {"value": campaign.notice_starts_on}
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today["value"])
    page, errors = sign_in(browser, live_server, "bureau", password)
    page.goto(f"{live_server.url}/awards/{campaign.pk}/")
    announce = page.get_by_role("button", name="公示期满，公布结果")
    assert announce.is_disabled()
    reason = page.locator("#why-announce")
    assert "公示期满后才能公布结果" in reason.inner_text()
    assert announce.get_attribute("aria-describedby") == "why-announce"
    shoot(page, "awards-announce-disabled")

    # After the notice period the objection still holds it back, and says so before any click.
    today["value"] = campaign.notice_ends_on + timedelta(days=1)
    page.reload()
    assert announce.is_disabled()
    assert reason.inner_text().strip() == "还有 1 条异议未处理。"
    assert not errors, errors
