"""Findings (分析结论): the stored figures turned into statements a report can print. Pure: no ORM.

Every statement prints the number it rests on and takes its direction from that same printed
number: the figure is rounded to what is printed first, and the wording (高于/低于/持平, 上升/下降,
显著高于 …) is chosen from the rounded value against a line given as data. So a report can never
say "与全市持平" beside a 7.7-point gap: a gap is 持平 only when the printed gap is within the line.

Lines are shares of full marks (points) or percentage points (rates), so a 150-mark paper and a
100-mark paper are judged alike; a region changes them through `FindingLines`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")
HUNDRED = Decimal(100)

STRENGTH, WEAKNESS, NEUTRAL = "strength", "weakness", "neutral"
TONE_LABELS = {STRENGTH: "优势", WEAKNESS: "不足", NEUTRAL: "说明"}


@dataclass(frozen=True)
class FindingLines:
    """Where a difference starts to count (数据化的判断线)."""

    # A mean within this share of full marks of the city's is 持平 (2 % = 2 points of 100).
    level_mean_share: Decimal = Decimal("0.02")
    # A rate within this many percentage points of the city's is 持平.
    level_rate_points: Decimal = Decimal("3")
    # A place among same-category schools in the first (last) third is a strength (weakness).
    peer_third: Decimal = Decimal(1) / Decimal(3)
    # A change of at least this many places since the comparable exam is worth saying.
    rank_change_places: int = 3
    # Classes whose means spread over at least this share of full marks are uneven (班级差异大).
    class_gap_share: Decimal = Decimal("0.10")
    # Borderline students (临界生) worth naming: at least this share of the sitters.
    borderline_share: Decimal = Decimal("0.05")
    # Knowledge points / items named as weakest: at most this many, and only those below the city.
    weakest_count: int = 3


DEFAULT_LINES = FindingLines()


@dataclass(frozen=True)
class Finding:
    """One statement. `value` is the printed figure the direction was read from."""

    kind: str  # city / peers / change / classes / borderline / knowledge_point / item / value_added
    tone: str  # STRENGTH, WEAKNESS or NEUTRAL
    subject: str
    text: str
    value: Decimal

    @property
    def tone_label(self) -> str:
        return TONE_LABELS[self.tone]


def printed(value: Decimal) -> Decimal:
    """The figure as a report prints it: one decimal place, half up."""
    return Decimal(value).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def percent_points(rate: Decimal) -> Decimal:
    """A rate in 0..1 as printed percentage points (0.1234 → 12.3)."""
    return printed(Decimal(rate) * HUNDRED)


def _num(value: Decimal) -> str:
    return f"{value:f}"


def _tone(gap: Decimal, line: Decimal, *, higher_is_better: bool = True) -> str:
    if abs(gap) <= line:
        return NEUTRAL
    return STRENGTH if (gap > 0) == higher_is_better else WEAKNESS


# ---- the subject's figures beside the city -------------------------------------------------------


@dataclass(frozen=True)
class SubjectFigures:
    """One subject of one exam for one unit (class, school or district) and the city's figures."""

    subject: str
    full_marks: Decimal
    sitters: int
    mean: Decimal | None
    city_mean: Decimal | None
    excellent_rate: Decimal | None = None
    city_excellent_rate: Decimal | None = None
    pass_rate: Decimal | None = None
    city_pass_rate: Decimal | None = None
    low_rate: Decimal | None = None
    city_low_rate: Decimal | None = None
    rank: int | None = None
    ranked_schools: int = 0
    grade_letter: str = ""  # 等级, where the exam's policy shows grades instead of places
    previous_rank: int | None = None
    previous_ranked_schools: int = 0
    previous_mean: Decimal | None = None
    city_previous_mean: Decimal | None = None
    borderline_excellent: int = 0
    borderline_pass: int = 0


def mean_against_city(f: SubjectFigures, lines: FindingLines = DEFAULT_LINES) -> Finding | None:
    if f.mean is None or f.city_mean is None or not f.sitters:
        return None
    gap = printed(f.mean - f.city_mean)
    tone = _tone(gap, printed(f.full_marks * lines.level_mean_share))
    mean = _num(printed(f.mean))
    if tone == NEUTRAL:
        text = f"{f.subject}平均分{mean}分，与全市基本持平（相差{_num(abs(gap))}分）。"
    else:
        word = "高于" if gap > 0 else "低于"
        text = f"{f.subject}平均分{mean}分，{word}全市{_num(abs(gap))}分。"
    return Finding("city", tone, f.subject, text, gap)


