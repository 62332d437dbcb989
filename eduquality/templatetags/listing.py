"""List helpers for templates: `{% load listing %}`.

`{% sort_header "deadline" "整改期限" %}` renders a column header that sorts the list by that column
(a second click reverses it); `{% page_numbers page as window %}` gives the page numbers to show.
"""

from django import template
from django.utils.html import format_html

from eduquality.listing import PAGE_SIZES, page_window, url_with

register = template.Library()

TONES = {"danger", "warning", "success", "info", "secondary", "primary", "light", "dark"}


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str) -> str:
    """A link that sorts by `key`: ascending first, descending when already sorted ascending by it.
    The view puts its `SortChoice` in the context as `sort`."""
    current = context.get("sort")
    request = context["request"]
    active = current is not None and current.key == key
    descending = active and not current.descending
    arrow = ("bi-sort-down" if current.descending else "bi-sort-up") if active else "bi-arrow-down-up opacity-25"
    return format_html(
        '<a class="sort-link text-reset text-decoration-none{}" href="{}" aria-sort="{}">{} <i class="bi {}"></i></a>',
        " fw-bold" if active else "",
        url_with(request.GET, sort=f"-{key}" if descending else key),
        ("descending" if current.descending else "ascending") if active else "none",
        label,
        arrow,
    )


@register.simple_tag
def page_numbers(page) -> list[int | None]:
    window = getattr(page, "window", None)
    return window if window is not None else page_window(page.number, page.paginator.num_pages)


@register.simple_tag
def page_sizes(page) -> tuple[int, ...]:
    return getattr(page, "sizes", PAGE_SIZES)


@register.filter
def badge(tone: str) -> str:
    """The Bootstrap classes of a coloured status badge: `{{ row.tone|badge }}`."""
    tone = tone if tone in TONES else "secondary"
    return f"badge text-bg-{tone}" + (" text-dark" if tone in {"warning", "light", "info"} else "")
