import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from awards import services
from awards.models import Assignment, Campaign, Holiday, Nomination, NominationFile, Objection, Score
from schools.models import Honour, Subject, TeacherHonour
from tests.awards.conftest import advance_to_notice, score_all
from tests.awards.factories import AFTER_NOTICE, NOTICE_DAY, TODAY, CampaignFactory, NominationFactory, campaign_type
from tests.factories import TeacherFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def pdf_upload(name="事迹材料.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def data_for(teacher, **extra):
    return services.NominationInput(teacher=teacher, school=teacher.school, **extra)


@pytest.fixture
def campaign(city, kind):
    return CampaignFactory(campaign_type=kind)


def test_teacher_nominates_self_principal_endorses_bureau_checks(city, campaign):
    nomination = services.nominate(
        campaign=campaign,
        data=data_for(city.teacher_a, work_title="立德树人"),
        files=[pdf_upload()],
        by=city.teacher_user_a,
        today=TODAY,
    )
    assert nomination.status == Nomination.Status.SUBMITTED
    assert nomination.files.get().original_name == "事迹材料.pdf"
    services.endorse(nomination=nomination, by=city.principal_a)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.ENDORSED
    services.check_eligibility(nomination=nomination, passed=True, note="", by=city.bureau)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.ELIGIBLE


def test_a_word_material_with_macros_is_refused_like_a_workbook_and_nothing_is_stored(city, campaign):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"macro")
    upload = SimpleUploadedFile("事迹.docx", buffer.getvalue(), content_type="application/octet-stream")
    with pytest.raises(services.AwardError, match="宏"):
        services.nominate(
            campaign=campaign, data=data_for(city.teacher_a), files=[upload], by=city.teacher_user_a, today=TODAY
        )
    assert not Nomination.objects.filter(campaign=campaign).exists()


def test_a_nomination_by_the_school_leader_is_already_endorsed(city, campaign):
    nomination = services.nominate(campaign=campaign, data=data_for(city.teacher_a), by=city.principal_a, today=TODAY)
    assert nomination.status == Nomination.Status.ENDORSED
    assert nomination.endorsed_by == city.principal_a


def test_principal_of_another_school_cannot_endorse(city, campaign):
    nomination = services.nominate(
        campaign=campaign, data=data_for(city.teacher_a), by=city.teacher_user_a, today=TODAY
    )
    with pytest.raises(services.AwardError, match="所在学校"):
        services.endorse(nomination=nomination, by=city.principal_b)


def test_principal_cannot_nominate_another_schools_teacher(city, campaign):
    with pytest.raises(services.AwardError, match="本校教师"):
        services.nominate(campaign=campaign, data=data_for(city.teacher_b), by=city.principal_a, today=TODAY)


@pytest.mark.parametrize(
    ("day", "message"), [(TODAY.replace(day=1, month=4), "尚未开始"), (TODAY.replace(month=6, day=1), "截止")]
)
def test_nomination_outside_the_window_is_refused(city, campaign, day, message):
    with pytest.raises(services.AwardError, match=message):
        services.nominate(
            campaign=campaign, data=data_for(city.teacher_a), files=[pdf_upload()], by=city.principal_a, today=day
        )
    assert not Nomination.objects.exists() and not NominationFile.objects.exists()


def test_second_nomination_of_the_same_teacher_is_refused(city, campaign):
    services.nominate(campaign=campaign, data=data_for(city.teacher_a), by=city.teacher_user_a, today=TODAY)
    with pytest.raises(services.AwardError, match="不能重复申报"):
        services.nominate(campaign=campaign, data=data_for(city.teacher_a), by=city.principal_a, today=TODAY)
    assert Nomination.objects.count() == 1


def test_nomination_over_the_schools_quota_is_refused(city, campaign):
    assert campaign.campaign_type.max_per_school == 2
    others = [TeacherFactory(school=city.school_a) for _ in range(3)]
    for teacher in others[:2]:
        services.nominate(campaign=campaign, data=data_for(teacher), by=city.principal_a, today=TODAY)
    with pytest.raises(services.AwardError, match="名额（2个）已用完"):
        services.nominate(
            campaign=campaign, data=data_for(others[2]), files=[pdf_upload()], by=city.principal_a, today=TODAY
        )
    assert Nomination.objects.count() == 2
    assert NominationFile.objects.count() == 0