RATE_NAMES = (
    ("excellent_rate", "city_excellent_rate", "优秀率", True),
    ("pass_rate", "city_pass_rate", "及格率", True),
    ("low_rate", "city_low_rate", "低分率", False),  # a higher 低分率 is worse
)


def rates_against_city(f: SubjectFigures, lines: FindingLines = DEFAULT_LINES) -> list[Finding]:
    """优秀率、及格率、低分率 beside the city's, in percentage points; only those off the level."""
    found = []
    for own_name, city_name, label, higher_is_better in RATE_NAMES:
        own, city = getattr(f, own_name), getattr(f, city_name)
        if own is None or city is None or not f.sitters:
            continue
        own_points, city_points = percent_points(own), percent_points(city)
        gap = own_points - city_points
        tone = _tone(gap, lines.level_rate_points, higher_is_better=higher_is_better)
        if tone == NEUTRAL:
            continue
        word = "高于" if gap > 0 else "低于"
        text = f"{f.subject}{label}{_num(own_points)}%，{word}全市（{_num(city_points)}%）{_num(abs(gap))}个百分点。"
        found.append(Finding("city", tone, f.subject, text, gap))
    return found


def place_among_peers(f: SubjectFigures, lines: FindingLines = DEFAULT_LINES) -> Finding | None:
    """The place among schools of the same category; with a grade policy, the grade only."""
    if f.grade_letter:
        return Finding("peers", NEUTRAL, f.subject, f"{f.subject}在同类学校中为{f.grade_letter}等。", Decimal(0))
    if f.rank is None or f.ranked_schools < 3:
        return None
    share = Decimal(f.rank) / Decimal(f.ranked_schools)
    if share <= lines.peer_third:
        tone, where = STRENGTH, "居前列"
    elif Decimal(f.ranked_schools - f.rank + 1) / Decimal(f.ranked_schools) <= lines.peer_third:
        tone, where = WEAKNESS, "居后列"
    else:
        tone, where = NEUTRAL, "居中游"
    text = f"{f.subject}在同类学校中列第{f.rank}名（共{f.ranked_schools}所），{where}。"
    return Finding("peers", tone, f.subject, text, Decimal(f.rank))


def change_since_comparable(
    f: SubjectFigures, lines: FindingLines = DEFAULT_LINES, *, before: str = "上次"
) -> Finding | None:
    """Against the comparable exam (`before` names it): the gap to the city then and now (points),
    or else the place."""
    if None not in (f.mean, f.city_mean, f.previous_mean, f.city_previous_mean):
        then = printed(f.previous_mean - f.city_previous_mean)
        now = printed(f.mean - f.city_mean)
        change = now - then
        tone = _tone(change, printed(f.full_marks * lines.level_mean_share))
        verb = {NEUTRAL: "基本未变", STRENGTH: "相对全市有所进步", WEAKNESS: "相对全市有所退步"}[tone]
        text = (
            f"{f.subject}与全市平均分之差由{before}的{_signed(then)}分变为{_signed(now)}分"
            f"（变化{_signed(change)}分），{verb}。"
        )
        return Finding("change", tone, f.subject, text, change)
    if f.rank is not None and f.previous_rank is not None and not f.grade_letter:
        moved = f.previous_rank - f.rank  # positive: moved up
        if abs(moved) < lines.rank_change_places:
            tone, verb = NEUTRAL, "基本稳定"
        else:
            tone, verb = (STRENGTH, f"上升{moved}位") if moved > 0 else (WEAKNESS, f"下降{-moved}位")
        text = f"{f.subject}在同类学校中的名次由第{f.previous_rank}名变为第{f.rank}名，{verb}。"
        return Finding("change", tone, f.subject, text, Decimal(moved))
    return None


def _signed(value: Decimal) -> str:
    return f"+{value:f}" if value > 0 else f"{value:f}"


def borderline(f: SubjectFigures, lines: FindingLines = DEFAULT_LINES) -> Finding | None:
    """临界生: students just under the pass (or excellence) line, whom targeted help moves over it."""
    if not f.sitters:
        return None
    count = f.borderline_pass + f.borderline_excellent
    share = percent_points(Decimal(count) / Decimal(f.sitters))
    if share < percent_points(lines.borderline_share):
        return None
    text = (
        f"{f.subject}有及格临界生{f.borderline_pass}人、优秀临界生{f.borderline_excellent}人，"
        f"合占参考人数的{_num(share)}%，是提升及格率和优秀率的重点。"
    )
    return Finding("borderline", NEUTRAL, f.subject, text, share)


