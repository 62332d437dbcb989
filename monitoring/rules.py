"""The rules of quality monitoring as pure functions: no ORM, no clock.

Scores are Decimals (half points allowed); thresholds are shares of full marks set per exam, so
every region can set its own. Rates are Decimals between 0 and 1, rounded half-up to 4 places
(one decimal place as a percentage).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
RATE_PLACES = Decimal("0.0001")
SCORE_PLACES = Decimal("0.01")
HALF_POINT = Decimal("0.5")

ABSENT_MARKERS = {"缺考", "缺", "缺席"}


# ---- Thresholds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """The lines of one exam subject, as shares of full marks (优秀/良好/及格/低分)."""

    full_marks: Decimal
    excellent_share: Decimal = Decimal("0.85")
    good_share: Decimal = Decimal("0.70")
    pass_share: Decimal = Decimal("0.60")
    low_share: Decimal = Decimal("0.40")

    @property
    def excellent_line(self) -> Decimal:
        return self.full_marks * self.excellent_share

    @property
    def good_line(self) -> Decimal:
        return self.full_marks * self.good_share

    @property
    def pass_line(self) -> Decimal:
        return self.full_marks * self.pass_share

    @property
    def low_line(self) -> Decimal:
        return self.full_marks * self.low_share


def is_excellent(score: Decimal, t: Thresholds) -> bool:
    return score >= t.excellent_line


def is_good(score: Decimal, t: Thresholds) -> bool:
    return score >= t.good_line


def is_pass(score: Decimal, t: Thresholds) -> bool:
    return score >= t.pass_line


def is_low(score: Decimal, t: Thresholds) -> bool:
    """低分: strictly below the low line — exactly 40% is not low."""
    return score < t.low_line


# ---- Reading a score cell -------------------------------------------------------------------------


class ScoreError(ValueError):
    """A cell that is not a valid score; the message is for the user."""


def parse_score(raw, full_marks: Decimal) -> Decimal | None:
    """A cell as a score; None for an absence (`缺考` or empty). Raises ScoreError otherwise."""
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if text in ABSENT_MARKERS or not text:
            return None
        try:
            value = Decimal(text)
        except ArithmeticError as exc:
            raise ScoreError(f"“{text}”不是有效分数（缺考请填“缺考”或留空）。") from exc
    elif isinstance(raw, bool):
        raise ScoreError("分数不能是逻辑值。")
    elif isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        raise ScoreError(f"“{raw}”不是有效分数。")
    if not value.is_finite():
        raise ScoreError("分数不是有效数字。")
    if value < 0:
        raise ScoreError(f"分数{value.normalize():f}小于0。")
    if value > full_marks:
        raise ScoreError(f"分数{value.normalize():f}超过满分{full_marks.normalize():f}。")
    if value % HALF_POINT != 0:
        raise ScoreError(f"分数{value.normalize():f}须为整数或半分（如 72.5）。")
    return abs(value).quantize(Decimal("0.1"))  # abs: "-0" is a zero, printed as 0.0


# ---- Summary statistics ---------------------------------------------------------------------------


def rate(count: int, total: int) -> Decimal | None:
    """count ÷ total as a Decimal fraction, None when nobody sat the exam."""
    if not total:
        return None
    return (Decimal(count) / Decimal(total)).quantize(RATE_PLACES, ROUND_HALF_UP)


def mean(scores: Sequence[Decimal]) -> Decimal | None:
    if not scores:
        return None
    return (sum(scores, ZERO) / len(scores)).quantize(SCORE_PLACES, ROUND_HALF_UP)


def population_sd(scores: Sequence[Decimal]) -> Decimal | None:
    """√(Σ(x − mean)² ÷ n), as Chinese score analyses use it (not the sample SD)."""
    if not scores:
        return None
    centre = sum(scores, ZERO) / len(scores)
    variance = sum(((x - centre) ** 2 for x in scores), ZERO) / len(scores)
    return variance.sqrt().quantize(SCORE_PLACES, ROUND_HALF_UP)


def sd_from_sums(n: int, total: Decimal, total_of_squares: Decimal) -> Decimal | None:
    """The population SD from n, Σx and Σx², as the database aggregates them in one pass."""
    if not n:
        return None
    variance = (total_of_squares - total * total / n) / n
    return max(variance, ZERO).sqrt().quantize(SCORE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Summary:
    sitters: int
    absentees: int
    mean: Decimal | None
    sd: Decimal | None
    max: Decimal | None
    min: Decimal | None
    excellent: int
    good: int
    passed: int
    low: int

    @property
    def excellent_rate(self):
        return rate(self.excellent, self.sitters)

    @property
    def good_rate(self):
        return rate(self.good, self.sitters)

    @property
    def pass_rate(self):
        return rate(self.passed, self.sitters)

    @property
    def low_rate(self):
        return rate(self.low, self.sitters)


def summarise(cells: Iterable[Decimal | None], t: Thresholds) -> Summary:
    """三率一平均 and the rest for one group; None cells are absentees, excluded from every rate."""
    scores, absent = [], 0
    for cell in cells:
        if cell is None:
            absent += 1
        else:
            scores.append(cell)
    return Summary(
        sitters=len(scores),
        absentees=absent,
        mean=mean(scores),
        sd=population_sd(scores),
        max=max(scores) if scores else None,
        min=min(scores) if scores else None,
        excellent=sum(is_excellent(s, t) for s in scores),
        good=sum(is_good(s, t) for s in scores),
        passed=sum(is_pass(s, t) for s in scores),
        low=sum(is_low(s, t) for s in scores),
    )


def score_rate(mean_score: Decimal | None, full_marks: Decimal) -> Decimal | None:
    """得分率 = mean ÷ full marks."""
    if mean_score is None or not full_marks:
        return None
    return (mean_score / full_marks).quantize(RATE_PLACES, ROUND_HALF_UP)


def band_index(score: Decimal, full_marks: Decimal, band_share: Decimal = Decimal("0.1")) -> int:
    """The score band (分数段) of a score: bands of `band_share` of full marks, from 0; full marks
    fall in the top band (with 10% bands: [0,10%) … [80%,90%), [90%,100%])."""
    bands = band_count(band_share)
    index = int(score / (full_marks * band_share))
    return min(index, bands - 1)


def band_count(band_share: Decimal = Decimal("0.1")) -> int:
    return int((Decimal(1) / band_share).to_integral_value(ROUND_HALF_UP))


def band_labels(full_marks: Decimal, band_share: Decimal = Decimal("0.1")) -> list[str]:
    width = full_marks * band_share
    labels = []
    for index in range(band_count(band_share)):
        low, high = width * index, width * (index + 1)
        closing = "]" if index == band_count(band_share) - 1 else ")"
        labels.append(f"[{low.normalize():f}, {high.normalize():f}{closing}")
    return labels


def is_borderline(score: Decimal, line: Decimal, margin: Decimal) -> bool:
    """临界生: below the line by no more than the margin (in points)."""
    return line - margin <= score < line


# ---- Comparing a school with the city -------------------------------------------------------------


@dataclass(frozen=True)
class AgainstCity:
    deviation: Decimal | None  # 离均差 = school mean − city mean
    over_mean_rate: Decimal | None  # 超均率 = (school mean − city mean) ÷ city mean
    ratio_to_mean: Decimal | None  # 比均率 = school mean ÷ city mean
    t_score: Decimal | None  # T = 50 + 10 × (school mean − city mean) ÷ city SD


def against_city(school_mean: Decimal | None, city_mean: Decimal | None, city_sd: Decimal | None) -> AgainstCity:
    if school_mean is None or city_mean is None:
        return AgainstCity(None, None, None, None)
    deviation = (school_mean - city_mean).quantize(SCORE_PLACES, ROUND_HALF_UP)
    over = ratio = None
    if city_mean:
        over = (deviation / city_mean).quantize(RATE_PLACES, ROUND_HALF_UP)
        ratio = (school_mean / city_mean).quantize(RATE_PLACES, ROUND_HALF_UP)
    t_score = None
    if city_sd:
        t_score = (50 + 10 * (school_mean - city_mean) / city_sd).quantize(SCORE_PLACES, ROUND_HALF_UP)
    return AgainstCity(deviation, over, ratio, t_score)


def competition_ranks(values: Sequence[Decimal | None]) -> list[int | None]:
    """Ranks by value, highest first; ties share a rank and the next rank skips (1, 2, 2, 4).
    A missing value (nobody sat) gets no rank."""
    present = sorted((v for v in values if v is not None), reverse=True)
    first_position = {}
    for position, value in enumerate(present, start=1):
        first_position.setdefault(value, position)
    return [first_position[v] if v is not None else None for v in values]


GRADE_BANDS = ((Decimal("0.85"), "A"), (Decimal("0.70"), "B"), (Decimal("0.60"), "C"))


def grade_for(score_rate_value: Decimal | None) -> str:
    """等级 shown instead of ranks and raw scores where policy asks (seed 001 §(十六))."""
    if score_rate_value is None:
        return ""
    for line, letter in GRADE_BANDS:
        if score_rate_value >= line:
            return letter
    return "D"


# ---- A school's place among schools: ranks or grades (等级代替排名) --------------------------------

GRADES = "grades"  # 等级: A/B/C/D by score rate replace every place and rank
RANKS = "ranks"  # 排名: places among schools of the same category

PLACE_RANK = "rank"
PLACE_GRADE = "grade"
PLACE_NONE = ""


def shows_grades(exam_policy: str, *, city_grades: bool) -> bool:
    """Whether an exam shows grades instead of places: the exam's own choice (等级 or 排名) wins;
    its 默认 ("") follows the city's default (`city_grades`)."""
    if exam_policy in (GRADES, RANKS):
        return exam_policy == GRADES
    return city_grades


