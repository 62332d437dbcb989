"""Small formatting filters for tables of figures: `{% load ui %}`."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from eduquality import words
from eduquality.words import DASH

register = template.Library()

# Words and numbers (eduquality/words.py): {{ subject.full_marks|figure }} → 120,
# {{ rating.star_level|stars }} → ★★★☆☆ / 未达星级 / 未评定, {{ value|yes_no }} → 是 / 否.
register.filter("figure", words.figure)
register.filter("stars", words.stars)
register.filter("star_label", words.star_label)
register.filter("yes_no", words.yes_no)


@register.filter
def pct(share) -> str:
    """0.8567 → '85.7%'; None → '—'."""
    if share is None or share == "":
        return DASH
    return f"{(Decimal(share) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


@register.filter
def points(change) -> str:
    """A change of a rate in percentage points: 0.021 → '+2.1', -0.1 → '-10.0'; None → '—'."""
    if change is None:
        return DASH
    value = (Decimal(change) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"+{value}" if value > 0 else f"{value}"


@register.filter
def signed(number) -> str:
    """+1.50 / -2 / 0; None → '—'."""
    if number is None:
        return DASH
    return f"+{number}" if number > 0 else f"{number}"


@register.filter
def trend_class(number) -> str:
    """Bootstrap text colour of a change: gains green, losses red."""
    if number is None or number == 0:
        return "text-body-secondary"
    return "text-success" if number > 0 else "text-danger"


@register.filter
def dash(value):
    return DASH if value is None or value == "" else value
