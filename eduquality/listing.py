"""What every list page shares: a pager with page numbers and a page size, sorting by clickable
column headers, sorting by urgency, and summary cards that filter when clicked.

Pure helpers (`page_window`, `page_size_of`, `sort_param`, `urgency_key`) are unit-tested;
`paginate` and `summary_cards` wire them to a request. Core code: no app imports.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

PAGE_SIZES = (10, 25, 50, 100)  # 每页条数 offered under every list


def page_size_of(value, *, default: int, sizes: Sequence[int] = PAGE_SIZES) -> int:
    """The page size asked for in the query string, or `default` when absent or not offered
    (a typed `size=100000` must not load a whole table)."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return default
    return size if size in sizes else default


def page_window(current: int, total: int, *, radius: int = 2) -> list[int | None]:
    """The page numbers to show: always the first and the last, `radius` pages either side of the
    current one, and None for a gap (shown as “…”). A gap of exactly one page shows that page
    instead, since “…” would take as much room."""
    if total <= 0:
        return []
    current = min(max(current, 1), total)
    shown = {1, total, *range(max(1, current - radius), min(total, current + radius) + 1)}
    window: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous == 2:
            window.append(number - 1)
        elif number - previous > 2:
            window.append(None)
        window.append(number)
        previous = number
    return window


def paginate(request: HttpRequest, items, *, default_size: int | None = None) -> Page:
    """The page of `items` asked for by `?page=` and `?size=`; the page carries `window` (numbers to
    show), `size` and `sizes` for the shared include `includes/pagination.html`."""
    default = default_size or settings.PAGE_SIZE
    sizes = tuple(sorted({*PAGE_SIZES, default}))
    size = page_size_of(request.GET.get("size"), default=default, sizes=sizes)
    page = Paginator(items, size).get_page(request.GET.get("page"))
    page.window = page_window(page.number, page.paginator.num_pages)
    page.size = size
    page.sizes = sizes
    return page


@dataclass(frozen=True)
class SortChoice:
    key: str  # the column's key as it appears in ?sort=
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def sort_param(value: str | None, *, allowed: Iterable[str], default: str) -> SortChoice:
    """`?sort=deadline` / `?sort=-deadline` when the key is one of `allowed`, else `default`
    (itself written the same way)."""
    allowed = set(allowed)
    for candidate in (value or "", default):
        key = candidate.lstrip("-")
        if key in allowed:
            return SortChoice(key, candidate.startswith("-"))
    raise ValueError(f"default sort {default!r} is not among {sorted(allowed)}")


def ordering(fields: Iterable[str], *, descending: bool) -> list[str]:
    """`order_by` fields for a sort, every direction flipped when descending ("-a" ↔ "a")."""
    if not descending:
        return list(fields)
    return [name[1:] if name.startswith("-") else f"-{name}" for name in fields]


def urgency_key(*, done: bool, due_on: date | None, today: date) -> tuple:
    """Sort key for things with a deadline, most urgent first: open items past their deadline (the
    longest overdue first), then open items by nearest deadline, then open items without a
    deadline, and finished items last."""
    if done:
        return (3, date.max)
    if due_on is None:
        return (2, date.max)
    return (0 if due_on < today else 1, due_on)


@dataclass(frozen=True)
class Card:
    """A summary card: a count of the list's rows in one state; clicking it filters the list."""

    label: str
    count: int
    url: str
    active: bool
    tone: str = "secondary"  # Bootstrap colour: danger, warning, success, info, secondary, primary


def url_with(query: QueryDict, **changes) -> str:
    """`?…` of `query` with `changes` set (None removes a key) and the page reset to the first."""
    updated = query.copy()
    updated.pop("page", None)
    for key, value in changes.items():
        updated.pop(key, None)
        if value not in (None, ""):
            updated[key] = value
    encoded = updated.urlencode()
    return f"?{encoded}" if encoded else "?"


def summary_cards(request: HttpRequest, *, param: str, states: Iterable[tuple[str, str, int, str]]) -> list[Card]:
    """Cards for `states` = (value, label, count, tone); the first with value "" stands for all.
    Each card's link sets `?param=value` and keeps the other filters."""
    current = request.GET.get(param, "")
    return [
        Card(label=label, count=count, url=url_with(request.GET, **{param: value}), active=current == value, tone=tone)
        for value, label, count, tone in states
    ]
