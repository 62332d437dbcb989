import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from awards.models import Assignment, Nomination, NominationFile, Score
from tests.awards.conftest import advance_to_notice
from tests.awards.factories import CampaignFactory, NominationFactory, campaign_type
from tests.factories import TeacherFactory

OPEN = {"nomination_opens": date(2000, 1, 1), "nomination_closes": date(2099, 12, 31)}


@pytest.fixture
def open_campaign(city, kind):
    return CampaignFactory(campaign_type=kind, **OPEN)


def test_teacher_nominates_through_the_form_with_materials(city, login, open_campaign):
    upload = SimpleUploadedFile("事迹.pdf", b"%PDF-1.4 material", content_type="application/pdf")
    response = login(city.teacher_user_a).post(
        reverse("awards:nomination-create", args=[open_campaign.pk]),
        {"teacher": city.teacher_a.pk, "work_title": "班级管理", "summary": "事迹", "files": [upload]},
    )
    nomination = Nomination.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "awards:nomination-detail", args=[nomination.pk]
    )
    assert nomination.files.get().size == len(b"%PDF-1.4 material")


def test_a_teacher_cannot_put_forward_a_colleague(city, login, open_campaign):
    colleague = TeacherFactory(school=city.school_a)
    response = login(city.teacher_user_a).post(
        reverse("awards:nomination-create", args=[open_campaign.pk]), {"teacher": colleague.pk}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Nomination.objects.exists()


def test_a_bad_file_shows_a_chinese_message_and_saves_nothing(city, login, open_campaign):
    upload = SimpleUploadedFile("脚本.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = login(city.principal_a).post(
        reverse("awards:nomination-create", args=[open_campaign.pk]), {"teacher": city.teacher_a.pk, "files": [upload]}
    )
    assert "文件类型不允许" in response.content.decode()
    assert not Nomination.objects.exists() and not NominationFile.objects.exists()


def test_principal_of_another_school_gets_404_for_a_nomination(city, login, open_campaign):
    nomination = NominationFactory(campaign=open_campaign, teacher=city.teacher_a)
    assert login(city.principal_b).get(reverse("awards:nomination-detail", args=[nomination.pk])).status_code == 404
    assert login(city.principal_a).get(reverse("awards:nomination-detail", args=[nomination.pk])).status_code == 200


def test_nomination_list_shows_a_principal_only_their_school(city, login, open_campaign):
    NominationFactory(campaign=open_campaign, teacher=city.teacher_a)
    NominationFactory(campaign=open_campaign, teacher=city.teacher_b)
    page = login(city.principal_b).get(reverse("awards:nomination-list", args=[open_campaign.pk])).content.decode()
    assert "乙老师" in page and "甲老师" not in page


def test_nomination_list_query_count_does_not_grow_with_rows(city, login, open_campaign):
    client = login(city.bureau)
    url = reverse("awards:nomination-list", args=[open_campaign.pk])
    for _ in range(3):
        NominationFactory(campaign=open_campaign, teacher=TeacherFactory(school=city.school_a))
    from django.db import connection

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(12):
        NominationFactory(campaign=open_campaign, teacher=TeacherFactory(school=city.school_b))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_judge_sees_only_assigned_nominations(awards_world, city, login):
    judge = awards_world.judge_a.user
    page = login(judge).get(reverse("awards:judge-queue")).content.decode()
    assigned = Assignment.objects.filter(judge=awards_world.judge_a).select_related("nomination__teacher")
    assert all(a.nomination.school_id != city.school_a.pk for a in assigned)
    assert "甲老师" not in page
    other = Assignment.objects.exclude(judge=awards_world.judge_a).first()
    assert login(judge).get(reverse("awards:score", args=[other.pk])).status_code == 404


def test_judge_scores_through_the_form_and_a_score_out_of_range_is_refused(awards_world, login):
    assignment = Assignment.objects.filter(nomination=awards_world.nomination_b).select_related("judge__user").first()
    criteria = list(awards_world.campaign.criteria.all())
    client = login(assignment.judge.user)
    url = reverse("awards:score", args=[assignment.pk])
    bad = {f"c{c.pk}": str(c.max_score + 5) for c in criteria}
    response = client.post(url, bad)
    assert response.status_code == 200 and "得分应在 0 至" in response.content.decode()
    assert not Score.objects.exists()
    good = {f"c{c.pk}": str(c.max_score) for c in criteria}
    assert client.post(url, good).status_code == 302
    assert Score.objects.filter(assignment=assignment).count() == len(criteria)


def test_nominee_does_not_see_scores_before_the_announcement(awards_world, city, login):
    advance_to_notice(awards_world, city)
    url = reverse("awards:nomination-detail", args=[awards_world.nomination_a.pk])
    page = login(city.teacher_user_a).get(url).content.decode()
    awards_world.nomination_a.refresh_from_db()
    assert "最终得分" not in page and "评审得分在结果公布前不公开" in page
    assert "最终得分" in login(city.bureau).get(url).content.decode()


def test_nominee_sees_their_score_after_the_announcement(announced_world, city, login):
    url = reverse("awards:nomination-detail", args=[announced_world.nomination_a.pk])
    page = login(city.teacher_user_a).get(url).content.decode()
    assert "最终得分" in page and str(announced_world.nomination_a.final_score) in page


def test_notice_page_lists_winners_without_scores_and_takes_objections(awards_world, city, login, monkeypatch):
    campaign = advance_to_notice(awards_world, city)
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: campaign.notice_starts_on)
    page = login(city.teacher_user_a).get(reverse("awards:notice", args=[campaign.pk]))
    text = page.content.decode()
    assert "拟表彰名单的公示" in text and "乙老师" in text and "提出异议" in text
    assert str(Nomination.objects.get(pk=awards_world.nomination_b.pk).final_score) not in text
    response = login(city.principal_b).post(
        reverse("awards:objection-create", args=[campaign.pk]),
        {"nomination": awards_world.nomination_a.pk, "text": "事迹不实"},
    )
    assert response.status_code == 302
    assert campaign.objections.get().lodged_by == city.principal_b


