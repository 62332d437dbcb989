from datetime import date
from decimal import Decimal

import pytest

from awards import rules
from awards.rules import Entry, Placing

D = Decimal


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        ([], None),
        ([D("80")], D("80.00")),
        ([D("80"), D("90")], D("85.00")),
        ([D("70"), D("80"), D("90"), D("100")], D("85.00")),  # four judges: plain mean
        ([D("10"), D("80"), D("80"), D("80"), D("100")], D("80.00")),  # five: drop 10 and 100
        ([D("60"), D("70"), D("80"), D("90"), D("100"), D("100"), D("100")], D("88.00")),  # seven: drop one 60, one 100
        ([D("1"), D("2"), D("2")], D("1.67")),  # rounded half up to cents
        ([D("85.5"), D("85.5"), D("85.5"), D("85.5"), D("85.5")], D("85.50")),
    ],
)
def test_aggregate_is_the_mean_trimmed_from_five_judges(totals, expected):
    assert rules.aggregate(totals) == expected


@pytest.mark.parametrize(
    ("value", "maximum", "ok"),
    [
        (D("0"), D("10"), True),
        (D("10"), D("10"), True),
        (D("10.1"), D("10"), False),
        (D("-0.1"), D("10"), False),
        (D("9.5"), D("10"), True),
        (D("9.55"), D("10"), False),
        (None, D("10"), False),
    ],
)
def test_score_must_lie_in_the_criterions_range(value, maximum, ok):
    assert (rules.score_problem(value, maximum) is None) is ok


PRIZES = [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 2}]


def test_prizes_follow_the_ranking_within_each_group_and_never_exceed_the_quota():
    entries = [
        Entry(1, ("a",), D("90")),
        Entry(2, ("a",), D("95")),
        Entry(3, ("a",), D("80")),
        Entry(4, ("a",), D("70")),
        Entry(5, ("b",), D("60")),
    ]
    placings = rules.rank_and_award(entries, PRIZES)
    assert placings[2] == Placing(1, "一等奖")
    assert placings[1] == Placing(2, "二等奖")
    assert placings[3] == Placing(3, "二等奖")
    assert placings[4] == Placing(4, "")
    assert placings[5] == Placing(1, "一等奖")  # group b ranks apart


def test_a_tie_across_the_quota_line_is_flagged_and_the_quota_still_holds():
    entries = [Entry(1, (), D("90")), Entry(2, (), D("80")), Entry(3, (), D("80")), Entry(4, (), D("80"))]
    placings = rules.rank_and_award(entries, [{"name": "首席", "count": 2}])
    assert [placings[i].prize for i in (1, 2, 3, 4)] == ["首席", "首席", "", ""]
    assert [placings[i].rank for i in (1, 2, 3, 4)] == [1, 2, 2, 2]
    assert placings[2].tie_at_quota and placings[3].tie_at_quota
    assert not placings[1].tie_at_quota


def test_unscored_and_below_minimum_entries_win_nothing():
    entries = [Entry(1, (), None), Entry(2, (), D("59.99")), Entry(3, (), D("60"))]
    placings = rules.rank_and_award(entries, PRIZES, min_score=D("60"))
    assert placings[1] == Placing(None, "")
    assert placings[2].prize == ""
    assert placings[3].prize == "一等奖"


def test_empty_ranking_gives_no_placings():
    assert rules.rank_and_award([], PRIZES) == {}


CHIEF = rules.EligibilityRules(
    nominee_kind="teacher",
    city_direct_only=True,
    requires_subject=True,
    min_title_order=3,
    min_title_name="一级教师",
    required_honours=frozenset({"学科带头人", "骨干教师"}),
)
GOOD = rules.Nominee(
    kind="teacher", school_is_city_direct=True, subject_given=True, title_order=2, honours=frozenset({"骨干教师"})
)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({}, None),
        ({"school_is_city_direct": False}, "仅限市直学校"),
        ({"title_order": 4}, "一级教师及以上职称"),
        ({"title_order": 3}, None),  # exactly the minimum title
        ({"title_order": None}, "一级教师及以上职称"),
        ({"honours": frozenset({"教坛新星"})}, "荣誉称号之一"),
        ({"subject_given": False}, "请选择申报学科"),
        ({"teaches_subject": False}, "未任教所选学科"),
        ({"active": False}, "不在职"),
        ({"kind": "school"}, "评选对象为教师"),
    ],
)
def test_eligibility_rules_name_every_reason(change, message):
    problems = rules.eligibility_problems(rules.Nominee(**{**GOOD.__dict__, **change}), CHIEF)
    if message is None:
        assert problems == []
    else:
        assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("star", "ok", "message"),
    [(5, True, ""), (4, True, ""), (3, False, "★★★☆☆（三星级），未达到★★★★☆（四星级）"), (None, False, "未查到")],
)
def test_star_school_needs_the_minimum_star_level(star, ok, message):
    rule = rules.EligibilityRules(nominee_kind="school", min_star_level=4)
    problems = rules.eligibility_problems(
        rules.Nominee(kind="school", school_is_city_direct=False, star_level=star), rule
    )
    assert (problems == []) is ok
    assert all(message in problem for problem in problems)


