"""An award campaign's end in headless Chromium against a live server with a real Celery worker: a
judge scores their queue; the bureau computes the results, publishes the public notice, resolves an
objection, announces and has the certificates rendered by the worker.
Screenshots go to var/screenshots/journey-judge-*.png and journey-awards-*.png."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.models import Assignment, Campaign, Objection, Score
from tests.reports.conftest import pdf_text, squeezed
from tests.test_browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_judge_scores_the_queue_and_the_bureau_publishes_resolves_and_issues_certificates(
    browser, live_server, awards_world, city, password, broker, monkeypatch, request
):
    campaign = awards_world.campaign
    criteria = list(campaign.criteria.order_by("order"))
    mine = Assignment.objects.filter(judge__user__username="judge0", nomination__campaign=campaign)
    assert mine.exists()

    # The judge scores every task of the queue.
    judge, errors = sign_in(browser, live_server, "judge0", password)
    judge.goto(live_server.url + reverse("awards:judge-queue"))
    assert judge.locator(".badge", has_text="待评分").count() == mine.count()
    shoot(judge, "journey-judge-1-queue")
    for _ in range(mine.count()):
        judge.get_by_role("link", name="评分", exact=True).first.click()
        inputs = judge.locator("input[type=number]")
        assert inputs.count() == len(criteria)
        for index, criterion in enumerate(criteria):
            inputs.nth(index).fill(str(int(criterion.max_score * Decimal("0.9"))))
        judge.get_by_role("button", name="保存评分").click()
        judge.get_by_text("的评分已保存").wait_for()
    assert judge.locator(".badge", has_text="已评分").count() == mine.count()
    assert judge.locator(".badge", has_text="待评分").count() == 0
    shoot(judge, "journey-judge-2-queue-done")
    assert Score.objects.filter(assignment__in=mine).count() == mine.count() * len(criteria)
    assert all(a.submitted_at for a in mine)
    assert not errors, errors
    judge.context.close()

    # The other judges have scored too.
    for assignment in Assignment.objects.filter(nomination__campaign=campaign, submitted_at__isnull=True):
        values = {c.pk: (c.max_score * Decimal("0.8")).quantize(Decimal("0.1")) for c in criteria}
        services.save_scores(assignment=assignment, values=values, by=assignment.judge.user)

    # The bureau computes the results and publishes the notice.
    page, errors = sign_in(browser, live_server, "bureau", password)
    page.goto(live_server.url + reverse("awards:campaign-detail", args=[campaign.pk]))
    page.get_by_role("button", name="计算得分与拟获奖名单").click()
    page.get_by_text("已计算 2 项申报的得分、名次和拟获奖名单").wait_for()
    dialogs = []  # the irreversible steps ask first
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="开始公示").click()
    page.get_by_text("公示期：").wait_for()
    campaign.refresh_from_db()
    assert campaign.stage == Campaign.Stage.NOTICE
    page.goto(live_server.url + reverse("awards:notice", args=[campaign.pk]))
    assert page.get_by_role("heading", name=f"关于{campaign.name}拟表彰名单的公示").is_visible()
    assert page.get_by_role("cell", name="甲老师").is_visible()
    shoot(page, "journey-awards-1-notice")

    # Someone objects during the notice; the bureau looks into it and resolves it.
    services.lodge_objection(
        campaign=campaign,
        nomination=awards_world.nomination_a,
        text="该教师事迹材料与实际不符。",
        by=city.principal_b,
        today=campaign.notice_starts_on,
    )
    page.goto(live_server.url + reverse("awards:objection-list", args=[campaign.pk]))
    assert page.get_by_text("该教师事迹材料与实际不符。").is_visible()
    page.select_option("#id_upheld", "0")
    page.fill("#id_resolution", "经核实，事迹材料属实，异议不成立。")
    page.get_by_role("button", name="保存处理结论").click()
    page.get_by_text("异议已处理。").wait_for()
    assert page.get_by_text("处理意见：经核实，事迹材料属实，异议不成立。").is_visible()
    shoot(page, "journey-awards-2-objection-resolved")
    objection = Objection.objects.get(campaign=campaign)
    assert objection.status != Objection.Status.OPEN and objection.resolved_by == city.bureau

    # The notice period ends; the bureau announces the results and issues the certificates.
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: campaign.notice_ends_on + timedelta(days=1))
    page.goto(live_server.url + reverse("awards:campaign-detail", args=[campaign.pk]))
    page.get_by_role("button", name="公示期满，公布结果").click()
    page.get_by_text("已公布结果，获奖 2 项").wait_for()
    assert [message[:6] for message in dialogs] == ["开始公示后评", "公布后获奖结"]
    awards_world.nomination_a.refresh_from_db()
    awards_world.nomination_b.refresh_from_db()
    numbers = [awards_world.nomination_a.certificate_number, awards_world.nomination_b.certificate_number]
    assert all(numbers)
    page.get_by_role("button", name="批量生成证书（合并 PDF）").click()
    page.wait_for_url("**/jobs/**")
    assert page.locator("[data-job-status]").inner_text() == "排队中"
    request.getfixturevalue("worker")
    page.get_by_text("已生成 2 份获奖证书。").wait_for(timeout=90_000)
    shoot(page, "journey-awards-3-certificates-job")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename == f"{campaign.name}-获奖证书.pdf"
    content = download.value.path().read_bytes()
    assert content.startswith(b"%PDF")
    text = squeezed(pdf_text(content))
    assert "甲老师" in text and awards_world.nomination_b.nominee_name in text
    assert all(number in text for number in numbers)
    assert not errors, errors
