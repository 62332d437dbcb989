"""Pure rules of inspections: scoring, star levels, the double-random draw, deadlines, quotas.
No ORM, no clock: values in, values out."""

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from eduquality import words

ONE_PLACE = Decimal("0.1")


# ---- Scores and star levels -----------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    code: str
    title: str
    max_points: Decimal


def parse_points(raw) -> Decimal | None:
    """A score typed into a form: '' → None; not a number → ValueError with a Chinese message."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as error:
        raise ValueError(f"“{raw}”不是有效的分数。") from error
    if not value.is_finite() or abs(value) >= 10000:
        raise ValueError(f"“{raw}”不是有效的分数。")
    return value


def score_problems(
    criteria: Sequence[CriterionSpec], scores: Mapping[int, Decimal | None], *, require_complete: bool
) -> list[str]:
    """What is wrong with a set of scores: above the maximum, negative, more than one decimal, or (on
    submit) unscored criteria. Empty when the scores may be saved."""
    problems = []
    missing = []
    for criterion in criteria:
        points = scores.get(criterion.id)
        if points is None:
            missing.append(criterion.code)
            continue
        if points < 0:
            problems.append(f"{criterion.code} {criterion.title}：得分不能为负数。")
        elif points > criterion.max_points:
            problems.append(f"{criterion.code} {criterion.title}：得分 {points} 超过满分 {criterion.max_points}。")
        elif (points * 2) % 1 != 0:
            problems.append(f"{criterion.code} {criterion.title}：得分须以0.5分为单位。")
    if require_complete and missing:
        problems.append(f"还有 {len(missing)} 项指标未评分（{'、'.join(missing)}），不能提交。")
    return problems


def total_of(scores: Iterable[Decimal | None]) -> Decimal:
    return sum((points for points in scores if points is not None), Decimal("0")).quantize(ONE_PLACE)


def parse_thresholds(raw: Iterable[Sequence]) -> list[tuple[int, Decimal]]:
    """[[5, "95"], [4, "85"], …] → [(5, Decimal('95')), …], highest level first."""
    return sorted(((int(level), Decimal(str(points))) for level, points in raw), reverse=True)


def star_level(total: Decimal, thresholds: Sequence[tuple[int, Decimal]]) -> int:
    """The highest level whose minimum the total reaches (a total exactly on a line reaches it); 0 below all."""
    for level, minimum in sorted(thresholds, reverse=True):
        if total >= minimum:
            return level
    return 0


def yearly_mean(totals: Sequence[Decimal]) -> Decimal | None:
    """The rating rule: the mean of the year's submitted visit totals, one decimal, half up."""
    if not totals:
        return None
    return (sum(totals, Decimal("0")) / len(totals)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


# The star words live once, in the core (eduquality/words.py): ★★★☆☆, 未达星级 (rated below one
# star) and 未评定 (no rating yet).
stars = words.stars
star_label = words.star_label


def parse_school_year(text: str) -> int:
    """'2025-2026' (or '2025—2026', '2025') → 2025; anything else → ValueError."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-—–]\s*(\d{4}))?\s*", text or "")
    if not match or (match.group(2) and int(match.group(2)) != int(match.group(1)) + 1):
        raise ValueError(f"学年“{text}”格式应为 2025-2026。")
    return int(match.group(1))


def school_year_label(start_year: int) -> str:
    return f"{start_year}—{start_year + 1}学年"


# ---- The double-random draw (双随机、一公开) ---------------------------------------------------------------


@dataclass(frozen=True)
class SchoolSlot:
    id: int
    district_id: int


@dataclass(frozen=True)
class InspectorSlot:
    id: int
    school_ids: frozenset[int]  # schools the inspector works at (never sent there)
    district_ids: frozenset[int]  # their districts (avoided when the campaign asks)


class DrawError(ValueError):
    pass


def draw(
    *,
    seed: str,
    schools: Sequence[SchoolSlot],
    inspectors: Sequence[InspectorSlot],
    school_count: int,
    per_school: int,
    avoid_same_district: bool,
) -> list[tuple[int, list[int]]]:
    """Pick `school_count` schools and `per_school` distinct inspectors for each, reproducibly from `seed`.

    An inspector never goes to their own school (nor, if asked, their district). Among the eligible,
    the least-loaded are preferred so the work spreads evenly; ties are broken at random. The inputs are
    sorted by id first, so the same seed and the same sets give the same result whatever their order.
    """
    if school_count < 1 or per_school < 1:
        raise DrawError("抽取学校数和每校督学数须大于0。")
    if school_count > len(schools):
        raise DrawError(f"可抽学校只有 {len(schools)} 所，不足 {school_count} 所。")
    rng = random.Random(seed)
    chosen = rng.sample(sorted(schools, key=lambda s: s.id), school_count)
    pool = sorted(inspectors, key=lambda i: i.id)
    load = dict.fromkeys((i.id for i in pool), 0)
    result = []
    for school in sorted(chosen, key=lambda s: s.id):
        eligible = [
            inspector
            for inspector in pool
            if school.id not in inspector.school_ids
            and not (avoid_same_district and school.district_id in inspector.district_ids)
        ]
        if len(eligible) < per_school:
            raise DrawError(f"学校（编号{school.id}）可派督学只有 {len(eligible)} 人，不足每校 {per_school} 人。")
        ranked = sorted(eligible, key=lambda i: (load[i.id], rng.random()))
        picked = sorted(i.id for i in ranked[:per_school])
        for inspector_id in picked:
            load[inspector_id] += 1
        result.append((school.id, picked))
    return result


# ---- Rectification and quotas ---------------------------------------------------------------------------


def is_overdue(*, status: str, deadline: date, today: date) -> bool:
    """An order not yet answered whose deadline has passed (the deadline day itself is still in time)."""
    return status == "open" and today > deadline


def is_late(*, status: str, deadline: date, today: date) -> bool:
    """Not yet answered and past its deadline, whether or not the nightly job has marked it overdue:
    what the bureau may urge (催办)."""
    return status in ("open", "overdue") and today > deadline


def extension_problems(*, status: str, current: date, new: date | None, reason: str, today: date) -> list[str]:
    """Why a deadline extension (延期) is refused, in Chinese; empty when it may be granted. Only an
    order not yet answered is extended; the new deadline lies after both the old one and today; the
    reason is required (it goes into the order's history)."""
    problems = []
    if status not in ("open", "overdue"):
        problems.append("只有待整改或逾期的整改通知可以延期。")
    if new is None:
        problems.append("请填写新的整改期限。")
    else:
        if new <= current:
            problems.append(f"新的整改期限须晚于原期限（{current:%Y-%m-%d}）。")
        if new <= today:
            problems.append("新的整改期限须晚于今天。")
    if not reason.strip():
        problems.append("请填写延期理由。")
    return problems


def days_left(*, deadline: date, today: date) -> int:
    """Days until the deadline; negative when overdue (the deadline day itself is 0)."""
    return (deadline - today).days


def quota_progress(done: int, quota: int) -> int:
    """Percent of the quota done, capped at 100; a zero quota counts as done."""
    if quota <= 0:
        return 100
    return min(100, done * 100 // quota)


@dataclass(frozen=True)
class QuotaLine:
    role: str
    lessons: int
    semester_id: int | None = None
    school_id: int | None = None


def effective_quota(lines, *, role: str, semester_id: int, school_id: int | None) -> int | None:
    """The lessons a holder of `role` at `school_id` owes in `semester_id`: the city's line for that
    semester, else its line for every semester; a school's own line (for the semester, else for every
    semester) counts only where it is higher (a school may ask more of its leaders, never less).
    None when no line names the role."""

    def pick(school):
        found = {(line.semester_id, line.school_id): line.lessons for line in lines if line.role == role}
        return found.get((semester_id, school), found.get((None, school)))

    city = pick(None)
    own = pick(school_id) if school_id is not None else None
    if own is None:
        return city
    return own if city is None else max(own, city)


def quota_problems(*, lessons: int | None, city_line: int | None, for_school: bool) -> list[str]:
    """A quota below zero is refused; a school's own quota may not be below the city's line."""
    if lessons is None:
        return ["请填写听课节数。"]
    if lessons < 0:
        return ["听课节数不能小于0。"]
    if for_school and city_line is not None and lessons < city_line:
        return [f"学校自定的听课任务不能低于全市标准（{city_line}节）。"]
    return []


def observer_level(roles: set[str]) -> str:
    """The three levels of classroom supervision (seed 002 §四): bureau → 督导室, inspector/researcher
    → 教研室, school staff → 学校."""
    if "bureau" in roles:
        return "supervision"
    if "inspector" in roles:
        return "research"
    return "school"


def notice_problem(*, year_label: str, below_target: int, already_notified: bool) -> str | None:
    """通报 of a school year: only when some school is below its target level, and once per year.
    The star table disables 发布通报 with this reason; issue_notice refuses with it."""
    if not below_target:
        return f"{year_label}没有低于达标星级的学校，无需通报。"
    if already_notified:
        return f"{year_label}的星级评定已通报，不能重复通报。"
    return None
