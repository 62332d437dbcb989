"""Pure rules of the award selections: no ORM, no clock. Tested with parametrized tables."""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from eduquality import words

# The 学校 level of 优秀教科研成果 and 精品课例 (学校、教研组（年级组）、教师个人): the school's own
# entry — a teacher files it, but the prize is the school's, so notices and certificates name the school.
SCHOOL_LEVEL = "学校"


def names_the_school(*, has_teacher: bool, level: str) -> bool:
    """Whether an entry is named by its school (a school nominee, or a school-level entry) rather
    than by its teacher."""
    return not has_teacher or level == SCHOOL_LEVEL


TRIM_FROM_JUDGES = 5  # 五名及以上评委评分时，去掉一个最高分和一个最低分
TWO_PLACES = Decimal("0.01")


# ---- Scores ---------------------------------------------------------------------------------------


def score_problem(value: Decimal | None, maximum: Decimal) -> str | None:
    """Why a criterion's score is refused, or None."""
    if value is None:
        return "请填写得分。"
    if value < 0 or value > maximum:
        return f"得分应在 0 至 {maximum} 分之间。"
    if value != value.quantize(Decimal("0.1")):
        return "得分最多保留一位小数。"
    return None


def aggregate(totals: Sequence[Decimal], trim_from: int = TRIM_FROM_JUDGES) -> Decimal | None:
    """The nomination's score from each judge's total: the mean, after dropping one highest and one
    lowest score when `trim_from` or more judges scored; None when nobody scored."""
    if not totals:
        return None
    values = sorted(totals)
    if len(values) >= trim_from:
        values = values[1:-1]
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# ---- Ranking and quotas ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    id: int
    group: tuple
    score: Decimal | None


@dataclass(frozen=True)
class Placing:
    rank: int | None
    prize: str
    tie_at_quota: bool = False


def rank_and_award(
    entries: Iterable[Entry], prizes: Sequence[dict], min_score: Decimal | None = None
) -> dict[int, Placing]:
    """Rank each group by score (competition ranking: 1, 2, 2, 4) and hand out the prizes in order,
    never more than each prize's count. Equal scores keep the earlier nomination first; a tie that
    straddles a quota line is flagged for the bureau. Entries without a score, or under `min_score`,
    get no prize."""
    groups: dict[tuple, list[Entry]] = defaultdict(list)
    placings: dict[int, Placing] = {}
    for entry in entries:
        if entry.score is None:
            placings[entry.id] = Placing(None, "")
        else:
            groups[entry.group].append(entry)
    slots = [prize["name"] for prize in prizes for _ in range(int(prize["count"]))]
    for members in groups.values():
        members.sort(key=lambda e: (-e.score, e.id))
        rank = 0
        for position, entry in enumerate(members):
            if position == 0 or entry.score != members[position - 1].score:
                rank = position + 1
            eligible = min_score is None or entry.score >= min_score
            prize = slots[position] if position < len(slots) and eligible else ""
            placings[entry.id] = Placing(rank, prize)
        # Flag ties across a prize boundary (including the last winner vs the first non-winner).
        for position in range(1, len(members)):
            before, entry = members[position - 1], members[position]
            if before.score == entry.score and placings[before.id].prize != placings[entry.id].prize:
                placings[before.id] = Placing(placings[before.id].rank, placings[before.id].prize, True)
                placings[entry.id] = Placing(placings[entry.id].rank, placings[entry.id].prize, True)
    return placings


# ---- Eligibility ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityRules:
    nominee_kind: str  # "teacher" | "school"
    city_direct_only: bool = False
    requires_subject: bool = False
    min_title_order: int | None = None  # 职称排序: 1 正高级 … 5 三级; smaller is more senior
    min_title_name: str = ""
    required_honours: frozenset[str] = frozenset()
    min_star_level: int | None = None
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Nominee:
    kind: str
    school_is_city_direct: bool
    subject_given: bool = False
    level: str = ""
    title_order: int | None = None
    honours: frozenset[str] = frozenset()
    teaches_subject: bool = True
    star_level: int | None = None
    active: bool = True


