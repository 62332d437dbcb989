"""Celery tasks of inspections: thin, idempotent."""

from celery import shared_task
from django.utils import timezone

from inspections import services


@shared_task(name="inspections.mark_overdue_rectifications")
def mark_overdue_rectifications() -> int:
    """Daily (beat): open rectification orders past their deadline become overdue. A second run the
    same day finds nothing to change."""
    return services.mark_overdue(today=timezone.localdate())
