"""质量预警: grouped by school (a count per school, the most open first), cards by research-visit state
that filter, a flat list with sortable columns, pages counted in schools, an export in the page's order."""

import io

import openpyxl
import pytest
from django.urls import reverse

from monitoring.models import EarlyWarning, ResearchVisit
from tests.factories import SchoolFactory
from tests.monitoring.factories import make_exam

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:warning-list")
KINDS = ["consecutive_bottom", "multi_subject_bottom", "sharp_fall", "negative_value_added"]


def _warn(exam, school, kind, status="open"):
    warning = EarlyWarning.objects.create(exam=exam, school=school, kind=kind, reason=f"{school.name}{kind}")
    ResearchVisit.objects.create(warning=warning, status=status)
    return warning


@pytest.fixture
def warnings(city):
    """甲: three warnings, one closed (two open); 乙: one open; 丙: two, both closed."""
    school_c = SchoolFactory(name="丙小学")
    exam = make_exam(schools=[city.school_a, city.school_b, school_c], name="期末监测")
    _warn(exam, city.school_a, KINDS[0])
    _warn(exam, city.school_a, KINDS[1], "in_progress")
    _warn(exam, city.school_a, KINDS[2], "closed")
    _warn(exam, city.school_b, KINDS[2])
    _warn(exam, school_c, KINDS[0], "closed")
    _warn(exam, school_c, KINDS[3], "closed")
    return exam


def _groups(response):
    return [(g["school__name"], g["total"], g["open_count"]) for g in response.context["groups"]]


def test_warnings_are_grouped_by_school_with_counts_most_open_first(city, login, warnings):
    response = login(city.bureau).get(URL)
    assert _groups(response) == [("甲小学", 3, 2), ("乙小学", 1, 1), ("丙小学", 2, 0)]
    first = response.context["groups"][0]
    assert [row["warning"].visit.status for row in first["rows"]] == ["open", "in_progress", "closed"]
    body = response.content.decode()
    assert "3 条预警" in body and "未关闭 2" in body and "均已关闭" in body
    assert 'data-bs-toggle="collapse"' in body  # each school's warnings fold away


def test_groups_sort_by_count_and_the_page_counts_schools(city, login, warnings):
    client = login(city.bureau)
    assert [name for name, *_ in _groups(client.get(URL, {"sort": "-count"}))] == ["甲小学", "丙小学", "乙小学"]
    page = client.get(URL, {"size": "10"}).context["page"]
    assert page.paginator.count == 3  # schools, not warnings


def test_a_state_card_counts_and_filters(city, login, warnings):
    client = login(city.bureau)
    cards = {card.label: card for card in client.get(URL).context["cards"]}
    assert (cards["全部预警"].count, cards["待调研"].count, cards["调研中"].count, cards["已关闭"].count) == (
        6,
        2,
        1,
        3,
    )
    response = client.get(URL + cards["已关闭"].url)
    assert _groups(response) == [("丙小学", 2, 0), ("甲小学", 1, 0)]
    assert 'class="badge text-bg-success">已关闭' in response.content.decode()


def test_the_flat_list_sorts_by_a_clicked_column(city, login, warnings):
    client = login(city.bureau)
    response = client.get(URL, {"view": "list"})
    statuses = [row["warning"].visit.status for row in response.context["rows"]]
    assert statuses == sorted(statuses, key=["open", "in_progress", "agreed", "closed"].index)
    by_kind = client.get(URL, {"view": "list", "sort": "-kind"})
    kinds = [row["warning"].kind for row in by_kind.context["rows"]]
    assert kinds == sorted(kinds, reverse=True)
    assert "sort=kind" in by_kind.content.decode()


def test_the_export_keeps_the_filter_and_the_grouped_order(city, login, warnings):
    response = login(city.bureau).get(URL, {"export": "xlsx", "status": "open"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["甲小学", "乙小学"]
    full = login(city.bureau).get(URL, {"export": "xlsx"})
    schools = [row[2] for row in openpyxl.load_workbook(io.BytesIO(full.content)).active.iter_rows(values_only=True)][
        1:
    ]
    assert schools == ["甲小学"] * 3 + ["乙小学"] + ["丙小学"] * 2
