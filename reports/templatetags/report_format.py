"""Number formats of the reports: rates as percentages, changes with their sign, blanks as a dash."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()
DASH = "—"


@register.filter
def pct(value) -> str:
    """0.8567 → '85.7%'."""
    if value is None or value == "":
        return DASH
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


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


@register.filter
def signed_pct(value) -> str:
    """A change of a rate in percentage points: 0.025 → '+2.5'."""
    if value is None:
        return DASH
    return signed(Decimal(value) * 100)
