"""Factories and small builders for the awards tests."""

from datetime import date
from decimal import Decimal

import factory

from awards.models import Campaign, CampaignType, Criterion, Judge, Nomination

TODAY = date(2026, 5, 11)  # a Monday, inside the nomination window (May 2026)
JUDGING_DAY = date(2026, 6, 1)
NOTICE_DAY = date(2026, 6, 8)  # Monday: five working days end on Friday 12th
AFTER_NOTICE = date(2026, 6, 15)


def campaign_type(code: str) -> CampaignType:
    """A campaign type of the catalogue (loaded by the data migration; reloaded after a flush)."""
    if not CampaignType.objects.filter(code=code).exists():
        from django.apps import apps

        from awards.catalogue import load_campaign_types

        load_campaign_types(apps)
    return CampaignType.objects.get(code=code)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    campaign_type = factory.LazyFunction(lambda: campaign_type("outstanding-teacher"))
    name = factory.Sequence(lambda n: f"2026年优秀教师评选{n}")
    year = 2026
    nomination_opens = date(2026, 5, 1)
    nomination_closes = date(2026, 5, 31)
    notice_working_days = 5
    judges_per_nomination = 5

    @factory.post_generation
    def criteria(campaign, create, extracted, **kwargs):
        items = extracted if extracted is not None else campaign.campaign_type.default_criteria
        for index, item in enumerate(items):
            Criterion.objects.create(
                campaign=campaign, name=item["name"], max_score=Decimal(str(item["max"])), order=index
            )


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    campaign = factory.SubFactory(CampaignFactory)
    teacher = None
    school = factory.LazyAttribute(lambda o: o.teacher.school if o.teacher else None)
    school_category = factory.LazyAttribute(lambda o: o.school.category_code)
    status = Nomination.Status.ELIGIBLE


class JudgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Judge

    campaign = factory.SubFactory(CampaignFactory)
    user = None
    school = None
