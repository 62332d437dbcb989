"""The cockpit's inspection figures (see eduquality/figures.py): rectification orders by unit and state
with the overdue ones first, and the star levels of the latest rated school year."""

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from eduquality.figures import figure
from inspections import rules
from inspections.models import RectificationOrder, StarRating
from schools.dashboard import DISTRICT, SCHOOL, Scope

Order = RectificationOrder.Status


def order_states(today) -> list[tuple[str, str, str, Q]]:
    """The states the cockpit counts (value, label, colour, condition): an open order past its deadline
    counts as overdue even before the nightly run marks it so."""
    late = Q(status=Order.OVERDUE) | Q(status=Order.OPEN, deadline__lt=today)
    return [
        (Order.OVERDUE, Order.OVERDUE.label, "#c0392b", late),
        (Order.OPEN, Order.OPEN.label, "#e07b24", Q(status=Order.OPEN, deadline__gte=today)),
        (Order.ANSWERED, Order.ANSWERED.label, "#1f5fa8", Q(status=Order.ANSWERED)),
        (Order.VERIFIED, Order.VERIFIED.label, "#2e9d5b", Q(status=Order.VERIFIED)),
    ]


def order_figure(scope: Scope) -> dict:
    states = order_states(timezone.localdate())
    orders = RectificationOrder.objects.filter(**scope.filter()).order_by()
    list_url = reverse("inspections:order-list")
    district_query = f"&district={scope.district.pk}" if scope.level == DISTRICT else ""
    if scope.level == SCHOOL:
        totals = orders.aggregate(**{value: Count("pk", filter=q) for value, _, _, q in states})
        facts = [
            {"label": label, "value": totals[value], "url": f"{list_url}?status={value}", "tone": tone}
            for (value, label, _, _), tone in zip(states, ("danger", "warning", "", "success"), strict=True)
        ]
        return figure(
            key="orders",
            title="整改通知",
            order=30,
            facts=facts if any(totals.values()) else [],
            links=[("整改看板", list_url)],
            empty="没有整改通知。",
        )
    rows = orders.values(scope.group_field()).annotate(**{value: Count("pk", filter=q) for value, _, _, q in states})
    by_unit = {row[scope.group_field()]: row for row in rows}
    units = [u for u in scope.units if u.pk in by_unit] if scope.level == DISTRICT else list(scope.units)
    series = [
        {"name": label, "data": [by_unit.get(u.pk, {}).get(value, 0) for u in units], "color": color}
        for value, label, color, _ in states
    ]
    overdue = sum(series[0]["data"])
    return figure(
        key="orders",
        title=f"整改通知（各{scope.unit_name}，按状态）",
        chart="stack",
        order=30,
        categories=[u.label for u in units],
        series=series,
        urls=[u.url for u in units],
        axis="份",
        horizontal=scope.level == DISTRICT,
        facts=[
            {
                "label": "逾期未整改",
                "value": overdue,
                "url": f"{list_url}?status=overdue{district_query}",
                "tone": "danger",
            },
            {
                "label": "待核查",
                "value": sum(series[2]["data"]),
                "url": f"{list_url}?status=answered{district_query}",
                "tone": "warning",
            },
        ],
        links=[("整改看板", f"{list_url}?{district_query[1:]}" if district_query else list_url)],
        empty="没有整改通知。",
    )


def star_figure(scope: Scope) -> dict:
    """Schools per star level (未达星级, 1–5星) of the latest rated school year; a school its own levels."""
    ratings = StarRating.objects.filter(**scope.filter())
    if scope.level == SCHOOL:
        own = list(ratings.order_by("-start_year").values_list("start_year", "star_level", "target_level")[:3])
        facts = [
            {
                "label": rules.school_year_label(year),
                "value": rules.stars(level),
                "url": reverse("inspections:school-history", args=[scope.school.pk]),
                "tone": "danger" if level < target else "success",
            }
            for year, level, target in own
        ]
        return figure(
            key="stars",
            title="教学常规星级",
            order=40,
            facts=facts,
            links=[("督导档案", reverse("inspections:school-history", args=[scope.school.pk]))],
            empty="尚未评定星级。",
        )
    year = StarRating.objects.aggregate(year=Max("start_year"))["year"]
    counts = dict(ratings.filter(start_year=year).order_by().values_list("star_level").annotate(n=Count("pk")))
    levels = range(6)
    table_url = reverse("inspections:star-table")
    district_query = f"&district={scope.district.pk}" if scope.level == DISTRICT else ""
    return figure(
        key="stars",
        title=f"星级分布（{rules.school_year_label(year)}）" if year else "星级分布",
        chart="bar",
        order=40,
        categories=[rules.stars(n) if n == 0 else "★" * n for n in levels],
        series=[{"name": "学校数", "data": [counts.get(n, 0) for n in levels]}],
        urls=[f"{table_url}?year={year}&star_level={n}{district_query}" for n in levels],
        axis="所",
        links=[("星级学校", f"{table_url}?year={year}{district_query}" if year else table_url)],
        empty="尚未评定星级。",
    )
