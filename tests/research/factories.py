"""Builders for teaching-research records in tests, through the real service."""

from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from research import services
from research.defaults import load_defaults
from research.models import ActivityType
from tests.inspections.factories import routine_rubric


def defaults() -> None:
    routine_rubric()
    load_defaults(apps)


def kind(code: str) -> ActivityType:
    defaults()
    return ActivityType.objects.get(code=code)


def activity(*, by, level="group", code="lesson_prep", participants=(), days_ago=1, hours=None, length=2, **values):
    """An activity `days_ago` days ago at 14:00 lasting `length` hours."""
    start = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    data = {
        "level": level,
        "activity_type": kind(code),
        "starts_at": start,
        "ends_at": start + timedelta(hours=length),
        "hours": hours,
        "place": "会议室",
        "topic": "《草船借箭》集体备课",
        **values,
    }
    return services.save_activity(by=by, values=data, participant_ids=[t.pk for t in participants])
