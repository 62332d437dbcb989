"""Builders for inspection records in tests: campaigns drawn through the real service, visits scored
through the real service, so the tests exercise the same path as the pages."""

from datetime import date
from decimal import Decimal

from django.apps import apps

from inspections import services
from inspections.defaults import load_defaults
from inspections.models import Campaign, Criterion, Rubric, Visit
from schools.models import Semester, Subject


def routine_rubric() -> Rubric:
    if not Rubric.objects.filter(kind="routine", is_current=True).exists():
        load_defaults(apps)
    return Rubric.objects.get(kind="routine", is_current=True)


def observation_form() -> Rubric:
    routine_rubric()
    return Rubric.objects.get(kind="observation", is_current=True)


def campaign(*, by, schools=(), inspectors=(), count=None, per_school=1, title="随机督导", **extra) -> Campaign:
    item = Campaign.objects.create(
        title=title,
        semester=Semester.objects.get(is_current=True),
        rubric=routine_rubric(),
        schools_to_draw=count or max(1, len(schools)),
        inspectors_per_school=per_school,
        created_by=by,
        **extra,
    )
    item.eligible_schools.set(schools)
    item.inspector_pool.set(inspectors)
    return item


def drawn_visit(*, by, school, inspector, title="随机督导") -> Visit:
    item = campaign(by=by, schools=[school], inspectors=[inspector], title=title)
    services.run_draw(campaign=item, by=by, seed="test-seed")
    return Visit.objects.get(campaign=item, school=school)


def full_scores(visit: Visit, fraction: Decimal = Decimal("1")) -> dict:
    """Every criterion scored at `fraction` of its maximum, rounded down to the half point."""
    scores = {}
    for criterion in Criterion.objects.filter(area__rubric=visit.rubric):
        points = (criterion.max_points * fraction * 2).to_integral_value(rounding="ROUND_FLOOR") / 2
        scores[criterion.pk] = str(points)
    return scores


def submitted_visit(*, by, school, inspector, fraction=Decimal("1"), visited_on=date(2026, 10, 15), title="随机督导"):
    visit = drawn_visit(by=by, school=school, inspector=inspector, title=title)
    visit, _ = services.save_visit(
        visit=visit,
        by=inspector,
        scores=full_scores(visit, fraction),
        evidence={},
        fields={"visited_on": visited_on, "suggestions": "落实集体备课制度"},
        submit=True,
    )
    return visit


def observation(*, by, teacher, level="school", fraction=Decimal("0.8"), client_uuid=None, **values):
    form = observation_form()
    scores = {c.pk: str(c.max_points * fraction) for c in Criterion.objects.filter(area__rubric=form)}
    data = {
        "teacher": teacher,
        "subject": Subject.objects.get(code="YW"),
        "observed_on": date(2026, 10, 20),
        "lesson_type": "routine",
        "topic": "草船借箭",
        "form": form,
        "semester": Semester.objects.get(is_current=True),
        **values,
    }
    item, _ = services.create_observation(by=by, level=level, values=data, scores=scores, client_uuid=client_uuid)
    return item


def late_order(*, by, school, visit=None, days_late: int = 10, today=None, items="一\n二"):
    """An order issued a month before its deadline, `days_late` days past that deadline today: issued
    in the past through the real service (an order can never be due before it was issued)."""
    from datetime import timedelta

    from django.utils import timezone

    today = today or timezone.localdate()
    deadline = today - timedelta(days=days_late)
    return services.create_order(
        school=school, visit=visit, items=items, deadline=deadline, by=by, today=deadline - timedelta(days=30)
    )
