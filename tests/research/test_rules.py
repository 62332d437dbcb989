"""The teaching-research duties as pure functions, at their edges."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from research import rules
from research.rules import ActivityFact

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 9, 7)


def fact(pk, *, day=MONDAY, hours="2", level="group", code="lesson_prep", group=1, attended=True):
    return ActivityFact(pk, code, level, day, Decimal(hours), group, attended)


# ---- Activity input ----------------------------------------------------------------------------------------


def at(hour, minute=0, day=MONDAY):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("start", "end", "hours", "problem"),
    [
        (at(14), at(16), Decimal("2"), None),
        (at(14), at(16), Decimal("2.2"), None),  # within a quarter hour
        (at(14), at(16), Decimal("3"), "不符"),
        (at(14), at(16), Decimal("1.5"), "不符"),
        (at(16), at(14), Decimal("2"), "晚于开始"),
        (at(14), at(14), Decimal("1"), "晚于开始"),
        (at(9), at(16, day=MONDAY + timedelta(days=1)), Decimal("12"), None),  # two days, 12 h of 31
        (at(9), at(10, day=MONDAY + timedelta(days=1)), Decimal("26"), "超过"),
        (at(14), at(16), Decimal("0"), "大于0"),
    ],
)
def test_activity_times_and_hours_must_agree(start, end, hours, problem):
    problems = rules.activity_time_problems(start, end, hours)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]


def test_blank_hours_are_the_duration_to_the_half_hour():
    assert rules.default_hours(at(14), at(15, 40)) == Decimal("1.5")
    assert rules.default_hours(at(14), at(15, 50)) == Decimal("2.0")
    assert rules.default_hours(at(14), at(14, 5)) == Decimal("0.5")


# ---- Group hours per week ---------------------------------------------------------------------------------


def test_a_group_with_exactly_two_hours_every_week_meets_the_line():
    facts = [fact(i, day=MONDAY + timedelta(weeks=i)) for i in range(3)]
    result = rules.group_weekly_hours(
        facts, group_ids=[1], start=MONDAY, end=MONDAY + timedelta(weeks=3, days=-1), line=Decimal(2)
    )
    assert result.met and result.figure == 0
    assert result.evidence == (0, 1, 2)


def test_one_week_short_by_half_an_hour_fails_and_is_named():
    facts = [fact(0), fact(1, day=MONDAY + timedelta(weeks=1), hours="1.5")]
    result = rules.group_weekly_hours(
        facts, group_ids=[1], start=MONDAY, end=MONDAY + timedelta(days=13), line=Decimal(2)
    )
    assert not result.met and result.figure == 1
    assert "2026-09-14" in result.detail


def test_two_short_activities_in_one_week_add_up():
    facts = [fact(0, hours="1"), fact(1, day=MONDAY + timedelta(days=3), hours="1")]
    result = rules.group_weekly_hours(
        facts, group_ids=[1], start=MONDAY, end=MONDAY + timedelta(days=6), line=Decimal(2)
    )
    assert result.met


def test_every_group_must_meet_it_and_school_level_activities_do_not_count():
    facts = [fact(0, group=1), fact(1, group=2, level="school")]
    result = rules.group_weekly_hours(
        facts, group_ids=[1, 2], start=MONDAY, end=MONDAY + timedelta(days=6), line=Decimal(2)
    )
    assert not result.met and result.figure == 1


def test_a_week_not_yet_over_is_not_counted():
    result = rules.group_weekly_hours([], group_ids=[1], start=MONDAY, end=MONDAY + timedelta(days=5), line=Decimal(2))
    assert result.met and "× 0 周" in result.detail


def test_weeks_start_on_the_first_monday_on_or_after_the_start():
    assert rules.weeks_between(date(2026, 9, 1), date(2026, 9, 20)) == [date(2026, 9, 7), date(2026, 9, 14)]


# ---- Counts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "met"), [(0, False), (1, False), (2, True), (3, True)])
def test_school_wide_activities_at_least_two(count, met):
    facts = [fact(i, level="school") for i in range(count)] + [fact(99, level="group")]
    assert rules.school_wide_activities(facts, line=Decimal(2)).met is met


@pytest.mark.parametrize(("count", "met"), [(0, False), (1, True)])
def test_learning_consultation_at_least_once(count, met):
    facts = [fact(i, code=rules.CONSULTATION_TYPE, level="school") for i in range(count)]
    assert rules.learning_consultations(facts, line=Decimal(1)).met is met


# ---- Meetings at most 14 days apart -----------------------------------------------------------------------


def meetings(*days):
    return [fact(i, day=day, code=rules.MEETING_TYPE, level="school") for i, day in enumerate(days)]


def test_meetings_exactly_fourteen_days_apart_meet_the_line():
    start = date(2026, 9, 1)
    result = rules.meeting_gaps(
        meetings(date(2026, 9, 15), date(2026, 9, 29)), start=start, end=date(2026, 10, 13), line=Decimal(14)
    )
    assert result.met and result.figure == 14


def test_fifteen_days_between_meetings_fails():
    result = rules.meeting_gaps(
        meetings(date(2026, 9, 1), date(2026, 9, 16)), start=date(2026, 9, 1), end=date(2026, 9, 20), line=Decimal(14)
    )
    assert not result.met and result.figure == 15


def test_no_meeting_for_fifteen_days_since_the_last_fails_as_of_today():
    result = rules.meeting_gaps(
        meetings(date(2026, 9, 1)), start=date(2026, 9, 1), end=date(2026, 9, 16), line=Decimal(14)
    )
    assert not result.met


def test_a_first_meeting_late_in_the_semester_fails():
    result = rules.meeting_gaps(
        meetings(date(2026, 9, 20)), start=date(2026, 9, 1), end=date(2026, 9, 21), line=Decimal(14)
    )
    assert not result.met and result.figure == 19


# ---- Parent school and city-wide activities ---------------------------------------------------------------


@pytest.mark.parametrize(("hours", "met"), [(["1", "0.5"], False), (["1", "1"], True), (["2"], True), ([], False)])
def test_parent_school_at_least_two_hours(hours, met):
    facts = [fact(i, code=rules.PARENT_TYPE, level="school", hours=h) for i, h in enumerate(hours)]
    result = rules.parent_school_hours(facts, line=Decimal(2))
    assert result.met is met


def test_city_activities_count_only_those_attended():
    facts = [
        fact(1, code=rules.CITY_TYPE, level="city"),
        fact(2, code=rules.CITY_TYPE, level="city", attended=False),
        fact(3, code="theme", level="city"),
    ]
    result = rules.city_activities_attended(facts, line=Decimal(2))
    assert not result.met and result.figure == 1 and result.evidence == (1,)


def test_school_semester_computes_every_rule_with_a_line():
    lines = {code: Decimal(2) for code in rules.RULE_CODES}
    results = rules.school_semester(
        [], group_ids=[], start=date(2026, 9, 1), end=date(2027, 1, 15), as_of=date(2026, 9, 10), lines=lines
    )
    assert [r.code for r in results] == list(rules.RULE_CODES)


# ---- Growth file ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("done", "total", "percent"), [(0, 6, 0), (3, 6, 50), (6, 6, 100), (7, 6, 100), (0, 0, 100)])
def test_completion(done, total, percent):
    assert rules.completion(done, total) == percent


@pytest.mark.parametrize(
    ("as_of", "books"), [(date(2026, 8, 31), 0), (date(2026, 9, 1), 1), (date(2026, 12, 5), 4), (date(2027, 9, 30), 12)]
)
def test_one_book_a_month_from_september(as_of, books):
    assert rules.reading_target(2026, as_of) == books