def test_ineligible_nominee_is_refused_with_the_reasons(city):
    chief = CampaignFactory(campaign_type=campaign_type("chief-teacher"))
    with pytest.raises(services.AwardError) as refused:
        services.nominate(
            campaign=chief,
            data=data_for(city.teacher_a, subject=city.group_a.subject),
            by=city.principal_a,
            today=TODAY,
        )
    assert "仅限市直学校" in refused.value.message
    assert "学科带头人" in refused.value.message
    assert not Nomination.objects.exists()


def test_eligible_chief_teacher_is_accepted(city):
    chief = CampaignFactory(campaign_type=campaign_type("chief-teacher"))
    city.school_a.is_city_direct = True
    city.school_a.save()
    TeacherHonour.objects.create(teacher=city.teacher_a, honour=Honour.objects.get(name="骨干教师"), year=2024)
    nomination = services.nominate(
        campaign=chief, data=data_for(city.teacher_a, subject=city.group_a.subject), by=city.principal_a, today=TODAY
    )
    assert nomination.school_category == "21"


def test_a_disguised_file_refuses_the_whole_nomination(city, campaign):
    files = [pdf_upload(), pdf_upload("木马.pdf", b"MZ\x90\x00 not a pdf")]
    with pytest.raises(services.AwardError, match="内容与扩展名不符"):
        services.nominate(
            campaign=campaign, data=data_for(city.teacher_a), files=files, by=city.teacher_user_a, today=TODAY
        )
    assert not Nomination.objects.exists() and not NominationFile.objects.exists()


def test_judging_never_assigns_a_judge_their_own_school(awards_world, city):
    own = Assignment.objects.filter(judge=awards_world.judge_a, nomination=awards_world.nomination_a)
    assert not own.exists()
    assert Assignment.objects.filter(nomination=awards_world.nomination_a).count() == 5
    assert Assignment.objects.filter(nomination=awards_world.nomination_b).count() == 5


def test_open_judging_refuses_while_nominations_await_checks(city, campaign):
    NominationFactory(campaign=campaign, teacher=city.teacher_a, status=Nomination.Status.ENDORSED)
    with pytest.raises(services.AwardError, match="未完成学校推荐或资格审查"):
        services.open_judging(campaign=campaign, by=city.bureau, today=TODAY.replace(month=6, day=1))


def test_score_outside_the_range_is_refused_and_nothing_saved(awards_world):
    assignment = Assignment.objects.filter(nomination=awards_world.nomination_a).select_related("judge__user").first()
    criteria = list(awards_world.campaign.criteria.all())
    values = {c.pk: Decimal("1") for c in criteria}
    values[criteria[-1].pk] = criteria[-1].max_score + 1
    with pytest.raises(services.AwardError, match="得分应在 0 至"):
        services.save_scores(assignment=assignment, values=values, by=assignment.judge.user)
    assert not Score.objects.exists()


def test_judge_cannot_score_a_nomination_not_assigned_to_them(awards_world):
    assignment = Assignment.objects.filter(nomination=awards_world.nomination_a).first()
    outsider = awards_world.judge_a.user
    values = {c.pk: Decimal("1") for c in awards_world.campaign.criteria.all()}
    with pytest.raises(services.AwardError, match="未分配给您"):
        services.save_scores(assignment=assignment, values=values, by=outsider)
    assert not Score.objects.exists()


def test_rescoring_replaces_the_judges_own_scores(awards_world):
    assignment = Assignment.objects.filter(nomination=awards_world.nomination_a).select_related("judge__user").first()
    criteria = list(awards_world.campaign.criteria.all())
    services.save_scores(assignment=assignment, values={c.pk: Decimal("1") for c in criteria}, by=assignment.judge.user)
    services.save_scores(assignment=assignment, values={c.pk: Decimal("2") for c in criteria}, by=assignment.judge.user)
    assert list(Score.objects.values_list("value", flat=True).distinct()) == [Decimal("2.0")]