def test_objection_after_the_notice_is_refused_with_a_message(awards_world, city, login, monkeypatch):
    campaign = advance_to_notice(awards_world, city)
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 7, 1))
    response = login(city.teacher_user_a).post(
        reverse("awards:objection-create", args=[campaign.pk]), {"text": "太晚了"}, follow=True
    )
    assert "公示期已于2026年6月12日结束" in response.content.decode()
    assert not campaign.objections.exists()


def test_results_export_has_ranks_and_prizes(awards_world, city, login):
    advance_to_notice(awards_world, city)
    response = login(city.bureau).get(reverse("awards:results-export", args=[awards_world.campaign.pk]))
    from io import BytesIO

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名分组", "组内名次", "被推荐人")
    assert {row[2] for row in rows[1:]} == {"甲老师", "乙老师"}
    assert all(row[8] == "优秀教师" for row in rows[1:])
    # Every column has its header, the one-off bonus included.
    assert rows[0][-1] == "一次性奖励（元）" and all(len(row) == len(rows[0]) for row in rows[1:])


def test_nomination_export_is_scoped(city, login, open_campaign):
    NominationFactory(campaign=open_campaign, teacher=city.teacher_a)
    NominationFactory(campaign=open_campaign, teacher=city.teacher_b)
    response = login(city.principal_a).get(reverse("awards:nomination-export", args=[open_campaign.pk]))
    from io import BytesIO

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["甲老师"]


def test_star_school_campaign_says_why_there_are_no_candidates(city, login, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "inspections.selectors", None)  # import fails as if the app had no selector
    campaign = CampaignFactory(campaign_type=campaign_type("star-school"), **OPEN)
    page = login(city.principal_a).get(reverse("awards:campaign-detail", args=[campaign.pk])).content.decode()
    assert "尚未提供教学常规星级评定结果" in page
    response = login(city.principal_a).post(reverse("awards:nomination-create", args=[campaign.pk]), {})
    assert "未查到该校本年度教学常规星级评定结果" in response.content.decode()


def test_star_school_uses_the_inspections_star_levels(city, login, monkeypatch):
    import sys
    import types

    fake = types.ModuleType("inspections.selectors")
    fake.school_star_levels = lambda *, school_year: {city.school_a.pk: 5, city.school_b.pk: 2}
    monkeypatch.setitem(sys.modules, "inspections.selectors", fake)
    campaign = CampaignFactory(campaign_type=campaign_type("star-school"), **OPEN)
    response = login(city.principal_a).post(reverse("awards:nomination-create", args=[campaign.pk]), {})
    assert response.status_code == 302
    refused = login(city.principal_b).post(reverse("awards:nomination-create", args=[campaign.pk]), {})
    assert "★★☆☆☆（二星级），未达到★★★★☆（四星级）" in refused.content.decode()


def test_bureau_runs_the_campaign_through_its_stages(awards_world, city, login):
    client = login(city.bureau)
    from tests.awards.conftest import score_all

    score_all(awards_world)
    url = reverse("awards:campaign-advance", args=[awards_world.campaign.pk])
    page = client.post(url, {"action": "compute"}, follow=True).content.decode()
    assert "已计算 2 项申报" in page
    page = client.post(url, {"action": "notice"}, follow=True).content.decode()
    assert "公示期：" in page
    page = client.post(url, {"action": "announce"}, follow=True).content.decode()
    assert "公示期满后才能公布结果" in page  # the notice has just begun


