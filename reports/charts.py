"""Small SVG charts drawn on the server, for the PDF (WeasyPrint draws inline SVG) and the page.

Pure functions: values in, markup out. Every label is escaped; every id inside a chart starts with
the caller's prefix, since one document holds many charts and SVG ids share the document's namespace.
"""

from collections.abc import Sequence
from decimal import Decimal
from math import log10

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#2f5597", "#c55a11", "#548235", "#7f6000", "#7030a0", "#1f7f8f")
Number = int | float | Decimal | None


def nice_ceiling(value: float) -> float:
    """The smallest 1/2/2.5/5 × 10^n at or above `value` (an axis maximum a reader likes)."""
    if value <= 0:
        return 1.0
    exponent = 10 ** int(log10(value) // 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent + 1e-9:
            return step * exponent
    return 10 * exponent


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    id_prefix: str,
    title: str = "",
    unit: str = "",
    max_value: float | None = None,
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Grouped vertical bars: one group per category, one bar per series."""
    values = [float(v) for _, vs in series for v in vs if v is not None]
    top = max_value if max_value is not None else nice_ceiling(max(values, default=0))
    left, right, top_pad, bottom = 48, 12, 34 if title else 14, 46
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(28.0, group_w * 0.8 / max(len(series), 1))
    parts = [_open(id_prefix, width, height, title)]
    parts += _axis(left, top_pad, plot_w, plot_h, top, unit)
    for s_index, (_name, vals) in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        for c_index, value in enumerate(vals):
            if value is None:
                continue
            h = plot_h * min(float(value), top) / top if top else 0
            x = left + group_w * c_index + (group_w - bar_w * len(series)) / 2 + bar_w * s_index
            y = top_pad + plot_h - h
            parts.append(
                f'<rect id="{id_prefix}-bar-{s_index}-{c_index}" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y - 3:.1f}" font-size="8" text-anchor="middle">'
                f"{_fmt(float(value))}</text>"
            )
    parts += _category_labels(categories, left, top_pad + plot_h, group_w)
    parts += _legend([name for name, _ in series], left, height - 12)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    id_prefix: str,
    title: str = "",
    unit: str = "",
    max_value: float | None = None,
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """One polyline per series over the categories (e.g. a score-band distribution)."""
    values = [float(v) for _, vs in series for v in vs if v is not None]
    top = max_value if max_value is not None else nice_ceiling(max(values, default=0))
    left, right, top_pad, bottom = 48, 12, 34 if title else 14, 46
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    step = plot_w / max(len(categories), 1)
    parts = [_open(id_prefix, width, height, title)]
    parts += _axis(left, top_pad, plot_w, plot_h, top, unit)
    for s_index, (_name, vals) in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        points = [
            (left + step * (i + 0.5), top_pad + plot_h - plot_h * min(float(v), top) / top)
            for i, v in enumerate(vals)
            if v is not None and top
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline id="{id_prefix}-line-{s_index}" points="{path}" fill="none" stroke="{colour}" '
                f'stroke-width="2"/>'
            )
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in points]
    parts += _category_labels(categories, left, top_pad + plot_h, step)
    parts += _legend([name for name, _ in series], left, height - 12)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _open(id_prefix: str, width: int, height: int, title: str) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id_prefix}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="Noto Sans CJK SC, sans-serif" aria-labelledby="{id_prefix}-title">'
        f'<title id="{id_prefix}-title">{escape(title or "图表")}</title>'
    )
    if title:
        head += (
            f'<text x="{width / 2:.0f}" y="18" font-size="12" font-weight="bold" text-anchor="middle">'
            f"{escape(title)}</text>"
        )
    return head


def _axis(left: float, top: float, w: float, h: float, top_value: float, unit: str) -> list[str]:
    parts = []
    for i in range(5):
        y = top + h - h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w:.1f}" y2="{y:.1f}" stroke="#d9d9d9"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="8" text-anchor="end">'
            f"{_fmt(top_value * i / 4)}{escape(unit)}</text>"
        )
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h:.1f}" stroke="#595959"/>')
    return parts


def _category_labels(categories: Sequence[str], left: float, baseline: float, step: float) -> list[str]:
    size = 9 if step >= 40 else 7
    return [
        f'<text x="{left + step * (i + 0.5):.1f}" y="{baseline + 12:.1f}" font-size="{size}" text-anchor="middle">'
        f"{escape(_clip(label, max(2, step / size)))}</text>"
        for i, label in enumerate(categories)
    ]


def _em_width(char: str) -> float:
    """A character's advance in ems: CJK glyphs are square, Latin digits and signs about 0.6 em."""
    return 1.0 if ord(char) >= 0x2E80 else 0.6


def _clip(text: str, width_em: float) -> str:
    """The text cut with an ellipsis to fit `width_em` ems (a band label "[10, 20)" fits where four
    Chinese characters do)."""
    if sum(map(_em_width, text)) <= width_em:
        return text
    used, kept = 1.0, []  # the ellipsis takes about one em
    for char in text:
        used += _em_width(char)
        if used > width_em:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _legend(names: Sequence[str], left: float, y: float) -> list[str]:
    parts, x = [], left
    for index, name in enumerate(names):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x:.0f}" y="{y - 8:.0f}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14:.0f}" y="{y + 1:.0f}" font-size="9">{escape(name)}</text>')
        x += 24 + 10 * len(name)
    return parts
