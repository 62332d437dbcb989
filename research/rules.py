"""The teaching-research duties computed from the records: pure functions over plain values, no ORM,
no clock (`as_of` is passed in), each line passed in (the `RuleLine` rows hold the seeds' defaults).

- 教研组活动每周≥2小时 (seed 000 §二(一)3): every teaching group, in every full week of the semester
  up to `as_of`, has group activities of at least the line's hours in that week (Monday to Sunday).
- 全校学科教研活动每学期≥2次 (same): school-level activities in the semester, other than teaching
  meetings and parent-school lessons.
- 学情会商每学期≥1次 (seed 001 §(九)): activities of type 学情会商 at any level of the school.
- 教学工作例会至少两周一次 (seed 001 §(十三)): no gap between the semester's start, each meeting and
  `as_of` (or the semester's end) longer than the line in days; exactly 14 days apart is met.
- 家长学校每学期≥2学时 (seed 000 §二(三)3): hours of 家长学校 activities.
- 市级集中教研每学期≥2次 (seed 000 §二(二)3): city-level 集中教研 activities the school's teachers attended.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

GROUP_HOURS = "group_weekly_hours"
SCHOOL_WIDE = "school_wide_activities"
CONSULTATIONS = "learning_consultations"
MEETING_GAP = "meeting_gap_days"
PARENT_HOURS = "parent_school_hours"
CITY_ATTENDED = "city_activities_attended"

RULE_CODES = (GROUP_HOURS, SCHOOL_WIDE, CONSULTATIONS, MEETING_GAP, PARENT_HOURS, CITY_ATTENDED)

# Activity types the rules count (codes of ActivityType rows seeded by research 0002).
CONSULTATION_TYPE = "consultation"  # 学情会商
MEETING_TYPE = "meeting"  # 教学例会
PARENT_TYPE = "parent_school"  # 家长学校
CITY_TYPE = "city_research"  # 集中教研

HALF_HOUR = Decimal("0.5")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class ActivityFact:
    """What the rules need of one activity the school organised or attended."""

    id: int
    type_code: str
    level: str
    day: date
    hours: Decimal
    group_id: int | None = None
    attended: bool = True  # for activities others organised: did a teacher of the school attend?


@dataclass(frozen=True)
class RuleResult:
    code: str
    met: bool
    figure: Decimal | int
    line: Decimal
    detail: str
    evidence: tuple[int, ...] = field(default_factory=tuple)  # activity ids


NOT_RESEARCH = frozenset({MEETING_TYPE, PARENT_TYPE})  # school-level, but not 学科教研


def plain(number) -> str:
    """2 for Decimal('2.0'), 1.5 for Decimal('1.50')."""
    number = Decimal(number)
    return str(number.quantize(Decimal(1))) if number == number.to_integral_value() else str(number.normalize())


# ---- Activity input ----------------------------------------------------------------------------------


def duration_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    return (Decimal((ends_at - starts_at).total_seconds()) / Decimal(3600)).quantize(TENTH, ROUND_HALF_UP)


def activity_time_problems(starts_at: datetime | None, ends_at: datetime | None, hours: Decimal | None) -> list[str]:
    """An activity must end after it starts; its hours (学时) must match its times: within a quarter hour
    of the duration for an activity of one day, at most the duration across several days."""
    if starts_at is None or ends_at is None:
        return []
    if ends_at <= starts_at:
        return ["活动结束时间应晚于开始时间。"]
    if hours is None:
        return []
    if hours <= 0:
        return ["学时应大于0。"]
    duration = duration_hours(starts_at, ends_at)
    if starts_at.date() == ends_at.date():
        if abs(hours - duration) > Decimal("0.25"):
            return [f"学时 {hours} 与活动时间（{duration} 小时）不符。"]
    elif hours > duration:
        return [f"学时 {hours} 超过活动时间（{duration} 小时）。"]
    return []


def default_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """The hours of an activity whose hours were left blank: its duration to the nearest half hour."""
    duration = duration_hours(starts_at, ends_at)
    return max(HALF_HOUR, (duration / HALF_HOUR).quantize(Decimal(1), ROUND_HALF_UP) * HALF_HOUR)


# ---- The duties ---------------------------------------------------------------------------------------


def weeks_between(start: date, end: date) -> list[date]:
    """The Mondays of the full weeks (Monday–Sunday) that start on or after `start` and end by `end`."""
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    weeks = []
    while monday + timedelta(days=6) <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def group_weekly_hours(
    facts: Iterable[ActivityFact], *, group_ids: Sequence[int], start: date, end: date, line: Decimal
) -> RuleResult:
    """Every group has at least `line` hours of group activities in every full week from start to end.
    The figure is the number of (group, week) pairs short of the line; no groups or no full week yet
    counts as met."""
    weeks = weeks_between(start, end)
    hours: dict[tuple[int, date], Decimal] = {}
    evidence = []
    for fact in facts:
        if fact.level != "group" or fact.group_id not in group_ids or not (start <= fact.day <= end):
            continue
        monday = fact.day - timedelta(days=fact.day.weekday())
        hours[(fact.group_id, monday)] = hours.get((fact.group_id, monday), Decimal(0)) + fact.hours
        evidence.append(fact.id)
    short = [(g, w) for g in group_ids for w in weeks if hours.get((g, w), Decimal(0)) < line]
    total = len(group_ids) * len(weeks)
    detail = f"{len(group_ids)} 个教研组 × {len(weeks)} 周，{total - len(short)} 个组周达到 {plain(line)} 小时"
    if short:
        first = min(w for _, w in short)
        detail += f"；{len(short)} 个组周不足（最早 {first:%Y-%m-%d} 那周）"
    return RuleResult(GROUP_HOURS, not short, len(short), line, detail, tuple(evidence))


def _count(code: str, facts: Sequence[ActivityFact], line: Decimal, noun: str) -> RuleResult:
    count = len(facts)
    return RuleResult(
        code, count >= line, count, line, f"{count} 次{noun}（标准 ≥ {plain(line)} 次）", tuple(f.id for f in facts)
    )


def school_wide_activities(facts: Iterable[ActivityFact], *, line: Decimal) -> RuleResult:
    chosen = [f for f in facts if f.level == "school" and f.type_code not in NOT_RESEARCH]
    return _count(SCHOOL_WIDE, chosen, line, "全校学科教研活动")


def learning_consultations(facts: Iterable[ActivityFact], *, line: Decimal) -> RuleResult:
    chosen = [f for f in facts if f.type_code == CONSULTATION_TYPE and f.level in ("group", "school")]
    return _count(CONSULTATIONS, chosen, line, "学情会商")


def meeting_gaps(facts: Iterable[ActivityFact], *, start: date, end: date, line: Decimal) -> RuleResult:
    """Teaching meetings at most `line` days apart, counting from the semester's start and up to `end`
    (as_of, or the semester's end once it is over). The figure is the longest gap in days."""
    days = sorted({f.day for f in facts if f.type_code == MEETING_TYPE and start <= f.day <= end})
    evidence = tuple(f.id for f in facts if f.type_code == MEETING_TYPE and start <= f.day <= end)
    points = [start, *days, end]
    gaps = [(later - earlier).days for earlier, later in pairwise(points)]
    longest = max(gaps, default=0)
    detail = f"{len(days)} 次教学工作例会，最长间隔 {longest} 天（标准 ≤ {plain(line)} 天）"
    return RuleResult(MEETING_GAP, longest <= line, longest, line, detail, evidence)


def parent_school_hours(facts: Iterable[ActivityFact], *, line: Decimal) -> RuleResult:
    chosen = [f for f in facts if f.type_code == PARENT_TYPE]
    total = sum((f.hours for f in chosen), Decimal(0))
    detail = f"家长学校 {len(chosen)} 次共 {total} 学时（标准 ≥ {plain(line)} 学时）"
    return RuleResult(PARENT_HOURS, total >= line, total, line, detail, tuple(f.id for f in chosen))


def city_activities_attended(facts: Iterable[ActivityFact], *, line: Decimal) -> RuleResult:
    chosen = [f for f in facts if f.type_code == CITY_TYPE and f.level == "city" and f.attended]
    return _count(CITY_ATTENDED, chosen, line, "参加市级集中教研")


def school_semester(
    facts: Sequence[ActivityFact],
    *,
    group_ids: Sequence[int],
    start: date,
    end: date,
    as_of: date,
    lines: dict[str, Decimal],
) -> list[RuleResult]:
    """Every duty for one school and semester, in RULE_CODES order (only the codes with a line)."""
    until = min(end, as_of)
    computed = {
        GROUP_HOURS: lambda line: group_weekly_hours(facts, group_ids=group_ids, start=start, end=until, line=line),
        SCHOOL_WIDE: lambda line: school_wide_activities(facts, line=line),
        CONSULTATIONS: lambda line: learning_consultations(facts, line=line),
        MEETING_GAP: lambda line: meeting_gaps(facts, start=start, end=until, line=line),
        PARENT_HOURS: lambda line: parent_school_hours(facts, line=line),
        CITY_ATTENDED: lambda line: city_activities_attended(facts, line=line),
    }
    return [computed[code](lines[code]) for code in RULE_CODES if code in lines]


# ---- Growth file ------------------------------------------------------------------------------------------


def completion(done: int, total: int) -> int:
    """Percent done, rounded down, capped at 100 (0 of 0 is complete)."""
    if total <= 0:
        return 100
    return min(100, done * 100 // total)


def reading_target(start_year: int, as_of: date) -> int:
    """Books expected by `as_of` in the school year from 1 September: one a month (seed 000 §二(五)4),
    counting months begun, at most twelve."""
    start = date(start_year, 9, 1)
    if as_of < start:
        return 0
    months = (as_of.year - start.year) * 12 + as_of.month - start.month + 1
    return min(12, months)
