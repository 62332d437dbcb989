"""The awards rows of the URL × role matrix (see tests/matrix.py).

The inspector is the judge of the announced campaign, so they see the nomination assigned to them
(and nothing else); school A's nomination is teacher A's, so the teacher and A's leaders see it.
"""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import services
from awards.models import Assignment, Holiday, Nomination, Objection
from tests.awards.factories import (
    AFTER_NOTICE,
    JUDGING_DAY,
    NOTICE_DAY,
    CampaignFactory,
    NominationFactory,
    campaign_type,
)
from tests.matrix import ANY_ROLE, BUREAU_ONLY, POST_ONLY, statuses

SCHOOL_A_NOMINATION = statuses(200, nobody=403, group_leader=404)  # bureau, A's leaders, the nominee, its judge
CERTIFICATE = statuses(200, nobody=403, group_leader=404, inspector=404)
JUDGE_ONLY = statuses(404, nobody=403, inspector=200)
NOMINATORS = statuses(403, principal=200, academic_lead=200, teacher=200)

EXPECTED = {
    "awards:campaign-list": ANY_ROLE,
    "awards:campaign-create": BUREAU_ONLY,
    "awards:campaign-detail": ANY_ROLE,
    "awards:campaign-update": BUREAU_ONLY,
    "awards:campaign-advance": POST_ONLY,
    "awards:campaign-judges": BUREAU_ONLY,
    "awards:nomination-list": ANY_ROLE,
    "awards:nomination-export": ANY_ROLE,
    "awards:nomination-create": NOMINATORS,
    "awards:results": BUREAU_ONLY,
    "awards:results-export": BUREAU_ONLY,
    "awards:notice": statuses(200),  # public to anyone signed in
    "awards:objection-list": statuses(200),  # the bureau's all; anyone else their own
    "awards:objection-create": POST_ONLY,
    "awards:certificate-batch": POST_ONLY,
    "awards:nomination-detail": SCHOOL_A_NOMINATION,
    "awards:nomination-edit": statuses(403, group_leader=404),  # seen, but the campaign is over: no edit
    "awards:nomination-withdraw": POST_ONLY,
    "awards:nomination-materials": POST_ONLY,
    "awards:nomination-endorse": POST_ONLY,
    "awards:nomination-check": POST_ONLY,
    "awards:certificate": CERTIFICATE,
    "awards:material-download": SCHOOL_A_NOMINATION,
    "awards:objection-resolve": POST_ONLY,
    "awards:judge-queue": ANY_ROLE,
    "awards:score": JUDGE_ONLY,
    "awards:holiday-list": BUREAU_ONLY,
}


def build(city) -> dict:
    kind = campaign_type("outstanding-teacher")
    announced = CampaignFactory(campaign_type=kind, judges_per_nomination=1)
    nomination = NominationFactory(campaign=announced, teacher=city.teacher_a)
    NominationFactory(campaign=announced, teacher=city.teacher_b)
    material = nomination.files.create(
        file=SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test"), original_name="材料.pdf", size=13
    )
    services.add_judge(campaign=announced, user=city.inspector, by=city.bureau)
    services.open_judging(campaign=announced, by=city.bureau, today=JUDGING_DAY)
    criteria = list(announced.criteria.all())
    for assignment in Assignment.objects.filter(nomination__campaign=announced):
        services.save_scores(assignment=assignment, values={c.pk: c.max_score for c in criteria}, by=city.inspector)
    services.compute_results(campaign=announced, by=city.bureau)
    services.start_notice(campaign=announced, by=city.bureau, today=NOTICE_DAY)
    objection = Objection.objects.create(campaign=announced, nomination=nomination, text="测试", lodged_by=city.nobody)
    services.resolve_objection(objection=objection, upheld=False, resolution="不成立", by=city.bureau)
    services.announce(campaign=announced, by=city.bureau, today=AFTER_NOTICE)
    open_campaign = CampaignFactory(
        campaign_type=kind, nomination_opens=date(2000, 1, 1), nomination_closes=date(2099, 12, 31)
    )
    Holiday.objects.create(date=date(2026, 10, 1), name="国庆节")
    return {
        "announced": announced,
        "open": open_campaign,
        "nomination": Nomination.objects.get(pk=nomination.pk),
        "material": material,
        "objection": objection,
        "assignment": Assignment.objects.get(nomination=nomination),
    }


def url(name: str, objects: dict) -> str:
    short = name.split(":")[1]
    if short in {"campaign-list", "campaign-create", "judge-queue", "holiday-list"}:
        return reverse(name)
    if short == "nomination-create":
        return reverse(name, kwargs={"pk": objects["open"].pk})
    if short in {
        "nomination-detail",
        "nomination-edit",
        "nomination-withdraw",
        "nomination-materials",
        "nomination-endorse",
        "nomination-check",
        "certificate",
    }:
        return reverse(name, kwargs={"pk": objects["nomination"].pk})
    if short == "material-download":
        return reverse(name, kwargs={"pk": objects["material"].pk})
    if short == "objection-resolve":
        return reverse(name, kwargs={"pk": objects["objection"].pk})
    if short == "score":
        return reverse(name, kwargs={"pk": objects["assignment"].pk})
    return reverse(name, kwargs={"pk": objects["announced"].pk})