def eligibility_problems(nominee: Nominee, rules: EligibilityRules) -> list[str]:
    """Every reason the nominee may not be put forward (empty when eligible)."""
    problems = []
    if nominee.kind != rules.nominee_kind:
        problems.append("本评选的评选对象为" + ("教师。" if rules.nominee_kind == "teacher" else "学校。"))
        return problems
    if not nominee.active:
        problems.append("被推荐教师不在职。")
    if rules.city_direct_only and not nominee.school_is_city_direct:
        problems.append("本评选仅限市直学校申报。")
    if rules.levels and nominee.level not in rules.levels:
        problems.append("请选择申报层次：" + "、".join(rules.levels) + "。")
    if rules.requires_subject and not nominee.subject_given:
        problems.append("请选择申报学科。")
    elif rules.requires_subject and not nominee.teaches_subject:
        problems.append("被推荐教师未任教所选学科。")
    if rules.min_title_order is not None and (
        nominee.title_order is None or nominee.title_order > rules.min_title_order
    ):
        problems.append(f"被推荐教师须具有{rules.min_title_name or '规定'}及以上职称。")
    if rules.required_honours and not (rules.required_honours & nominee.honours):
        problems.append("被推荐教师须具有以下荣誉称号之一：" + "、".join(sorted(rules.required_honours)) + "。")
    if rules.min_star_level is not None and (nominee.star_level or 0) < rules.min_star_level:
        if nominee.star_level is None:
            problems.append("未查到该校本年度教学常规星级评定结果。")
        else:
            problems.append(
                f"该校教学常规星级为{words.star_label(nominee.star_level)}，未达到{words.star_label(rules.min_star_level)}。"
            )
    return problems


def quota_problem(already: int, limit: int | None) -> str | None:
    if limit is not None and already >= limit:
        return f"本校在本次评选中的申报名额（{limit}个）已用完。"
    return None


def cycle_problem(year: int, previous_years: Collection[int], cycle_years: int) -> str | None:
    """A campaign type held every `cycle_years` years: a new round needs that many years since the last."""
    too_close = [previous for previous in previous_years if abs(year - previous) < cycle_years]
    if too_close:
        return f"该评选每 {cycle_years} 年举行一次，{max(too_close)}年已举行，{year}年不能再举行。"
    return None


def window_problem(today: date, opens: date, closes: date) -> str | None:
    if today < opens:
        return f"申报尚未开始（{opens.year}年{opens.month}月{opens.day}日开始）。"
    if today > closes:
        return f"申报已于{closes.year}年{closes.month}月{closes.day}日截止。"
    return None


# ---- A nomination its filer may still change (已申报: edit, withdraw, add materials) -------------------


def nomination_change_problem(
    *, stage_is_nominating: bool, window: str | None, status: str, by_filer: bool
) -> str | None:
    """The filer (the teacher, or the school leader who filed it) may edit, withdraw or add materials while
    nominations are open and before the bureau has checked it. `window` is window_problem's answer."""
    if not by_filer:
        return "只有申报人可以修改或撤回申报。"
    if not stage_is_nominating:
        return "申报阶段已结束，不能再修改或撤回。"
    if window:
        return window
    if status not in ("submitted", "endorsed"):
        return "教育局已完成资格审查，不能再修改或撤回。"
    return None


# ---- Moving a campaign on: why an action cannot succeed yet (the button shows it, the service refuses) ---


def judging_problem(
    *, today: date, closes: date, has_criteria: bool, pending: int, eligible: int, judges: int
) -> str | None:
    """开始评审: after the nomination deadline, with criteria, every nomination checked, judges named."""
    if today <= closes:
        return f"申报尚未截止，不能开始评审（{closes.year}年{closes.month}月{closes.day}日截止）。"
    if not has_criteria:
        return "请先设置评分标准。"
    if pending:
        return f"还有 {pending} 项申报未完成学校推荐或资格审查。"
    if not eligible:
        return "没有通过资格审查的申报，不能开始评审。"
    if not judges:
        return "请先指定评委。"
    return None


