"""Number formats of the reports: rates as percentages, changes with their sign, blanks as a dash."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from eduquality import words
from eduquality.templatetags.ui import DASH, pct, points

register = template.Library()
# The portal's own formats, under the names the report templates use.
register.filter("pct", pct)
register.filter("signed_pct", points)  # a change of a rate in percentage points: 0.025 → '+2.5'
register.filter("figure", words.figure)  # a mark or points: 10.0 → '10', 7.5 → '7.5'


@register.filter
def num(value, places: int = 1) -> str:
    if value is None or value == "":
        return DASH
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-int(places)), ROUND_HALF_UP)}"


@register.filter
def signed(value) -> str:
    """A change: '+2.5', '-1.0', '0.0'."""
    if value is None:
        return DASH
    quantized = Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"+{quantized}" if quantized > 0 else f"{quantized}"