def test_results_trim_the_extremes_and_rank(awards_world, city):
    # Judges 0..4 score everything; judge0 very low, judge4 very high: both dropped.
    criteria = list(awards_world.campaign.criteria.all())
    per = {
        "judge0": Decimal("0"),
        "judge1": Decimal("5"),
        "judge2": Decimal("6"),
        "judge3": Decimal("7"),
        "judge4": Decimal("20"),
    }
    for assignment in Assignment.objects.filter(nomination__campaign=awards_world.campaign).select_related(
        "judge__user"
    ):
        value = per.get(assignment.judge.user.username, Decimal("5"))
        services.save_scores(assignment=assignment, values={c.pk: value for c in criteria}, by=assignment.judge.user)
    services.compute_results(campaign=awards_world.campaign, by=city.bureau)
    awards_world.nomination_b.refresh_from_db()
    # B is judged by judge0..4 (judge_a is from school A so may judge B; judges sorted by load).
    totals = sorted(
        sum(per.get(a.judge.user.username, Decimal("5")) for _ in criteria)
        for a in Assignment.objects.filter(nomination=awards_world.nomination_b).select_related("judge__user")
    )
    expected = (sum(totals[1:-1]) / len(totals[1:-1])).quantize(Decimal("0.01"))
    assert awards_world.nomination_b.final_score == expected
    assert awards_world.nomination_b.judge_count == 5
    assert awards_world.nomination_b.rank in (1, 2)


def test_chief_teacher_quota_is_two_per_subject_and_school_category(city, reference_data):
    chief = CampaignFactory(campaign_type=campaign_type("chief-teacher"), judges_per_nomination=1)
    subject = city.group_a.subject
    nominations = [
        NominationFactory(campaign=chief, teacher=TeacherFactory(school=city.school_a), subject=subject)
        for _ in range(4)
    ]
    judge_user = city.inspector
    services.add_judge(campaign=chief, user=judge_user, by=city.bureau)
    services.open_judging(campaign=chief, by=city.bureau, today=TODAY.replace(month=6, day=1))
    criteria = list(chief.criteria.all())
    for index, assignment in enumerate(Assignment.objects.filter(nomination__campaign=chief).order_by("nomination_id")):
        services.save_scores(assignment=assignment, values={c.pk: Decimal(index + 1) for c in criteria}, by=judge_user)
    services.compute_results(campaign=chief, by=city.bureau)
    winners = list(Nomination.objects.filter(campaign=chief).exclude(prize="").order_by("rank"))
    assert [w.pk for w in winners] == [nominations[3].pk, nominations[2].pk]
    assert {w.prize for w in winners} == {"学科首席教师"}


def test_notice_runs_for_working_days_from_the_holiday_table(awards_world, city):
    Holiday.objects.create(date=NOTICE_DAY.replace(day=10), name="测试假日")
    campaign = advance_to_notice(awards_world, city)
    assert campaign.stage == Campaign.Stage.NOTICE
    assert (campaign.notice_starts_on, campaign.notice_ends_on) == (NOTICE_DAY, NOTICE_DAY.replace(day=15))


def test_notice_cannot_start_before_every_judge_scored(awards_world, city):
    services.compute_results(campaign=awards_world.campaign, by=city.bureau)
    with pytest.raises(services.AwardError, match="未评分"):
        services.start_notice(campaign=awards_world.campaign, by=city.bureau, today=NOTICE_DAY)


def test_notice_refuses_stale_results(awards_world, city):
    services.compute_results(campaign=awards_world.campaign, by=city.bureau)
    score_all(awards_world)
    with pytest.raises(services.AwardError, match="重新计算"):
        services.start_notice(campaign=awards_world.campaign, by=city.bureau, today=NOTICE_DAY)


def test_objection_during_notice_is_recorded_and_after_it_refused(awards_world, city):
    campaign = advance_to_notice(awards_world, city)
    objection = services.lodge_objection(
        campaign=campaign,
        nomination=awards_world.nomination_a,
        text="材料不实",
        by=city.teacher_user_a,
        today=NOTICE_DAY,
    )
    assert objection.status == Objection.Status.OPEN
    with pytest.raises(services.AwardError, match="公示期已于2026年6月12日结束"):
        services.lodge_objection(campaign=campaign, nomination=None, text="晚了", by=city.nobody, today=AFTER_NOTICE)
    assert Objection.objects.count() == 1


