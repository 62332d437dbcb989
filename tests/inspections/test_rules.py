"""Pure rules: scores, star levels, the yearly mean, the draw, deadlines, quotas."""

from datetime import date
from decimal import Decimal

import pytest

from inspections import rules

D = Decimal
THRESHOLDS = rules.parse_thresholds([[5, "95"], [4, "85"], [3, "75"], [2, "65"], [1, "60"]])
CRITERIA = [rules.CriterionSpec(1, "A1", "个人备课", D("5")), rules.CriterionSpec(2, "A2", "集体备课", D("10"))]


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (D("100"), 5),
        (D("95"), 5),  # exactly on the line reaches it
        (D("94.9"), 4),
        (D("85"), 4),
        (D("75"), 3),
        (D("74.9"), 2),
        (D("60"), 1),
        (D("59.9"), 0),
        (D("0"), 0),
    ],
)
def test_star_level_follows_the_thresholds(total, level):
    assert rules.star_level(total, THRESHOLDS) == level


def test_thresholds_are_read_in_any_order():
    assert rules.parse_thresholds([[3, "75"], [5, "95"]]) == [(5, D("95")), (3, D("75"))]


@pytest.mark.parametrize(
    ("totals", "mean"),
    [
        ([], None),
        ([D("80")], D("80.0")),
        ([D("80"), D("85")], D("82.5")),
        ([D("80"), D("80"), D("80.1")], D("80.0")),
        ([D("74.5"), D("75.6")], D("75.1")),  # 75.05 rounds half up
        ([D("94.95"), D("95")], D("95.0")),
    ],
)
def test_yearly_mean_rounds_half_up_to_one_decimal(totals, mean):
    assert rules.yearly_mean(totals) == mean


@pytest.mark.parametrize(
    ("scores", "complete", "expected"),
    [
        ({1: D("5"), 2: D("10")}, True, []),
        ({1: D("5.5"), 2: D("10")}, True, ["A1 个人备课：得分 5.5 超过满分 5。"]),
        ({1: D("-1"), 2: D("1")}, False, ["A1 个人备课：得分不能为负数。"]),
        ({1: D("4.3"), 2: D("1")}, False, ["A1 个人备课：得分须以0.5分为单位。"]),
        ({1: D("5")}, False, []),  # a draft may leave criteria unscored
        ({1: D("5")}, True, ["还有 1 项指标未评分（A2），不能提交。"]),
        ({}, True, ["还有 2 项指标未评分（A1、A2），不能提交。"]),
    ],
)
def test_score_problems(scores, complete, expected):
    assert rules.score_problems(CRITERIA, scores, require_complete=complete) == expected


@pytest.mark.parametrize("raw", ["abc", "1e999999", "NaN", "--1"])
def test_parse_points_refuses_non_numbers(raw):
    with pytest.raises(ValueError, match="不是有效的分数"):
        rules.parse_points(raw)


@pytest.mark.parametrize(("raw", "value"), [("", None), ("  ", None), (None, None), ("4.5", D("4.5")), (" 3 ", D("3"))])
def test_parse_points_reads_numbers_and_blanks(raw, value):
    assert rules.parse_points(raw) == value


@pytest.mark.parametrize(
    ("text", "year"), [("2025-2026", 2025), ("2025—2026", 2025), ("2025", 2025), (" 2024 - 2025 ", 2024)]
)
def test_parse_school_year(text, year):
    assert rules.parse_school_year(text) == year


@pytest.mark.parametrize("text", ["2025-2027", "25-26", "", "二〇二五"])
def test_parse_school_year_refuses_nonsense(text):
    with pytest.raises(ValueError):
        rules.parse_school_year(text)


# ---- The draw ----------------------------------------------------------------------------------------------

SCHOOLS = [rules.SchoolSlot(id, district_id=id % 3) for id in range(1, 31)]
INSPECTORS = [rules.InspectorSlot(100 + n, frozenset({n + 1}), frozenset({(n + 1) % 3})) for n in range(12)]


def _draw(seed="s", schools=SCHOOLS, inspectors=INSPECTORS, count=10, per=3, district=False):
    return rules.draw(
        seed=seed,
        schools=schools,
        inspectors=inspectors,
        school_count=count,
        per_school=per,
        avoid_same_district=district,
    )