def subject_findings(f: SubjectFigures, lines: FindingLines = DEFAULT_LINES) -> list[Finding]:
    found = [mean_against_city(f, lines), *rates_against_city(f, lines), place_among_peers(f, lines)]
    found += [change_since_comparable(f, lines), borderline(f, lines)]
    return [finding for finding in found if finding is not None]


# ---- classes, knowledge points, items, value-added -------------------------------------------------


def class_gap(
    subject: str,
    class_means: Sequence[tuple[str, Decimal]],
    full_marks: Decimal,
    lines: FindingLines = DEFAULT_LINES,
    *,
    unit: str = "班",
) -> Finding | None:
    """The spread of the classes' means in one subject (班级差异); `unit` 学校 or 区县 for the
    schools of a district or the districts of the city."""
    means = [(name, printed(mean)) for name, mean in class_means if mean is not None]
    if len(means) < 2:
        return None
    high = max(means, key=lambda item: item[1])
    low = min(means, key=lambda item: item[1])
    spread = high[1] - low[1]
    # Judged, and printed, as a share of full marks, so that 11 points of a 150-mark paper and 10 of
    # a 100-mark paper read consistently.
    share = percent_points(spread / full_marks)
    uneven = share > percent_points(lines.class_gap_share)
    noun = "班级" if unit == "班" else unit
    tail = f"{noun}间差异较大，需关注薄弱{noun}。" if uneven else f"各{unit}较为均衡。"
    text = (
        f"{subject}各{unit}平均分最高为{high[0]}（{_num(high[1])}分），最低为{low[0]}（{_num(low[1])}分），"
        f"相差{_num(spread)}分（满分的{_num(share)}%），{tail}"
    )
    return Finding("classes", WEAKNESS if uneven else NEUTRAL, subject, text, spread)


@dataclass(frozen=True)
class RateBeside:
    """A score rate (得分率, 0..1) of a knowledge point or an item beside the city's."""

    name: str
    rate: Decimal
    city_rate: Decimal


def weakest(
    subject: str, rows: Sequence[RateBeside], *, kind: str, noun: str, lines: FindingLines = DEFAULT_LINES
) -> list[Finding]:
    """The knowledge points (or items) furthest below the city, at most `weakest_count` of them.

    `kind` is "knowledge_point" or "item"; `noun` how the text names one ("知识点", "第13题")."""
    gaps = []
    for row in rows:
        own, city = percent_points(row.rate), percent_points(row.city_rate)
        gap = own - city
        if gap < -lines.level_rate_points:
            gaps.append((gap, row.name, own, city))
    gaps.sort(key=lambda item: (item[0], item[1]))
    found = []
    for gap, name, own, city in gaps[: lines.weakest_count]:
        label = f"{noun}“{name}”" if noun else name
        text = f"{subject}{label}得分率{_num(own)}%，低于全市（{_num(city)}%）{_num(-gap)}个百分点。"
        found.append(Finding(kind, WEAKNESS, subject, text, gap))
    return found


@dataclass(frozen=True)
class ValueAddedFigures:
    """A unit's value-added (增值) in points of this exam, with its 95 % interval."""

    subject: str
    points: Decimal
    low: Decimal
    high: Decimal
    classified: bool = True  # too few matched students: shown, never classified


def value_added(v: ValueAddedFigures) -> Finding:
    points, low, high = printed(v.points), printed(v.low), printed(v.high)
    interval = f"（95%区间{_signed(low)}～{_signed(high)}分）"
    if not v.classified:
        tone, verdict = NEUTRAL, "匹配学生过少，不作判断"
    elif low > 0:
        tone, verdict = STRENGTH, "显著高于全市平均进步水平"
    elif high < 0:
        tone, verdict = WEAKNESS, "显著低于全市平均进步水平"
    else:
        tone, verdict = NEUTRAL, "与全市平均进步水平无显著差异"
    text = f"{v.subject}增值{_signed(points)}分{interval}，{verdict}。"
    return Finding("value_added", tone, v.subject, text, points)


def strengths_and_weaknesses(findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
    return (
        [f for f in findings if f.tone == STRENGTH],
        [f for f in findings if f.tone == WEAKNESS],
    )


def as_paragraph(findings: Sequence[Finding]) -> str:
    """Findings as the text a writer starts from: subject by subject (in the order the subjects
    first appear), each subject's statements in their own order."""
    subjects = list(dict.fromkeys(f.subject for f in findings))
    return "".join(f.text for f in sorted(findings, key=lambda f: subjects.index(f.subject)))
