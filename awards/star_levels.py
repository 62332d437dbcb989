"""The star-school levels from the inspections app, through a guarded adapter: when that app (or its
selector) is not there, there are simply no candidates, and the page says why."""

UNAVAILABLE_MESSAGE = "督导评估模块尚未提供教学常规星级评定结果，暂无可表彰的星级学校。"


def school_star_levels(*, school_year: str) -> dict[int, int] | None:
    """{school id: star level 0–5}, or None when the inspections app cannot tell."""
    try:
        from inspections.selectors import school_star_levels as provider
    except (ImportError, AttributeError):
        return None
    try:
        return {int(school): int(level) for school, level in provider(school_year=school_year).items()}
    except (AttributeError, TypeError, ValueError):
        return None


def school_year_of(year: int) -> str:
    """The school year a campaign of `year` looks at: the one that ended in that year (2025—2026 for 2026)."""
    return f"{year - 1}-{year}"