def test_announcement_waits_for_the_notice_and_the_objections(awards_world, city):
    campaign = advance_to_notice(awards_world, city)
    with pytest.raises(services.AwardError, match="公示期满后"):
        services.announce(campaign=campaign, by=city.bureau, today=NOTICE_DAY)
    objection = services.lodge_objection(
        campaign=campaign, nomination=awards_world.nomination_b, text="不实", by=city.principal_a, today=NOTICE_DAY
    )
    with pytest.raises(services.AwardError, match="1 条异议未处理"):
        services.announce(campaign=campaign, by=city.bureau, today=AFTER_NOTICE)
    services.resolve_objection(objection=objection, upheld=True, resolution="经核实，材料不实。", by=city.bureau)
    assert services.announce(campaign=campaign, by=city.bureau, today=AFTER_NOTICE) == 1
    awards_world.nomination_b.refresh_from_db()
    assert awards_world.nomination_b.prize == "" and awards_world.nomination_b.status == Nomination.Status.INELIGIBLE


def test_announcement_records_the_honour_on_the_teacher(announced_world, city):
    record = TeacherHonour.objects.get(teacher=city.teacher_a, year=2026)
    assert record.honour.name == "优秀教师"
    assert record.source == announced_world.campaign.name
    assert announced_world.nomination_a.certificate_number.startswith("2026")
    assert announced_world.campaign.announced_on == AFTER_NOTICE


def test_chief_teachers_get_the_one_off_bonus_and_are_chosen_every_two_years(city):
    from awards.models import Campaign as CampaignModel

    kind = campaign_type("chief-teacher")
    services.create_campaign(
        campaign=CampaignModel(
            campaign_type=kind, name="2026年首席", year=2026, nomination_opens=TODAY, nomination_closes=TODAY
        ),
        by=city.bureau,
    )
    with pytest.raises(services.AwardError, match="每 2 年举行一次"):
        services.create_campaign(
            campaign=CampaignModel(
                campaign_type=kind, name="2027年首席", year=2027, nomination_opens=TODAY, nomination_closes=TODAY
            ),
            by=city.bureau,
        )
    assert kind.bonus_amount == Decimal("5000.00")


def _scored_campaign(city, size: int):
    campaign = CampaignFactory(campaign_type=campaign_type("research-result"), judges_per_nomination=1)
    for _ in range(size):
        NominationFactory(campaign=campaign, teacher=TeacherFactory(school=city.school_b), level="教师个人")
    services.add_judge(campaign=campaign, user=city.inspector, by=city.bureau)
    services.open_judging(campaign=campaign, by=city.bureau, today=TODAY.replace(month=6, day=1))
    criteria = list(campaign.criteria.all())
    for index, assignment in enumerate(Assignment.objects.filter(nomination__campaign=campaign)):
        services.save_scores(
            assignment=assignment, values={c.pk: Decimal(index % 10) for c in criteria}, by=city.inspector
        )
    return campaign


def test_computing_results_takes_the_same_queries_whatever_the_size(city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, large = _scored_campaign(city, 2), _scored_campaign(city, 12)
    with CaptureQueriesContext(connection) as few:
        services.compute_results(campaign=small)
    with CaptureQueriesContext(connection) as many:
        services.compute_results(campaign=large)
    assert len(few) == len(many) <= 8
    placed = Nomination.objects.filter(campaign=large).exclude(prize="")
    assert placed.count() == 6  # 一等奖 1 + 二等奖 2 + 三等奖 3 in the one level used
    assert list(placed.filter(prize="一等奖").values_list("final_score", flat=True)) == [Decimal("36.00")]


def test_results_are_listed_in_the_groups_they_were_ranked_in_whatever_else_differs(city):
    """A campaign ranked by level (教科研成果) lists one group per level, even when the nominations name
    different subjects; the page's and the workbook's group headers follow the same rule."""
    from awards import selectors

    research = CampaignFactory(campaign_type=campaign_type("research-result"))
    chinese, maths = (Subject.objects.get(code=code) for code in ("YW", "SX"))
    for level, subject in (("教师个人", chinese), ("教研组", maths), ("教师个人", maths), ("教研组", chinese)):
        NominationFactory(campaign=research, teacher=TeacherFactory(school=city.school_a), level=level, subject=subject)
    rows = list(selectors.results(research))
    assert [row.ranking_group_label for row in rows] == ["教师个人", "教师个人", "教研组", "教研组"]
    assert len({row.ranking_group for row in rows}) == 2