def test_holiday_table_is_editable_by_the_bureau(city, login):
    response = login(city.bureau).post(reverse("awards:holiday-list"), {"date": "2026-10-01", "name": "国庆节"})
    assert response.status_code == 302
    from awards.models import Holiday

    assert Holiday.objects.get().name == "国庆节"


def test_judges_page_adds_a_judge_with_their_school(city, login, open_campaign):
    response = login(city.bureau).post(
        reverse("awards:campaign-judges", args=[open_campaign.pk]), {"user": city.teacher_user_a.pk}
    )
    assert response.status_code == 302
    assert open_campaign.judges.get().school == city.school_a


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("10")])
def test_edge_scores_are_accepted(awards_world, login, value):
    assignment = Assignment.objects.filter(nomination=awards_world.nomination_b).select_related("judge__user").first()
    criteria = list(awards_world.campaign.criteria.all())
    response = login(assignment.judge.user).post(
        reverse("awards:score", args=[assignment.pk]), {f"c{c.pk}": str(min(value, c.max_score)) for c in criteria}
    )
    assert response.status_code == 302


def test_bureau_edits_the_criteria_before_judging(city, login, open_campaign):
    criteria = list(open_campaign.criteria.all())
    data = {
        "name": open_campaign.name,
        "year": 2026,
        "nomination_opens": "2026-05-01",
        "nomination_closes": "2026-05-31",
        "notice_working_days": 7,
        "judges_per_nomination": 5,
        "criteria-TOTAL_FORMS": len(criteria) + 1,
        "criteria-INITIAL_FORMS": len(criteria),
        "criteria-MIN_NUM_FORMS": 1,
        "criteria-MAX_NUM_FORMS": 1000,
    }
    for index, criterion in enumerate(criteria):
        data |= {
            f"criteria-{index}-id": criterion.pk,
            f"criteria-{index}-name": criterion.name,
            f"criteria-{index}-max_score": "40" if index == 0 else str(criterion.max_score),
            f"criteria-{index}-order": index,
        }
    data |= {
        f"criteria-{len(criteria)}-name": "创新表现",
        f"criteria-{len(criteria)}-max_score": "10",
        f"criteria-{len(criteria)}-order": 9,
    }
    response = login(city.bureau).post(reverse("awards:campaign-update", args=[open_campaign.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    open_campaign.refresh_from_db()
    assert open_campaign.notice_working_days == 7
    assert open_campaign.criteria.count() == len(criteria) + 1
    assert open_campaign.criteria.get(pk=criteria[0].pk).max_score == Decimal("40")


def test_anyone_signed_in_reads_the_notice_and_may_object(awards_world, city, login, monkeypatch):
    from django.utils import timezone

    campaign = advance_to_notice(awards_world, city)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: campaign.notice_starts_on)
    client = login(city.nobody)
    assert client.get(reverse("awards:notice", args=[campaign.pk])).status_code == 200
    client.post(reverse("awards:objection-create", args=[campaign.pk]), {"text": "名单有误"})
    assert campaign.objections.get().lodged_by == city.nobody


def test_notice_of_a_campaign_still_judging_is_not_found(awards_world, city, login):
    assert login(city.bureau).get(reverse("awards:notice", args=[awards_world.campaign.pk])).status_code == 404


def test_the_campaign_list_searches_by_name_and_exports_to_excel(city, login):
    CampaignFactory(name="2026年精品课例评选")
    CampaignFactory(name="2026年优秀教师评选")
    client = login(city.bureau)
    page = client.get(reverse("awards:campaign-list") + "?q=课例").content.decode()
    assert "精品课例" in page and "优秀教师评选" not in page
    response = client.get(reverse("awards:campaign-list") + "?q=课例&export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "活动名称" and [r[0] for r in rows[1:]] == ["2026年精品课例评选"]


# ---- 已申报: what a teacher sees of her own nomination, pre-filled forms, errors once ------------------------


def _own(city, campaign, **extra):
    return NominationFactory(
        campaign=campaign,
        teacher=city.teacher_a,
        nominated_by=city.teacher_user_a,
        status=Nomination.Status.SUBMITTED,
        **extra,
    )


def test_a_teacher_applying_finds_herself_and_her_subject_chosen(city, login, open_campaign):
    page = login(city.teacher_user_a).get(reverse("awards:nomination-create", args=[open_campaign.pk]))
    form = page.context["form"]
    assert form["teacher"].value() == city.teacher_a.pk
    assert form.fields["teacher"].empty_label is None  # nothing else to choose
    html = page.content.decode()
    assert f'<option value="{city.teacher_a.pk}" selected>' in html


def test_the_campaign_page_says_already_nominated_instead_of_nominate(city, login, open_campaign):
    client = login(city.teacher_user_a)
    before = client.get(reverse("awards:campaign-detail", args=[open_campaign.pk])).content.decode()
    assert reverse("awards:nomination-create", args=[open_campaign.pk]) in before
    nomination = _own(city, open_campaign)
    after = client.get(reverse("awards:campaign-detail", args=[open_campaign.pk])).content.decode()
    assert "已申报 · 待学校推荐" in after
    assert reverse("awards:nomination-create", args=[open_campaign.pk]) not in after
    detail = client.get(reverse("awards:nomination-detail", args=[nomination.pk])).content.decode()
    for action in ("修改申报", "撤回申报", "补充材料"):
        assert action in detail


def test_the_teacher_edits_her_nomination(city, login, open_campaign):
    nomination = _own(city, open_campaign, work_title="旧题目")
    client = login(city.teacher_user_a)
    page = client.get(reverse("awards:nomination-edit", args=[nomination.pk]))
    assert page.context["form"]["work_title"].value() == "旧题目"
    response = client.post(
        reverse("awards:nomination-edit", args=[nomination.pk]), {"work_title": "新题目", "summary": "补充事迹"}
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert (nomination.work_title, nomination.summary) == ("新题目", "补充事迹")


def test_the_teacher_adds_materials_and_withdraws(city, login, open_campaign):
    nomination = _own(city, open_campaign)
    client = login(city.teacher_user_a)
    upload = SimpleUploadedFile("补充.pdf", b"%PDF-1.4 more", content_type="application/pdf")
    client.post(reverse("awards:nomination-materials", args=[nomination.pk]), {"files": [upload]})
    assert NominationFile.objects.get(nomination=nomination).original_name == "补充.pdf"
    response = client.post(reverse("awards:nomination-withdraw", args=[nomination.pk]))
    assert response["Location"] == reverse("awards:campaign-detail", args=[open_campaign.pk])
    assert not Nomination.objects.exists() and not NominationFile.objects.exists()


def test_after_the_check_the_buttons_are_disabled_with_the_reason(city, login, open_campaign):
    nomination = _own(city, open_campaign)
    nomination.status = Nomination.Status.ELIGIBLE
    nomination.save()
    client = login(city.teacher_user_a)
    html = client.get(reverse("awards:nomination-detail", args=[nomination.pk])).content.decode()
    assert "教育局已完成资格审查，不能再修改或撤回。" in html
    assert 'disabled aria-describedby="why-change"' in html
    assert client.get(reverse("awards:nomination-edit", args=[nomination.pk])).status_code == 403
    client.post(reverse("awards:nomination-withdraw", args=[nomination.pk]))
    assert Nomination.objects.filter(pk=nomination.pk).exists()


def test_someone_elses_nomination_cannot_be_withdrawn(city, login, open_campaign):
    nomination = NominationFactory(campaign=open_campaign, teacher=city.teacher_b, status=Nomination.Status.SUBMITTED)
    assert (
        login(city.teacher_user_a).post(reverse("awards:nomination-withdraw", args=[nomination.pk])).status_code == 404
    )
    # The bureau sees it but did not file it.
    login(city.bureau).post(reverse("awards:nomination-withdraw", args=[nomination.pk]))
    assert Nomination.objects.filter(pk=nomination.pk).exists()


def test_a_refusal_is_shown_once_not_twice(city, login, open_campaign):
    _own(city, open_campaign)
    response = login(city.teacher_user_a).post(
        reverse("awards:nomination-create", args=[open_campaign.pk]), {"teacher": city.teacher_a.pk}
    )
    assert response.content.decode().count("不能重复申报") == 1


def test_announce_button_is_disabled_with_the_same_reason_the_action_gives(awards_world, city, login, monkeypatch):
    from django.utils import timezone

    from awards import services

    campaign = advance_to_notice(awards_world, city)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: campaign.notice_starts_on)
    client = login(city.bureau)
    html = client.get(reverse("awards:campaign-detail", args=[campaign.pk])).content.decode()
    reason = services.announce_blocker(campaign, today=campaign.notice_starts_on)
    assert reason and reason in html and 'disabled aria-describedby="why-announce"' in html
    response = client.post(reverse("awards:campaign-advance", args=[campaign.pk]), {"action": "announce"}, follow=True)
    assert reason in response.content.decode()