def place_shown(*, grades: bool, sees_all_schools: bool, own_school: bool) -> str:
    """What a viewer is shown of one school's place among the schools of its category — the one
    decision every page, export, API response and report makes.

    - Bureau roles (局机关, 督学/教研员 — `sees_all_schools`) see every school's place, or its grade
      under the grades policy.
    - A school's own staff see their own school's place (第 14 名 / 共 35 所), or its grade under the
      grades policy; never another school's (PLACE_NONE; their pages do not list other schools).
    - A report is its school's document: it is judged as the school's own.
    """
    if not (sees_all_schools or own_school):
        return PLACE_NONE
    return PLACE_GRADE if grades else PLACE_RANK


def place_text(place: str, *, rank: int | None, ranked_schools: int, grade: str) -> str:
    """The place as pages print it: "第 14 名 / 共 35 所", "等级 B", or "—"."""
    if place == PLACE_GRADE and grade:
        return f"等级 {grade}"
    if place == PLACE_RANK and rank is not None:
        return f"第 {rank} 名 / 共 {ranked_schools} 所"
    return "—"


def grade_order(grade: str) -> int:
    """Sort key of a grade: A first, no grade last (a grades-policy list is ordered by grade, then
    by school code — never by score, which would print the places the policy hides)."""
    letters = [letter for _, letter in GRADE_BANDS] + ["D"]
    return letters.index(grade) if grade in letters else len(letters)


