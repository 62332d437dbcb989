"""The cockpit's figures (首页驾驶舱): plain dicts an app's `dashboard(user, params)` hook returns and
`templates/includes/dashboard.html` with static/js/dashboard.js draws (ECharts), each bar or point a
link one level down (全市 → 区县 → 学校 → 班级). Pure functions: no queries here.
"""

import json
from collections.abc import Iterable, Sequence

CHARTS = ("stack", "bar", "line")


def crosstab(counts: Iterable[tuple], units: Sequence, keys: Sequence[tuple[str, str]]) -> list[dict]:
    """Series of a stacked bar: one per key (value, label), one figure per unit, 0 where nothing counted.

    `counts` are (unit, key value, n) rows, as `.values_list(unit, key).annotate(n=Count(...))` gives;
    rows of units or keys not listed are left out."""
    table = {}
    for unit, key, n in counts:
        table[(unit, key)] = table.get((unit, key), 0) + n
    return [{"name": label, "data": [table.get((unit, value), 0) for unit in units]} for value, label in keys]


def percent(rate) -> float | None:
    """A stored rate (0–1, Decimal) as a percentage with one decimal, None when there is none."""
    return None if rate is None else round(float(rate) * 100, 1)


def figure(
    *,
    key: str,
    title: str,
    chart: str | None = None,
    categories: Sequence[str] = (),
    series: Sequence[dict] = (),
    urls: Sequence[str] = (),
    order: int = 50,
    axis: str = "",
    percent: bool = False,
    horizontal: bool = False,
    facts: Sequence[dict] = (),
    links: Sequence[tuple[str, str]] = (),
    note: str = "",
    empty: str = "暂无数据。",
    wide: bool = False,
) -> dict:
    """One card of the cockpit. `series` [{"name", "data": [one figure per category]}]; `urls` one link
    per category (where a click on its bar, point or label goes); `facts` small tiles
    [{"label", "value", "url", "tone"}] shown above the chart (or alone, without a chart)."""
    if chart is not None and chart not in CHARTS:
        raise ValueError(f"unknown chart {chart!r}")
    series = [dict(s) for s in series]
    for s in series:
        if len(s["data"]) != len(categories):
            raise ValueError(f"series {s['name']!r} has {len(s['data'])} figures for {len(categories)} categories")
    rows = [
        {"label": label, "url": urls[i] if urls else "", "values": [s["data"][i] for s in series]}
        for i, label in enumerate(categories)
    ]
    has_data = any(value for row in rows for value in row["values"])
    data = {
        "categories": list(categories),
        "series": series,
        "urls": list(urls),
        "axis": axis,
        "percent": percent,
        "horizontal": horizontal,
    }
    return {
        "key": key,
        "title": title,
        "order": order,
        "chart": chart if has_data else None,
        "data": data,
        "json": json.dumps(data, ensure_ascii=False),
        "columns": [s["name"] for s in series],
        "rows": rows,
        "facts": list(facts),
        "links": list(links),
        "note": note,
        "empty": empty if not (has_data or facts) else "",
        "wide": wide,
    }
