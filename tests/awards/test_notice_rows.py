"""The 公示 as a reader checks it (issue 14 §7): every row carries its 学科 and 成果名称, a school-level
entry names the school, and bureau staff — who resolve objections — are not offered the objection form."""

import pytest
from django.urls import reverse
from django.utils import timezone

from awards import rules, services
from awards.models import Campaign
from schools.models import Subject
from tests.awards.factories import NOTICE_DAY, CampaignFactory, NominationFactory, campaign_type


@pytest.fixture
def research_notice(city):
    """优秀教科研成果 in its notice period: school A's school-level entry (filed by 甲老师) and 乙老师's own."""
    campaign = CampaignFactory(
        campaign_type=campaign_type("research-result"),
        name="2026年优秀教科研成果评选",
        stage=Campaign.Stage.NOTICE,
        notice_starts_on=NOTICE_DAY,
        notice_ends_on=NOTICE_DAY.replace(day=12),
    )
    school_entry = NominationFactory(
        campaign=campaign, teacher=city.teacher_a, level="学校", work_title="作业设计校本研究", prize="一等奖"
    )
    city.teacher_b.subjects.add(Subject.objects.get(code="SX"))
    own_entry = NominationFactory(  # filed without a subject: the teacher's own subject is listed
        campaign=campaign, teacher=city.teacher_b, level="教师个人", work_title="大单元教学实践", prize="二等奖"
    )
    return campaign, school_entry, own_entry


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("</tr>") if "<td>" in row]


def test_notice_rows_carry_subject_and_title_and_a_school_entry_names_the_school(research_notice, city, login):
    campaign, _, _ = research_notice
    page = login(city.teacher_user_a).get(reverse("awards:notice", args=[campaign.pk])).content.decode()
    assert "<th>学科</th>" in page and "<th>成果名称</th>" in page
    school_row, own_row = _rows(page)
    assert "<td>甲小学</td><td>甲小学</td>" in school_row  # the school wins, not the teacher who filed it
    assert "甲老师" not in school_row and "作业设计校本研究" in school_row
    assert "<td>乙老师</td><td>乙小学</td><td>数学</td><td>大单元教学实践</td>" in own_row


@pytest.mark.parametrize(
    ("has_teacher", "level", "school"),
    [
        (False, "", True),
        (True, "学校", True),
        (True, "教研组（年级组）", False),
        (True, "教师个人", False),
        (True, "", False),
    ],
)
def test_names_the_school(has_teacher, level, school):
    assert rules.names_the_school(has_teacher=has_teacher, level=level) is school


def test_bureau_staff_are_not_offered_the_objection_form_and_cannot_lodge_one(
    research_notice, city, login, monkeypatch
):
    campaign, school_entry, _ = research_notice
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: NOTICE_DAY)
    url = reverse("awards:notice", args=[campaign.pk])
    assert "提交异议" in login(city.teacher_user_a).get(url).content.decode()
    assert "提交异议" not in login(city.bureau).get(url).content.decode()
    refused = login(city.bureau).post(
        reverse("awards:objection-create", args=[campaign.pk]),
        {"nomination": school_entry.pk, "text": "名单有误"},
        follow=True,
    )
    assert "不能提出异议" in refused.content.decode()
    assert not campaign.objections.exists()
    with pytest.raises(services.AwardError):
        services.lodge_objection(campaign=campaign, nomination=None, text="名单有误", by=city.bureau, today=NOTICE_DAY)
