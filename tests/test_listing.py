"""The shared list machinery: the pager's page numbers and sizes, sorting, urgency (pure functions)."""

from datetime import date

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from eduquality.listing import page_size_of, page_window, paginate, sort_param, summary_cards, urgency_key, url_with

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("current", "total", "expected"),
    [
        (1, 0, []),
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, 3, None, 10]),
        (5, 10, [1, 2, 3, 4, 5, 6, 7, None, 10]),  # a gap of one page shows the page, not “…”
        (6, 12, [1, None, 4, 5, 6, 7, 8, None, 12]),
        (12, 12, [1, None, 10, 11, 12]),
        (99, 12, [1, None, 10, 11, 12]),  # out of range: the last page
        (0, 4, [1, 2, 3, 4]),
    ],
)
def test_page_window_shows_first_last_and_neighbours(current, total, expected):
    assert page_window(current, total) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 25), ("", 25), ("50", 50), ("100", 100), ("7", 25), ("100000", 25), ("x", 25)]
)
def test_page_size_is_one_of_the_offered_sizes(value, expected):
    assert page_size_of(value, default=25) == expected


def test_paginate_reads_page_and_size_from_the_query():
    request = RequestFactory().get("/", {"page": "3", "size": "10"})
    page = paginate(request, list(range(95)))
    assert page.number == 3 and len(page.object_list) == 10 and page.paginator.num_pages == 10
    assert page.window == [1, 2, 3, 4, 5, None, 10] and page.size == 10


@pytest.mark.parametrize(
    ("value", "key", "descending"),
    [
        (None, "deadline", False),
        ("school", "school", False),
        ("-school", "school", True),
        ("password", "deadline", False),
    ],
)
def test_sort_param_accepts_only_known_columns(value, key, descending):
    choice = sort_param(value, allowed={"school", "deadline"}, default="deadline")
    assert (choice.key, choice.descending) == (key, descending)


def test_urgency_puts_overdue_first_then_nearest_deadline_then_undated_then_done():
    items = {
        "done long ago": urgency_key(done=True, due_on=date(2026, 1, 1), today=TODAY),
        "due in a month": urgency_key(done=False, due_on=date(2027, 1, 6), today=TODAY),
        "due tomorrow": urgency_key(done=False, due_on=date(2026, 12, 7), today=TODAY),
        "due today": urgency_key(done=False, due_on=TODAY, today=TODAY),
        "overdue 10 days": urgency_key(done=False, due_on=date(2026, 11, 26), today=TODAY),
        "overdue 1 day": urgency_key(done=False, due_on=date(2026, 12, 5), today=TODAY),
        "no deadline": urgency_key(done=False, due_on=None, today=TODAY),
    }
    assert sorted(items, key=items.get) == [
        "overdue 10 days",
        "overdue 1 day",
        "due today",
        "due tomorrow",
        "due in a month",
        "no deadline",
        "done long ago",
    ]


def test_card_links_keep_other_filters_and_drop_the_page():
    request = RequestFactory().get("/", {"district": "3", "status": "open", "page": "4"})
    cards = summary_cards(
        request, param="status", states=[("", "全部", 9, "primary"), ("open", "待整改", 4, "warning")]
    )
    assert [c.active for c in cards] == [False, True]
    assert QueryDict(cards[0].url[1:]).dict() == {"district": "3"}
    assert QueryDict(cards[1].url[1:]).dict() == {"district": "3", "status": "open"}
    assert url_with(QueryDict(""), status=None) == "?"
