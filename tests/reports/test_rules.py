from datetime import date

import pytest

from reports import rules

ALL = ["bureau", "inspector", "principal", "academic_lead", "group_leader", "teacher"]


@pytest.mark.parametrize(
    ("kind", "status", "roles", "expected"),
    [
        ("subject", "draft", {"group_leader"}, {"edit", "submit"}),
        ("subject", "returned", {"group_leader"}, {"edit", "submit"}),
        ("subject", "submitted", {"group_leader"}, set()),
        ("subject", "submitted", {"academic_lead"}, {"return", "accept"}),
        ("subject", "submitted", {"principal"}, {"return", "accept"}),
        ("subject", "draft", {"academic_lead"}, set()),
        ("subject", "accepted", {"group_leader", "academic_lead"}, set()),
        ("school", "draft", {"academic_lead"}, {"edit", "submit"}),
        ("school", "submitted", {"academic_lead"}, set()),
        ("school", "submitted", {"principal"}, {"return", "accept"}),
        ("school", "draft", {"teacher", "group_leader"}, set()),
        ("district", "draft", {"inspector"}, {"edit", "submit"}),
        ("district", "submitted", {"inspector"}, set()),
        ("district", "submitted", {"bureau"}, {"return", "accept"}),
        ("principal_semester", "draft", {"principal"}, {"edit", "submit"}),
        ("principal_semester", "draft", {"academic_lead"}, set()),
        ("principal_account", "submitted", {"bureau"}, {"return", "accept"}),
        ("principal_account", "submitted", {"principal"}, set()),
        ("school", "draft", set(), set()),
    ],
)
def test_allowed_actions_follow_the_roles(kind, status, roles, expected):
    assert rules.allowed_actions(kind, status, frozenset(roles)) == expected


def test_a_person_with_every_role_still_cannot_edit_an_accepted_report():
    assert rules.allowed_actions("school", "accepted", frozenset(ALL)) == frozenset()


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("draft", "submit", "submitted"),
        ("returned", "submit", "submitted"),
        ("submitted", "return", "returned"),
        ("submitted", "accept", "accepted"),
    ],
)
def test_next_status(status, action, expected):
    assert rules.next_status(status, action) == expected


@pytest.mark.parametrize(
    ("status", "action"),
    [("draft", "accept"), ("accepted", "return"), ("accepted", "submit"), ("submitted", "submit"), ("draft", "x")],
)
def test_impossible_transitions_are_refused(status, action):
    with pytest.raises(rules.TransitionError):
        rules.next_status(status, action)


def test_missing_narrative_lists_blank_sections_in_order():
    assert rules.missing_narrative({"基本情况": "有", "成绩分析": "  ", "改进措施": ""}) == ["成绩分析", "改进措施"]


@pytest.mark.parametrize(
    ("status", "due", "today", "label", "overdue"),
    [
        (None, date(2027, 1, 10), date(2027, 1, 11), "未开始", True),
        (None, date(2027, 1, 10), date(2027, 1, 10), "未开始", False),  # on the day itself: not yet late
        ("draft", date(2027, 1, 10), date(2027, 1, 20), "草稿未提交", True),
        ("returned", None, date(2027, 1, 20), "退回待修改", False),  # no deadline: never overdue
        ("submitted", date(2027, 1, 10), date(2027, 1, 20), "已提交", False),
        ("accepted", date(2027, 1, 10), date(2027, 1, 20), "已通过", False),
    ],
)
def test_filing_state_against_the_deadline(status, due, today, label, overdue):
    assert rules.filing_state(status, due, today) == rules.FilingState(label, overdue)


@pytest.mark.parametrize(
    ("start_year", "term", "previous"),
    [(2026, 2, (2026, 1)), (2026, 1, (2025, 2)), (2026, None, (2025, None))],
)
def test_the_measures_followed_up_are_the_previous_periods(start_year, term, previous):
    assert rules.previous_period(start_year, term) == previous


@pytest.mark.parametrize(
    ("kind", "roles", "may"),
    [
        ("school", {"academic_lead"}, True),
        ("school", {"principal"}, True),
        ("school", {"teacher"}, False),
        ("subject", {"group_leader"}, True),
        ("district", {"bureau"}, True),
        ("district", {"principal"}, False),
    ],
)
def test_who_tracks_measures(kind, roles, may):
    assert rules.may_track_measures(kind, roles) is may


@pytest.mark.parametrize(
    ("state", "due", "today", "overdue"),
    [
        ("planned", date(2026, 12, 1), date(2026, 12, 2), True),
        ("ongoing", date(2026, 12, 1), date(2026, 12, 1), False),  # due today is not yet overdue
        ("done", date(2026, 12, 1), date(2027, 1, 1), False),
        ("dropped", date(2026, 12, 1), date(2027, 1, 1), False),
    ],
)
def test_a_measure_is_overdue_after_its_deadline_until_closed(state, due, today, overdue):
    assert rules.measure_is_overdue(state, due, today) is overdue