# ---- Early warnings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarningRules:
    bottom_places: int = 3  # "bottom three"
    subjects_for_multi: int = 2  # bottom in this many subjects of one exam
    rank_drop: int = 5  # places lost against the comparable exam
    rate_drop: Decimal = Decimal("0.10")  # 10 points of excellence or pass rate


@dataclass(frozen=True)
class SubjectPosition:
    """One school's position in one subject of an exam, and in the comparable exam."""

    subject: str
    rank: int | None
    ranked_schools: int
    excellent_rate: Decimal | None = None
    pass_rate: Decimal | None = None
    previous_rank: int | None = None
    previous_ranked_schools: int = 0
    previous_excellent_rate: Decimal | None = None
    previous_pass_rate: Decimal | None = None


def in_bottom(rank: int | None, ranked: int, places: int) -> bool:
    if rank is None or ranked <= 1:
        return False
    # In a group no larger than `places`, "bottom three" would take in everyone: flag only the last.
    if ranked <= places:
        return rank == ranked
    return rank > ranked - places


@dataclass(frozen=True)
class Flag:
    kind: str  # "consecutive_bottom" | "multi_subject_bottom" | "sharp_fall"
    subject: str  # "" for a flag about several subjects
    reason: str


def warnings_for(positions: Sequence[SubjectPosition], rules: WarningRules = WarningRules()) -> list[Flag]:
    """The early-warning flags (预警) of one school in one exam."""
    flags = []
    bottom_now = [p for p in positions if in_bottom(p.rank, p.ranked_schools, rules.bottom_places)]
    for p in bottom_now:
        if in_bottom(p.previous_rank, p.previous_ranked_schools, rules.bottom_places):
            flags.append(
                Flag(
                    "consecutive_bottom",
                    p.subject,
                    f"{p.subject}连续两次监测居同类学校后{rules.bottom_places}名"
                    f"（本次第{p.rank}/{p.ranked_schools}名，上次第{p.previous_rank}/{p.previous_ranked_schools}名）。",
                )
            )
    if len(bottom_now) >= rules.subjects_for_multi:
        names = "、".join(p.subject for p in bottom_now)
        flags.append(
            Flag(
                "multi_subject_bottom",
                "",
                f"本次监测{len(bottom_now)}个学科居同类学校后{rules.bottom_places}名：{names}。",
            )
        )
    for p in positions:
        reasons = []
        if p.rank is not None and p.previous_rank is not None and p.rank - p.previous_rank >= rules.rank_drop:
            reasons.append(f"名次下降{p.rank - p.previous_rank}位（第{p.previous_rank}名→第{p.rank}名）")
        for label, now, before in (
            ("优秀率", p.excellent_rate, p.previous_excellent_rate),
            ("及格率", p.pass_rate, p.previous_pass_rate),
        ):
            if now is not None and before is not None and before - now >= rules.rate_drop:
                reasons.append(f"{label}下降{percent(before - now)}个百分点（{percent(before)}%→{percent(now)}%）")
        if reasons:
            flags.append(Flag("sharp_fall", p.subject, f"{p.subject}成绩大幅下滑：" + "；".join(reasons) + "。"))
    return flags


def percent(value: Decimal | None) -> str:
    """0.8567 → '85.7' (a rate as a percentage with one decimal)."""
    if value is None:
        return ""
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}"


# ---- 基本要求 (seed 001): which lines a school is judged on -------------------------------------------

STAGES = ("学前", "小学", "初中", "高中")


def stages_in(text: str) -> frozenset[str]:
    """The stages a text names: '小学+初中(+高中)' → {小学, 初中, 高中}; '' → {}."""
    return frozenset(stage for stage in STAGES if stage in (text or ""))


def indicator_applies(indicator_stages: str, school_stages: str) -> bool:
    """An indicator without stages applies to every school; one with stages (the sleep lines: 小学
    10 h, 初中 9 h) applies to a school that teaches at least one of them — a 九年一贯制 school is judged
    on both lines, a 小学 on the 小学 line only. A school whose stages are unknown is judged only on
    the lines without a stage."""
    wanted = stages_in(indicator_stages)
    return not wanted or bool(wanted & stages_in(school_stages))