def notice_problem(*, results_computed: bool, unscored: int, rescored_after_results: bool) -> str | None:
    """开始公示: the results computed after the last score, every assignment scored."""
    if not results_computed:
        return "请先计算评审结果。"
    if unscored:
        return f"还有 {unscored} 项评审任务未评分，不能开始公示。"
    if rescored_after_results:
        return "计算结果之后又有评分变动，请重新计算评审结果。"
    return None


def announce_problem(*, today: date, notice_ends_on: date | None, open_objections: int) -> str | None:
    """公布结果: only after the notice period has ended and every objection has been settled."""
    if notice_ends_on is not None and today <= notice_ends_on:
        return f"公示期至{chinese_date(notice_ends_on)}，公示期满后才能公布结果。"
    if open_objections:
        return f"还有 {open_objections} 条异议未处理。"
    return None


# ---- Judges ---------------------------------------------------------------------------------------


def is_conflicted(judge_school_id: int | None, nominee_school_id: int) -> bool:
    """A judge never scores a nominee from their own school."""
    return judge_school_id is not None and judge_school_id == nominee_school_id


def plan_assignments(
    nominations: Sequence[tuple[int, int]], judges: Sequence[tuple[int, int | None]], per_nomination: int
) -> list[tuple[int, int]]:
    """(judge id, nomination id) pairs: each nomination gets up to `per_nomination` judges from other
    schools, the least loaded first (ties by id), so the work is spread evenly and reproducibly."""
    load = {judge_id: 0 for judge_id, _ in judges}
    pairs = []
    for nomination_id, school_id in nominations:
        free = [judge_id for judge_id, judge_school in judges if not is_conflicted(judge_school, school_id)]
        free.sort(key=lambda judge_id: (load[judge_id], judge_id))
        for judge_id in free[:per_nomination]:
            load[judge_id] += 1
            pairs.append((judge_id, nomination_id))
    return pairs


# ---- Working days of the public notice ------------------------------------------------------------


def is_working_day(day: date, holidays: Collection[date] = (), workdays: Collection[date] = ()) -> bool:
    """Monday–Friday, except listed holidays; a listed make-up workday (调休) counts even on a weekend."""
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def notice_period(
    start: date, working_days: int, holidays: Collection[date] = (), workdays: Collection[date] = ()
) -> tuple[date, date]:
    """The first and last day of a notice of `working_days` working days that begins on `start`
    or on the next working day after it."""
    if working_days < 1:
        raise ValueError("公示期至少为1个工作日。")
    day = start
    while not is_working_day(day, holidays, workdays):
        day += timedelta(days=1)
    first = day
    counted = 1
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            counted += 1
    return first, day


def chinese_date(day: date) -> str:
    """2025年9月1日 (GB/T 9704: no zero padding)."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---- Materials ------------------------------------------------------------------------------------

MAX_MATERIAL_BYTES = 20 * 1024 * 1024
MAX_MATERIAL_FILES = 10
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "docx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "mp4": (),  # checked below: "ftyp" at offset 4
}
ALLOWED_MATERIAL_TYPES = tuple(_SIGNATURES)


def material_problem(name: str, size: int, head: bytes, max_bytes: int = MAX_MATERIAL_BYTES) -> str | None:
    """Why an uploaded material is refused (type by extension *and* content, size), or None."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in _SIGNATURES:
        return f"“{name}”的文件类型不允许，仅接受 " + "、".join(ALLOWED_MATERIAL_TYPES) + " 文件。"
    if size == 0:
        return f"“{name}”是空文件。"
    if size > max_bytes:
        return f"“{name}”超过 {max_bytes // (1024 * 1024)} MB 的大小限制。"
    if extension == "mp4":
        genuine = head[4:8] == b"ftyp"
    else:
        genuine = any(head.startswith(signature) for signature in _SIGNATURES[extension])
    if not genuine:
        return f"“{name}”的内容与扩展名不符，请上传真实的 {extension} 文件。"
    return None