def test_level_must_be_one_of_the_campaigns_levels():
    rule = rules.EligibilityRules(nominee_kind="teacher", levels=("学校", "教师个人"))
    assert (
        rules.eligibility_problems(rules.Nominee(kind="teacher", school_is_city_direct=False, level="教师个人"), rule)
        == []
    )
    assert rules.eligibility_problems(rules.Nominee(kind="teacher", school_is_city_direct=False, level="区级"), rule)


@pytest.mark.parametrize(("used", "limit", "refused"), [(0, None, False), (1, 2, False), (2, 2, True), (3, 2, True)])
def test_school_quota(used, limit, refused):
    assert (rules.quota_problem(used, limit) is not None) is refused


@pytest.mark.parametrize(
    ("today", "refused"),
    [
        (date(2026, 4, 30), "尚未开始"),
        (date(2026, 5, 1), None),
        (date(2026, 5, 31), None),
        (date(2026, 6, 1), "已于2026年5月31日截止"),
    ],
)
def test_nomination_window_includes_both_ends(today, refused):
    problem = rules.window_problem(today, date(2026, 5, 1), date(2026, 5, 31))
    assert (problem is None) if refused is None else (refused in problem)


def test_assignments_avoid_the_judges_own_school_and_spread_the_load():
    nominations = [(1, 10), (2, 10), (3, 20), (4, 30)]
    judges = [(100, 10), (101, 20), (102, None), (103, 30)]
    pairs = rules.plan_assignments(nominations, judges, per_nomination=2)
    school_of_judge = dict(judges)
    school_of_nomination = dict(nominations)
    assert all(school_of_judge[j] != school_of_nomination[n] for j, n in pairs)
    assert sorted(n for _, n in pairs) == [1, 1, 2, 2, 3, 3, 4, 4]


def test_assignments_spread_the_load_evenly():
    nominations = [(n, 10 + n % 5) for n in range(1, 41)]
    judges = [(100 + j, 10 + j) for j in range(7)]  # two of the seven judges' schools have no nominee
    pairs = rules.plan_assignments(nominations, judges, per_nomination=5)
    assert len(pairs) == 200
    loads = [sum(1 for j, _ in pairs if j == judge) for judge, _ in judges]
    assert max(loads) - min(loads) <= 1


def test_assignments_stop_short_when_only_own_school_judges_remain():
    pairs = rules.plan_assignments([(1, 10)], [(100, 10), (101, 20)], per_nomination=2)
    assert pairs == [(101, 1)]


HOLIDAYS = {date(2026, 10, day) for day in range(1, 8)}
WORKDAYS = {date(2026, 9, 20), date(2026, 10, 10)}  # 调休上班 (Sunday, Saturday)


@pytest.mark.parametrize(
    ("start", "days", "first", "last"),
    [
        (date(2026, 5, 11), 5, date(2026, 5, 11), date(2026, 5, 15)),  # Monday to Friday
        (date(2026, 5, 13), 5, date(2026, 5, 13), date(2026, 5, 19)),  # Wednesday: over a weekend
        (date(2026, 5, 16), 1, date(2026, 5, 18), date(2026, 5, 18)),  # starts Saturday: moves to Monday
        (date(2026, 9, 28), 6, date(2026, 9, 28), date(2026, 10, 10)),  # National Day week skipped; Sat 10th is worked
        (date(2026, 9, 18), 2, date(2026, 9, 18), date(2026, 9, 20)),  # Sunday 20th is a make-up workday
    ],
)
def test_notice_period_counts_working_days(start, days, first, last):
    assert rules.notice_period(start, days, HOLIDAYS, WORKDAYS) == (first, last)


def test_notice_period_needs_at_least_one_day():
    with pytest.raises(ValueError):
        rules.notice_period(date(2026, 5, 11), 0)


