"""报送情况: cards per state that filter, the unfiled reports first, sortable columns, page sizes, and an
export with the page's filters and order."""

import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from eduquality.listing import SortChoice
from reports import rules, tracking
from reports.models import Kind, Status
from tests.factories import SchoolFactory
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db
URL = reverse("reports:tracking")


@pytest.fixture
def filings(city, semester, login):
    """甲 accepted, 乙 nothing; 丙 draft, 丁 submitted, 戊 returned, 己 nothing; the deadline has passed."""
    schools = {"甲小学": city.school_a, "乙小学": city.school_b}
    for name in ["丙小学", "丁小学", "戊小学", "己小学"]:
        schools[name] = SchoolFactory(name=name)
    for name, status in [
        ("甲小学", Status.ACCEPTED),
        ("丙小学", Status.DRAFT),
        ("丁小学", Status.SUBMITTED),
        ("戊小学", Status.RETURNED),
    ]:
        ReportFactory(kind=Kind.SCHOOL, school=schools[name], status=status)
    login(city.bureau).post(
        reverse("reports:deadline-set"), {"kind": "school", "semester": semester.pk, "due_on": "2020-01-10"}
    )
    return schools


def _get(client, semester, **params):
    return client.get(URL, {"kind": "school", "semester": semester.pk, **params})


def _names(response) -> list[str]:
    return [row["school"].name for row in response.context["rows"]]


def test_unfiled_reports_come_first_the_least_advanced_first(city, semester, login, filings):
    names = _names(_get(login(city.bureau), semester))
    unfiled, filed = names[:4], names[4:]
    assert set(unfiled) == {"乙小学", "己小学", "丙小学", "戊小学"} and set(filed) == {"甲小学", "丁小学"}
    # not started before draft before returned
    assert unfiled.index("丙小学") < unfiled.index("戊小学") and unfiled.index("乙小学") < unfiled.index("丙小学")


def test_a_card_counts_a_state_and_filters_when_clicked(city, semester, login, filings):
    client = login(city.bureau)
    cards = {card.label: card for card in _get(client, semester).context["cards"]}
    assert {
        label: cards[label].count for label in ["应报送", "逾期未报", "未报送", "未开始", "草稿未提交", "已通过"]
    } == {
        "应报送": 6,
        "逾期未报": 4,
        "未报送": 4,
        "未开始": 2,
        "草稿未提交": 1,
        "已通过": 1,
    }
    response = client.get(URL + cards["草稿未提交"].url)
    assert _names(response) == ["丙小学"]
    assert 'class="badge text-bg-danger">草稿未提交' in response.content.decode()  # overdue: red
    assert _names(client.get(URL + cards["已通过"].url)) == ["甲小学"]


def test_the_school_and_district_filters_narrow_the_cards_too(city, semester, login, filings):
    response = _get(login(city.bureau), semester, q="甲")
    assert _names(response) == ["甲小学"]
    assert {c.label: c.count for c in response.context["cards"]}["应报送"] == 1


def test_a_clicked_header_sorts_by_school_and_back(city, semester, login, filings):
    client = login(city.bureau)
    by_code = sorted(filings.values(), key=lambda school: school.code)
    assert _names(_get(client, semester, sort="school")) == [s.name for s in by_code]
    assert _names(_get(client, semester, sort="-school")) == [s.name for s in reversed(by_code)]


def test_sixty_one_schools_come_in_pages_of_the_chosen_size(city, semester, login):
    for n in range(59):
        SchoolFactory(name=f"学校{n:02d}")
    client = login(city.bureau)
    first = _get(client, semester)
    assert first.context["page"].paginator.count == 61 and len(first.context["rows"]) == 25
    assert "第 1 / 3 页" in first.content.decode()
    big = _get(client, semester, size="100")
    assert len(big.context["rows"]) == 61 and not big.context["page"].has_other_pages()


def test_the_export_has_the_filters_and_order_of_the_page(city, semester, login, filings):
    client = login(city.bureau)
    response = client.get(
        reverse("reports:tracking-export"), {"kind": "school", "semester": semester.pk, "state": "unfiled"}
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("学校标识码", "学校", "区县")
    assert [row[1] for row in rows[1:]] == _names(_get(client, semester, state="unfiled"))
    assert {row[4] for row in rows[1:]} == {"是"} and rows[0][4] == "逾期"


def _row(code, *, overdue=False, school="1"):
    state = rules.FilingState("x", overdue)
    filed = code in ("submitted", "accepted")
    return {"code": code, "state": state, "filed": filed, "due_on": None, "school": SimpleNamespace(code=school)}


def test_urgency_sort_of_rows_without_a_deadline_keeps_the_unfiled_first():
    rows = [
        _row("accepted", school="1"),
        _row("none", school="2"),
        _row("returned", school="3"),
        _row("draft", school="4"),
    ]
    ordered = tracking.sort_rows(rows, sort=SortChoice("urgency", False), today=None)
    assert [row["code"] for row in ordered] == ["none", "draft", "returned", "accepted"]


def test_a_sort_link_alone_keeps_the_default_period_without_form_errors(city, semester, login, filings):
    response = login(city.bureau).get(URL, {"sort": "-school"})
    assert response.context["form"].is_valid() and response.context["kind"] == "school"
    assert len(response.context["rows"]) == 6
