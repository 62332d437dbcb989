"""A campaign world on top of the city personas: nominations of school A and B, judges, criteria."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from awards import services
from awards.models import Campaign, Nomination
from tests.awards.factories import (
    AFTER_NOTICE,
    JUDGING_DAY,
    NOTICE_DAY,
    CampaignFactory,
    NominationFactory,
    campaign_type,
)
from tests.factories import TeacherFactory, UserFactory, grant


@dataclass
class Awards:
    campaign: object
    nomination_a: object
    nomination_b: object
    judges: list
    judge_a: object  # a judge who teaches at school A


@pytest.fixture
def kind(db):
    return campaign_type("outstanding-teacher")


def make_judges(city, count: int = 5):
    users = []
    for index in range(count):
        user = UserFactory(username=f"judge{index}", full_name=f"评委{index}")
        grant(user, "inspector")
        users.append(user)
    return users


@pytest.fixture
def awards_world(city, kind) -> Awards:
    """A campaign in judging: A's and B's teacher nominated and eligible, five outside judges plus one of A."""
    campaign = CampaignFactory(campaign_type=kind)
    nomination_a = NominationFactory(campaign=campaign, teacher=city.teacher_a, nominated_by=city.teacher_user_a)
    nomination_b = NominationFactory(campaign=campaign, teacher=city.teacher_b)
    users = make_judges(city)
    judge_a_user = UserFactory(username="judge_a", full_name="甲校评委")
    grant(judge_a_user, "teacher", city.school_a)
    TeacherFactory(school=city.school_a, user=judge_a_user, name="甲校评委")
    judges = [services.add_judge(campaign=campaign, user=user, by=city.bureau) for user in users]
    judge_a = services.add_judge(campaign=campaign, user=judge_a_user, by=city.bureau)
    services.open_judging(campaign=campaign, by=city.bureau, today=JUDGING_DAY)
    campaign.refresh_from_db()
    return Awards(campaign, nomination_a, nomination_b, judges, judge_a)


def score_all(world: Awards, values_by_judge: dict | None = None) -> None:
    """Every assignment scored: each criterion at `value` (default 8 per criterion scaled)."""
    criteria = list(world.campaign.criteria.all())
    for assignment in _assignments(world.campaign):
        value = (values_by_judge or {}).get(assignment.judge.user.username)
        values = {
            c.pk: value if value is not None else (c.max_score * Decimal("0.8")).quantize(Decimal("0.1"))
            for c in criteria
        }
        services.save_scores(assignment=assignment, values=values, by=assignment.judge.user)


def _assignments(campaign):
    from awards.models import Assignment

    return Assignment.objects.filter(nomination__campaign=campaign).select_related("judge__user")


def advance_to_notice(world: Awards, city) -> Campaign:
    score_all(world)
    services.compute_results(campaign=world.campaign, by=city.bureau)
    return services.start_notice(campaign=world.campaign, by=city.bureau, today=NOTICE_DAY)


@pytest.fixture
def announced_world(awards_world, city) -> Awards:
    advance_to_notice(awards_world, city)
    services.announce(campaign=awards_world.campaign, by=city.bureau, today=AFTER_NOTICE)
    awards_world.campaign.refresh_from_db()
    for nomination in (awards_world.nomination_a, awards_world.nomination_b):
        nomination.refresh_from_db()
    assert Nomination.objects.filter(campaign=awards_world.campaign).exclude(prize="").count() == 2
    return awards_world