@pytest.mark.parametrize(
    ("name", "size", "head", "refused"),
    [
        ("材料.pdf", 1000, b"%PDF-1.7\n", None),
        ("照片.PNG", 1000, b"\x89PNG\r\n\x1a\n\x00\x00", None),
        ("课例.mp4", 1000, b"\x00\x00\x00\x18ftypmp42", None),
        ("总结.docx", 1000, b"PK\x03\x04\x14\x00", None),
        ("病毒.exe", 1000, b"MZ\x90\x00", "文件类型不允许"),
        ("无扩展名", 1000, b"%PDF-", "文件类型不允许"),
        ("假的.pdf", 1000, b"MZ\x90\x00", "内容与扩展名不符"),
        ("空.pdf", 0, b"", "空文件"),
        ("大.pdf", 21 * 1024 * 1024, b"%PDF-", "20 MB"),
    ],
)
def test_materials_are_checked_by_type_content_and_size(name, size, head, refused):
    problem = rules.material_problem(name, size, head)
    assert (problem is None) if refused is None else (refused in problem)


def test_chinese_date_has_no_zero_padding():
    assert rules.chinese_date(date(2025, 9, 1)) == "2025年9月1日"


@pytest.mark.parametrize(
    ("year", "held", "cycle", "refused"),
    [
        (2026, [], 2, False),
        (2026, [2024], 2, False),
        (2026, [2025], 2, True),
        (2026, [2026], 1, True),
        (2026, [2025], 1, False),
    ],
)
def test_a_campaign_type_runs_once_per_cycle(year, held, cycle, refused):
    assert (rules.cycle_problem(year, held, cycle) is not None) is refused


# ---- Why a step cannot be taken yet: the button's reason and the action's refusal ------------------------

CLOSES = date(2026, 5, 31)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"today": CLOSES}, "申报尚未截止"),  # the deadline day itself is still open
        ({"has_criteria": False}, "请先设置评分标准。"),
        ({"pending": 2}, "还有 2 项申报未完成学校推荐或资格审查。"),
        ({"eligible": 0}, "没有通过资格审查的申报，不能开始评审。"),
        ({"judges": 0}, "请先指定评委。"),
        ({}, None),
    ],
)
def test_judging_problem(facts, expected):
    given = {
        "today": date(2026, 6, 1),
        "closes": CLOSES,
        "has_criteria": True,
        "pending": 0,
        "eligible": 3,
        "judges": 5,
    }
    problem = rules.judging_problem(**{**given, **facts})
    assert problem == expected if expected is None else expected in problem


@pytest.mark.parametrize(
    ("computed", "unscored", "rescored", "expected"),
    [
        (False, 0, False, "请先计算评审结果。"),
        (True, 3, False, "还有 3 项评审任务未评分，不能开始公示。"),
        (True, 0, True, "计算结果之后又有评分变动，请重新计算评审结果。"),
        (True, 0, False, None),
    ],
)
def test_notice_problem(computed, unscored, rescored, expected):
    assert (
        rules.notice_problem(results_computed=computed, unscored=unscored, rescored_after_results=rescored) == expected
    )


ENDS = date(2026, 6, 12)


@pytest.mark.parametrize(
    ("today", "objections", "expected"),
    [
        (date(2026, 6, 8), 0, "公示期至2026年6月12日，公示期满后才能公布结果。"),
        (ENDS, 0, "公示期至2026年6月12日，公示期满后才能公布结果。"),  # the last day is still the notice
        (ENDS, 1, "公示期至2026年6月12日，公示期满后才能公布结果。"),  # the period first
        (date(2026, 6, 13), 1, "还有 1 条异议未处理。"),
        (date(2026, 6, 13), 0, None),
    ],
)
def test_announce_problem(today, objections, expected):
    assert rules.announce_problem(today=today, notice_ends_on=ENDS, open_objections=objections) == expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, None),
        ({"status": "endorsed"}, None),  # the school has put it forward: the filer may still correct it
        ({"by_filer": False}, "只有申报人可以修改或撤回申报。"),
        ({"stage_is_nominating": False}, "申报阶段已结束，不能再修改或撤回。"),
        ({"window": "申报已于2026年5月31日截止。"}, "申报已于2026年5月31日截止。"),
        ({"status": "eligible"}, "教育局已完成资格审查，不能再修改或撤回。"),
        ({"status": "ineligible"}, "教育局已完成资格审查，不能再修改或撤回。"),
    ],
)
def test_nomination_change_problem(facts, expected):
    given = {"stage_is_nominating": True, "window": None, "status": "submitted", "by_filer": True}
    assert rules.nomination_change_problem(**{**given, **facts}) == expected
