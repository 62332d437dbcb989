"""Reads of the awards app, always scoped by user (the one place that decides who sees what)."""

from django.db.models import Count, Q, QuerySet

from awards.models import Assignment, Campaign, CampaignType, Judge, Nomination, Objection
from schools.models import Teacher
from schools.scoping import grants_of, is_bureau, school_leader_ids_for


def can_use_awards(user) -> bool:
    """Anyone with a role in the programme sees the campaigns; a signed-in user without one does not."""
    return is_bureau(user) or bool(grants_of(user))


def can_manage(user) -> bool:
    """Set up campaigns, check eligibility, run the judging, resolve objections: bureau staff."""
    return is_bureau(user)


def may_object(user) -> bool:
    """Who may lodge an objection (提出异议) to a notice: anyone but bureau staff, who run the
    selection and resolve the objections themselves."""
    return not can_manage(user)


def campaign_qs_for(*, user) -> QuerySet[Campaign]:
    if not can_use_awards(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("campaign_type")


def public_campaign_qs() -> QuerySet[Campaign]:
    """Campaigns whose winners are public: in their notice period or announced."""
    return Campaign.objects.select_related("campaign_type").filter(
        stage__in=[Campaign.Stage.NOTICE, Campaign.Stage.ANNOUNCED]
    )


def own_teacher(user) -> Teacher | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Teacher.objects.filter(user=user, is_active=True).select_related("school").first()


def nomination_qs_for(*, user) -> QuerySet[Nomination]:
    """Bureau: all. Principals and academic leads: their school's. Teachers: their own and the ones they
    filed. Judges: the ones assigned to them."""
    base = Nomination.objects.with_people()
    if is_bureau(user):
        return base
    if not can_use_awards(user):
        return base.none()
    judged = Assignment.objects.filter(judge__user=user).values("nomination_id")
    return base.filter(
        Q(school_id__in=school_leader_ids_for(user)) | Q(teacher__user=user) | Q(nominated_by=user) | Q(pk__in=judged)
    )


def assignment_qs_for(*, user) -> QuerySet[Assignment]:
    """A judge's own assignments, never anyone else's (bureau staff included)."""
    return Assignment.objects.filter(judge__user=user).select_related(
        "judge",
        "nomination__campaign__campaign_type",
        "nomination__teacher",
        "nomination__school",
        "nomination__subject",
    )


def judge_queue(*, user) -> QuerySet[Assignment]:
    return (
        assignment_qs_for(user=user)
        .filter(nomination__campaign__stage=Campaign.Stage.JUDGING)
        .annotate(scored=Count("scores"))
        .order_by("nomination__campaign", "submitted_at", "pk")
    )


def objection_qs_for(*, user) -> QuerySet[Objection]:
    base = Objection.objects.select_related(
        "campaign", "nomination__teacher", "nomination__school", "lodged_by", "resolved_by"
    )
    if is_bureau(user):
        return base
    return base.filter(lodged_by=user)


def can_see_scores(user, nomination: Nomination) -> bool:
    """Scores stay with the bureau until the announcement; then the nominee and their school see them."""
    if is_bureau(user):
        return True
    if nomination.campaign.stage != Campaign.Stage.ANNOUNCED:
        return False
    return nomination.school_id in school_leader_ids_for(user) or (
        nomination.teacher_id is not None and nomination.teacher.user_id == user.pk
    )


def can_endorse(user, nomination: Nomination) -> bool:
    return nomination.status == Nomination.Status.SUBMITTED and nomination.school_id in school_leader_ids_for(user)


def can_nominate(user, campaign: Campaign) -> bool:
    """School leaders nominate for their school; a teacher nominates themselves (teacher campaigns)."""
    if campaign.stage != Campaign.Stage.NOMINATING:
        return False
    if school_leader_ids_for(user):
        return True
    return campaign.campaign_type.nominee_kind == "teacher" and own_teacher(user) is not None


def nominee_teachers_for(user) -> QuerySet[Teacher]:
    """The teachers `user` may put forward: a school leader's whole school, or a teacher themselves."""
    leader_schools = school_leader_ids_for(user)
    return (
        Teacher.objects.filter(Q(school_id__in=leader_schools) | Q(user=user), is_active=True)
        .select_related("school")
        .order_by("school__code", "name")
    )


def certificate_qs_for(*, user) -> QuerySet[Nomination]:
    """Certificates of announced winners: the bureau's, a school leader's school's, a teacher's own."""
    base = (
        Nomination.objects.with_people()
        .filter(campaign__stage=Campaign.Stage.ANNOUNCED, status=Nomination.Status.ELIGIBLE)
        .exclude(certificate_number="")
    )
    if is_bureau(user):
        return base
    return base.filter(Q(school_id__in=school_leader_ids_for(user)) | Q(teacher__user=user))


def winners(campaign: Campaign) -> QuerySet[Nomination]:
    return (
        Nomination.objects.with_people()
        .prefetch_related("teacher__subjects")  # the 学科 of an entry filed without one
        .filter(campaign=campaign, status=Nomination.Status.ELIGIBLE)
        .exclude(prize="")
        .order_by("level", "subject__order", "-final_score", "pk")
    )


# The fields that order a campaign type's ranking groups (Nomination.ranking_group).
_GROUP_ORDER = {
    CampaignType.GroupBy.LEVEL: ("level",),
    CampaignType.GroupBy.SUBJECT_CATEGORY: ("subject__order", "subject_id", "school_category"),
}


def results(campaign: Campaign) -> QuerySet[Nomination]:
    """The eligible nominations group by group, as they were ranked, each group in rank order."""
    return (
        Nomination.objects.with_people()
        .filter(campaign=campaign, status=Nomination.Status.ELIGIBLE)
        .order_by(*_GROUP_ORDER.get(campaign.campaign_type.group_by, ()), "rank", "pk")
    )


def judge_of(user, campaign: Campaign) -> Judge | None:
    return Judge.objects.filter(campaign=campaign, user=user).first()
