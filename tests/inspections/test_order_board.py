"""整改看板: most urgent first, cards that filter, sortable columns, page sizes, an export in the page's
order; 催办 and 延期 (bureau only, audited, seen by the school); no order due before it was issued."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from eduquality.models import AuditEntry
from inspections import rules, services
from inspections.forms import OrderForm
from inspections.models import RectificationOrder
from tests.factories import SchoolFactory
from tests.inspections import factories
from tests.schools.test_seed_demo import demo_city  # noqa: F401 – the demo city at a small scale

pytestmark = pytest.mark.django_db
LIST = reverse("inspections:order-list")


def _order(city, *, school=None, days: int = 20) -> RectificationOrder:
    """An open order due in `days` days (negative: that many days late, marked overdue)."""
    today = timezone.localdate()
    school = school or city.school_a
    if days < 0:
        order = factories.late_order(by=city.bureau, school=school, days_late=-days)
        services.mark_overdue(today=today)
        return RectificationOrder.objects.get(pk=order.pk)
    return services.create_order(
        school=school, visit=None, items="一", deadline=today + timedelta(days=days), by=city.bureau, today=today
    )


def _names(response) -> list[str]:
    return [row["order"].school.name for row in response.context["rows"]]


def _board(city):
    """Four schools: one answered, one due in 30 days, one due in 5, one 12 days late, one 2 days late."""
    schools = {name: SchoolFactory(name=name) for name in ["丁中学", "丙中学", "戊中学", "己中学", "庚中学"]}
    answered = _order(city, school=schools["丁中学"], days=3)
    services.answer_order(order=answered, by=city.bureau, response="已整改")  # the bureau answers only in tests
    _order(city, school=schools["丙中学"], days=30)
    _order(city, school=schools["戊中学"], days=5)
    _order(city, school=schools["己中学"], days=-12)
    _order(city, school=schools["庚中学"], days=-2)
    return schools


@pytest.fixture
def board(city, monkeypatch):
    from inspections import selectors

    # answer_order lets a principal answer; the board only needs one answered order, whoever answered it.
    monkeypatch.setattr(selectors, "can_answer_order", lambda user, order: True)
    return _board(city)


def test_the_board_lists_overdue_first_then_nearest_deadline_then_answered(city, login, board):
    response = login(city.bureau).get(LIST)
    assert _names(response) == ["己中学", "庚中学", "戊中学", "丙中学", "丁中学"]
    body = response.content.decode()
    assert "逾期 12 天" in body and "剩 5 天" in body
    assert (
        'class="badge text-bg-danger">逾期未整改' in body
        and 'class="badge text-bg-info text-dark">已回复待核查' in body
    )


def test_a_summary_card_counts_and_filters_when_clicked(city, login, board):
    client = login(city.bureau)
    cards = {card.label: card for card in client.get(LIST).context["cards"]}
    assert (cards["全部"].count, cards["逾期未整改"].count, cards["待整改"].count) == (5, 2, 2)
    assert cards["全部"].active and not cards["逾期未整改"].active
    response = client.get(LIST + cards["逾期未整改"].url)
    assert _names(response) == ["己中学", "庚中学"]
    assert {c.label: c.active for c in response.context["cards"]}["逾期未整改"]
    # The cards keep counting every state within the other filters.
    assert {c.label: c.count for c in response.context["cards"]}["全部"] == 5


def test_a_clicked_header_sorts_and_a_second_click_reverses(city, login, board):
    client = login(city.bureau)
    by_deadline = client.get(LIST, {"sort": "deadline"})
    assert _names(by_deadline) == ["己中学", "庚中学", "丁中学", "戊中学", "丙中学"]
    body = by_deadline.content.decode()
    assert "sort=-deadline" in body  # the header now offers the reverse order
    assert _names(client.get(LIST, {"sort": "-deadline"})) == ["丙中学", "戊中学", "丁中学", "庚中学", "己中学"]
    assert _names(client.get(LIST, {"sort": "nonsense"}))[0] == "己中学"  # unknown key: urgency


def test_the_page_size_is_chosen_and_page_numbers_are_shown(city, login):
    for n in range(23):
        _order(city, school=SchoolFactory(name=f"学校{n:02d}"), days=n + 1)
    client = login(city.bureau)
    response = client.get(LIST, {"size": "10", "page": "2"})
    page = response.context["page"]
    assert (page.paginator.per_page, page.number, page.paginator.num_pages, len(page.object_list)) == (10, 2, 3, 10)
    body = response.content.decode()
    assert 'aria-current="page"><span class="page-link">2</span>' in body and "page=3" in body
    assert "size=50" in body and "每页" in body
    assert client.get(LIST, {"size": "5000"}).context["page"].paginator.per_page == 25  # not offered: default


def test_the_export_follows_the_filter_and_the_order_of_the_page(city, login, board):
    response = login(city.bureau).get(reverse("inspections:order-export"), {"status": "overdue", "sort": "-school"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("学校", "区县") and "催办次数" in rows[0]
    page_order = [
        row["order"].school.name
        for row in login(city.bureau).get(LIST, {"status": "overdue", "sort": "-school"}).context["rows"]
    ]
    assert [row[0] for row in rows[1:]] == page_order and len(page_order) == 2


def test_a_principal_sees_only_own_school_on_the_board(city, login, board):
    _order(city, school=city.school_a, days=-1)
    response = login(city.principal_a).get(LIST)
    assert _names(response) == ["甲小学"]
    assert {c.label: c.count for c in response.context["cards"]}["全部"] == 1
    assert "催办</button>" not in response.content.decode()  # the school cannot urge itself


# ---- 催办 ------------------------------------------------------------------------------------------------


def test_the_bureau_urges_an_overdue_order_and_the_school_sees_it(city, login):
    order = _order(city, days=-3)
    client = login(city.bureau)
    response = client.post(reverse("inspections:order-urge", args=[order.pk]), {"note": "月底前报送", "next": LIST})
    assert response.status_code == 302 and response["Location"] == LIST
    order.refresh_from_db()
    assert order.urge_count == 1 and order.last_urged_by == city.bureau
    assert timezone.now() - order.last_urged_at < timedelta(minutes=1)
    entry = AuditEntry.objects.get(
        model_label="inspections.RectificationOrder", object_id=str(order.pk), note__startswith="催办"
    )
    assert entry.actor == city.bureau and entry.note == "催办：月底前报送" and entry.changes == {"催办次数": [0, 1]}
    principal = login(city.principal_a)
    detail = principal.get(reverse("inspections:order-detail", args=[order.pk])).content.decode()
    assert "局机关已于" in detail and "催办（共 1 次）" in detail and "月底前报送" in detail
    assert "1 次" in principal.get(LIST).content.decode()


@pytest.mark.parametrize("who", ["inspector", "principal_a", "academic_lead_a", "teacher_user_a", "principal_b"])
def test_only_the_bureau_may_urge(city, login, who):
    order = _order(city, days=-3)
    response = login(getattr(city, who)).post(reverse("inspections:order-urge", args=[order.pk]))
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.urge_count == 0
    assert not AuditEntry.objects.filter(note__startswith="催办").exists()


def test_an_order_still_in_time_is_not_urged(city, login):
    order = _order(city, days=5)
    response = login(city.bureau).post(reverse("inspections:order-urge", args=[order.pk]), follow=True)
    assert "只有逾期未整改的整改通知可以催办" in response.content.decode()
    order.refresh_from_db()
    assert order.urge_count == 0


# ---- 延期 ------------------------------------------------------------------------------------------------


def test_the_bureau_extends_an_overdue_order_with_a_reason_in_its_history(city, login):
    order = _order(city, days=-3)
    old = order.deadline
    new = timezone.localdate() + timedelta(days=14)
    client = login(city.bureau)
    response = client.post(
        reverse("inspections:order-extend", args=[order.pk]),
        {"deadline": new.isoformat(), "reason": "学校遭遇暴雪停课一周"},
        follow=True,
    )
    body = response.content.decode()
    assert f"整改期限已延至{new.year}年{new.month}月{new.day}日" in body
    order.refresh_from_db()
    assert order.deadline == new and order.status == "open"
    entry = AuditEntry.objects.get(object_id=str(order.pk), note__startswith="延期")
    assert entry.actor == city.bureau and entry.note == "延期：学校遭遇暴雪停课一周"
    assert entry.changes == {"整改期限": [str(old), str(new)], "状态": ["逾期未整改", "待整改"]}
    assert "学校遭遇暴雪停课一周" in body and f"整改期限：{old} → {new}" in body  # the order's 操作记录


def test_an_extension_without_a_reason_is_refused(city, login):
    order = _order(city, days=-3)
    new = timezone.localdate() + timedelta(days=14)
    response = login(city.bureau).post(
        reverse("inspections:order-extend", args=[order.pk]), {"deadline": new.isoformat(), "reason": " "}, follow=True
    )
    assert "请填写延期理由" in response.content.decode()
    order.refresh_from_db()
    assert order.deadline != new and order.status == "overdue"
    assert not AuditEntry.objects.filter(note__startswith="延期").exists()


@pytest.mark.parametrize("who", ["inspector", "principal_a", "teacher_user_a"])
def test_only_the_bureau_may_extend(city, login, who):
    order = _order(city, days=-3)
    new = timezone.localdate() + timedelta(days=14)
    response = login(getattr(city, who)).post(
        reverse("inspections:order-extend", args=[order.pk]), {"deadline": new.isoformat(), "reason": "理由"}
    )
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.deadline != new


def test_the_urge_and_extend_forms_show_to_the_bureau_only(city, login):
    order = _order(city, days=-3)
    url = reverse("inspections:order-detail", args=[order.pk])
    assert "延期理由" in login(city.bureau).get(url).content.decode()
    assert "延期理由" not in login(city.principal_a).get(url).content.decode()


TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("status", "new", "reason", "problems"),
    [
        ("overdue", date(2026, 12, 20), "理由", []),
        ("open", date(2026, 12, 20), "理由", ["新的整改期限须晚于原期限（2026-12-30）。"]),
        ("overdue", TODAY, "理由", ["新的整改期限须晚于今天。"]),
        ("overdue", date(2026, 12, 20), "  ", ["请填写延期理由。"]),
        ("overdue", None, "理由", ["请填写新的整改期限。"]),
        ("verified", date(2026, 12, 20), "理由", ["只有待整改或逾期的整改通知可以延期。"]),
    ],
)
def test_extension_rules(status, new, reason, problems):
    current = date(2026, 12, 30) if status == "open" else date(2026, 11, 26)
    assert rules.extension_problems(status=status, current=current, new=new, reason=reason, today=TODAY) == problems


@pytest.mark.parametrize(
    ("status", "deadline", "late"),
    [
        ("open", date(2026, 12, 5), True),
        ("open", TODAY, False),
        ("overdue", date(2026, 11, 1), True),
        ("answered", date(2026, 11, 1), False),
    ],
)
def test_late_means_unanswered_past_the_deadline(status, deadline, late):
    assert rules.is_late(status=status, deadline=deadline, today=TODAY) is late


# ---- An order cannot be due before it was issued ----------------------------------------------------------


def test_the_order_form_refuses_a_deadline_before_today_in_chinese(city):
    form = OrderForm({"school": city.school_a.pk, "items": "一", "deadline": "2020-01-01"})
    assert not form.is_valid()
    assert form.errors["deadline"][0].startswith("整改期限不能早于下达日期。")


def test_the_model_refuses_a_deadline_before_its_issue_day(city):
    order = _order(city, days=10)
    order.deadline = timezone.localdate(order.issued_at) - timedelta(days=1)
    with pytest.raises(ValidationError, match="整改期限不能早于下达日期"):
        order.full_clean()


def test_the_database_refuses_a_deadline_before_the_issue_day(city):
    order = _order(city, days=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate(order.issued_at) - timedelta(days=1)
        )
    # The issue day itself is allowed (due the day it was issued).
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate(order.issued_at))


def test_an_order_issued_on_a_past_day_is_dated_that_day(city):
    """The demo issues last year's notice "today=end of last school year": its orders carry that day."""
    order = services.create_order(
        school=city.school_a, visit=None, items="一", deadline=date(2026, 9, 1), by=city.bureau, today=date(2026, 7, 10)
    )
    assert timezone.localdate(order.issued_at) == date(2026, 7, 10)


def test_the_demo_has_no_order_due_before_it_was_issued(demo_city):  # noqa: F811
    orders = list(RectificationOrder.objects.all())
    assert orders and all(order.deadline >= timezone.localdate(order.issued_at) for order in orders)
    assert any(order.status == "overdue" for order in orders)


# ---- The other inspection lists: sortable headers, state badges, export in the page's order -------------------


def test_the_visit_list_sorts_by_a_clicked_header_and_exports_in_that_order(city, login):
    factories.submitted_visit(by=city.bureau, school=city.school_a, inspector=city.inspector, title="一")
    factories.drawn_visit(by=city.bureau, school=city.school_b, inspector=city.inspector, title="二")
    client = login(city.bureau)
    response = client.get(reverse("inspections:visit-list"), {"sort": "-status"})
    assert [row["object"].status for row in response.context["rows"]] == ["submitted", "planned"]
    body = response.content.decode()
    assert 'class="badge text-bg-success">已提交' in body and "sort=status" in body
    ascending = client.get(reverse("inspections:visit-export"), {"sort": "status"})
    rows = list(load_workbook(io.BytesIO(ascending.content)).active.iter_rows(values_only=True))
    assert [row[6] for row in rows[1:]] == ["待督导", "已提交"]