def test_draw_is_reproducible_from_its_seed_whatever_the_input_order():
    assert _draw("abc") == _draw("abc", schools=list(reversed(SCHOOLS)), inspectors=list(reversed(INSPECTORS)))


def test_draw_differs_with_another_seed():
    assert _draw("abc") != _draw("xyz")


def test_draw_picks_distinct_schools_and_distinct_inspectors_per_school():
    result = _draw(count=30)
    assert len({school for school, _ in result}) == 30
    assert all(len(set(ids)) == 3 for _, ids in result)


def test_draw_never_sends_an_inspector_to_their_own_school():
    own = {i.id: i.school_ids for i in INSPECTORS}
    for school, ids in _draw(count=30):
        assert all(school not in own[i] for i in ids)


def test_draw_avoids_the_inspectors_district_when_asked():
    district_of = {s.id: s.district_id for s in SCHOOLS}
    districts = {i.id: i.district_ids for i in INSPECTORS}
    for school, ids in _draw(count=30, per=2, district=True):
        assert all(district_of[school] not in districts[i] for i in ids)


def test_draw_spreads_the_work_evenly():
    loads = {}
    for _, ids in _draw(count=30, per=2):
        for i in ids:
            loads[i] = loads.get(i, 0) + 1
    assert max(loads.values()) - min(loads.values()) <= 1


def test_draw_refuses_more_schools_than_eligible():
    with pytest.raises(rules.DrawError, match="不足 31 所"):
        _draw(count=31)


def test_draw_refuses_when_too_few_inspectors_remain_for_a_school():
    lone = [rules.InspectorSlot(1, frozenset({1}), frozenset()), rules.InspectorSlot(2, frozenset(), frozenset())]
    with pytest.raises(rules.DrawError, match="可派督学只有 1 人"):
        rules.draw(
            seed="s",
            schools=[rules.SchoolSlot(1, 1)],
            inspectors=lone,
            school_count=1,
            per_school=2,
            avoid_same_district=False,
        )


# ---- Deadlines and quotas ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "deadline", "today", "overdue"),
    [
        ("open", date(2026, 11, 1), date(2026, 11, 1), False),  # the deadline day is still in time
        ("open", date(2026, 11, 1), date(2026, 11, 2), True),
        ("answered", date(2026, 11, 1), date(2026, 12, 1), False),
        ("verified", date(2026, 11, 1), date(2026, 12, 1), False),
        ("overdue", date(2026, 11, 1), date(2026, 12, 1), False),  # already marked
    ],
)
def test_is_overdue(status, deadline, today, overdue):
    assert rules.is_overdue(status=status, deadline=deadline, today=today) is overdue


@pytest.mark.parametrize(
    ("done", "quota", "progress"), [(0, 20, 0), (10, 20, 50), (20, 20, 100), (25, 20, 100), (3, 0, 100)]
)
def test_quota_progress(done, quota, progress):
    assert rules.quota_progress(done, quota) == progress


@pytest.mark.parametrize(
    ("roles", "level"),
    [({"bureau"}, "supervision"), ({"inspector", "teacher"}, "research"), ({"principal"}, "school"), (set(), "school")],
)
def test_observer_level(roles, level):
    assert rules.observer_level(roles) == level


@pytest.mark.parametrize(("level", "text"), [(None, "未评定"), (0, "未达星级"), (3, "★★★☆☆"), (5, "★★★★★")])
def test_stars(level, text):
    assert rules.stars(level) == text


@pytest.mark.parametrize(
    ("level", "text"), [(None, "未评定"), (0, "未达星级"), (3, "★★★☆☆（三星级）"), (5, "★★★★★（五星级）")]
)
def test_star_label_names_the_level_in_words(level, text):
    assert rules.star_label(level) == text


@pytest.mark.parametrize(
    ("below", "notified", "expected"),
    [
        (0, False, "2026—2027学年没有低于达标星级的学校，无需通报。"),
        (0, True, "2026—2027学年没有低于达标星级的学校，无需通报。"),
        (3, True, "2026—2027学年的星级评定已通报，不能重复通报。"),
        (1, False, None),
    ],
)
def test_notice_problem(below, notified, expected):
    assert rules.notice_problem(year_label="2026—2027学年", below_target=below, already_notified=notified) == expected
