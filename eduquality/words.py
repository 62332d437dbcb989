"""Words and numbers as every page, export and PDF of the portal prints them (issue 14 §7).

One place for each: a whole number without its decimals (满分 120, not 120.0), a star level as
stars, yes/no as 是/否, and the two words of a star rating that is not a number of stars:

- 未评定 (UNRATED): no rating yet — the school has no submitted visit in the year, a visit is not
  submitted yet;
- 未达星级 (BELOW_ONE_STAR): rated, but below the one-star line.

Pure functions over plain values; the template filters in `eduquality/templatetags/ui.py` wrap them.
"""

from decimal import Decimal, InvalidOperation

DASH = "—"
UNRATED = "未评定"
BELOW_ONE_STAR = "未达星级"
TOP_STAR_LEVEL = 5
STAR_WORDS = "一二三四五"
YES, NO = "是", "否"


def figure(value) -> str:
    """A mark, a line or a count as a reader writes it: 120.0 → '120', 97.50 → '97.5', 0.5 → '0.5';
    None or '' → '—'. Never an exponent (Decimal('1E+2') → '100')."""
    if value is None or value == "":
        return DASH
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):f}"
    return f"{number.normalize():f}"


def stars(level: int | None) -> str:
    """★★★☆☆ for three stars; 未达星级 for a rating below one star; 未评定 when there is no rating."""
    if level is None or level == "":
        return UNRATED
    level = int(level)
    if level <= 0:
        return BELOW_ONE_STAR
    level = min(level, TOP_STAR_LEVEL)
    return "★" * level + "☆" * (TOP_STAR_LEVEL - level)


def star_label(level: int | None) -> str:
    """A star level in words for documents: ★★★☆☆（三星级）; the words alone below one star or unrated."""
    if level is None or level == "" or int(level) <= 0:
        return stars(level)
    return f"{stars(level)}（{STAR_WORDS[min(int(level), TOP_STAR_LEVEL) - 1]}星级）"


def yes_no(value) -> str:
    """是 / 否 for a yes-or-no figure (filed as 1 or 0, or a boolean); None → '—'."""
    if value is None or value == "":
        return DASH
    return YES if Decimal(str(int(value) if isinstance(value, bool) else value)) >= 1 else NO
