"""The rules of paper analysis as pure functions (ANALYSIS.md "Item analysis"): no ORM, no clock.

Scores are whole or half points; here they are handled in half points (small integers), as they are
stored. For one exam subject with items i = 1..k, sitters n, item maximum m_i, subject score X = Σ x_i:

- P_i (score rate / difficulty) = mean(x_i) ÷ m_i.
- D_i = (mean x_i of the top group − mean x_i of the bottom group) ÷ m_i, groups of g = ⌈0.27 n⌉ sitters.
  The sitters are ranked by X descending, ties in 学籍号 ascending; the top group is the first g of
  that ranking, the bottom group the last g (so of two tied students at a cut, the smaller 学籍号 is
  ranked higher). With n < 4 the groups overlap; D is still defined.
- r_i (item–rest) = Pearson(x_i, X − x_i); None when either side does not vary.
- α = k ÷ (k − 1) × (1 − Σ var(x_i) ÷ var(X)) with population variances; SEM = SD(X) × √(1 − α)
  (a negative α is reported as it is, with no SEM).
- mean difficulty = ΣX ÷ (n × Σ m_i): the paper's score rate, each item weighed by its 分值.
- skew = Σ (X − mean)³ ÷ n ÷ SD³ (population moments).
- Option shares: the share of the unit's sitters choosing each option, also of its top and bottom group.
- A knowledge point's (or ability level's) score rate = Σ points earned on its items ÷ Σ their maxima.
- Absences are out of every figure; an empty item of a sitter is 0.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = Decimal("0.0001")
MEAN_PLACES = Decimal("0.01")
GROUP_SHARE = Decimal("0.27")
OPTION_LETTERS = "ABCDEFGH"


def group_size(n: int) -> int:
    """⌈0.27 n⌉, exactly (no float rounding at 100 × k)."""
    return -((-n * 27) // 100)


def rank_order(totals: Sequence[int], numbers: Sequence[str]) -> list[int]:
    """Indexes of the sitters from the highest total down; equal totals by 学籍号 ascending."""
    return sorted(range(len(totals)), key=lambda index: (-totals[index], numbers[index]))


def top_and_bottom(totals: Sequence[int], numbers: Sequence[str]) -> tuple[list[int], list[int]]:
    order = rank_order(totals, numbers)
    g = group_size(len(order))
    return order[:g], order[len(order) - g :]


def rounded(value, places: Decimal = RATE_PLACES) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return value.quantize(places, ROUND_HALF_UP)


def difficulty(total_half: int, n: int, max_half: int) -> Decimal | None:
    """P = Σx ÷ (n × m), from half points (exact)."""
    if not n or not max_half:
        return None
    return rounded(Decimal(total_half) / (n * max_half))


def discrimination(top_half: int, bottom_half: int, g: int, max_half: int) -> Decimal | None:
    """D = (Σx top − Σx bottom) ÷ (g × m), from half points (exact)."""
    if not g or not max_half:
        return None
    return rounded(Decimal(top_half - bottom_half) / (g * max_half))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(sxx * syy)


def population_variance(values: Sequence[float]) -> float:
    n = len(values)
    if not n:
        return 0.0
    mean = sum(values) / n
    return sum((v - mean) ** 2 for v in values) / n


ALPHA_FLOOR = -99  # below this α says nothing (a handful of sitters who barely differ): not stored


def cronbach_alpha(item_variances: Sequence[float], total_variance: float) -> float | None:
    k = len(item_variances)
    if k < 2 or total_variance <= 0:
        return None
    alpha = k / (k - 1) * (1 - sum(item_variances) / total_variance)
    return alpha if alpha >= ALPHA_FLOOR else None


def sem(total_sd: float, alpha: float | None) -> float | None:
    if alpha is None or alpha < 0:
        return None
    return total_sd * math.sqrt(1 - alpha)


def skewness(values: Sequence[float]) -> float | None:
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    variance = sum((v - mean) ** 2 for v in values) / n
    if variance <= 0:
        return None
    return sum((v - mean) ** 3 for v in values) / n / variance**1.5


# ---- Choice items --------------------------------------------------------------------------------


class ItemError(ValueError):
    """A cell that is not a valid item score or option; the message is for the user."""


def option_mask(text: str, option_count: int) -> int:
    """Letters chosen (“A”, “ACD”, “a c”) as a bit mask; ItemError for a letter outside the options."""
    mask = 0
    allowed = OPTION_LETTERS[:option_count]
    for letter in text.upper():
        if letter in " ,，、":
            continue
        if letter not in allowed:
            raise ItemError(f"选项“{text}”不在本题选项 {allowed[0]}–{allowed[-1]} 之内。")
        mask |= 1 << OPTION_LETTERS.index(letter)
    return mask


def mask_letters(mask: int) -> str:
    return "".join(letter for index, letter in enumerate(OPTION_LETTERS) if mask & (1 << index))


def choice_half_points(chosen: int, key: int, points_half: int, partial_half: int | None) -> int:
    """The score of a choice in half points: all of the key and nothing else, full marks; for a
    multiple-choice item with a partial rule, part of the key and nothing wrong, the partial points."""
    if not chosen:
        return 0
    if chosen == key:
        return points_half
    if partial_half and chosen & ~key == 0:
        return partial_half
    return 0


# ---- Flags --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagRules:
    discrimination_floor: Decimal = Decimal("0.2")
    hard_below: Decimal = Decimal("0.3")
    easy_above: Decimal = Decimal("0.9")


def item_flags(p: Decimal | None, d: Decimal | None, r: Decimal | None, flag_rules: FlagRules) -> list[str]:
    """题目区分度低 (D or item–rest under the floor), 难 (P under), 易 (P over)."""
    flags = []
    if (d is not None and d < flag_rules.discrimination_floor) or (
        r is not None and r < flag_rules.discrimination_floor
    ):
        flags.append("区分度低")
    if p is not None and p < flag_rules.hard_below:
        flags.append("难")
    if p is not None and p > flag_rules.easy_above:
        flags.append("易")
    return flags


def difficulty_label(p: Decimal | None) -> str:
    if p is None:
        return ""
    return "难" if p < Decimal("0.3") else ("易" if p > Decimal("0.7") else "中")


def discrimination_label(d: Decimal | None) -> str:
    """Ebel's reading."""
    if d is None:
        return ""
    if d >= Decimal("0.4"):
        return "优"
    if d >= Decimal("0.3"):
        return "良"
    if d >= Decimal("0.2"):
        return "尚可"
    return "差"


# ---- Blueprint -----------------------------------------------------------------------------------


def half_points(value: Decimal) -> int | None:
    """A whole or half point as half points; None if it is neither (or negative)."""
    doubled = value * 2
    if value < 0 or doubled != doubled.to_integral_value():
        return None
    return int(doubled)


def blueprint_difference(item_points: Sequence[Decimal], full_marks: Decimal) -> Decimal:
    """Σ items − full marks: 0 when the blueprint adds up."""
    return sum(item_points, Decimal(0)) - full_marks


def two_way_table(
    items: Sequence[tuple[str, str, str, Decimal]], points: Sequence[str], abilities: Sequence[str]
) -> list[list]:
    """双向细目表: rows of (knowledge point, points per ability level…, row total) from items
    (label, knowledge point, ability, points), the knowledge points and abilities in their order;
    a cell is (points, [labels]). The last row holds the column totals."""
    cells: dict[tuple[str, str], tuple[Decimal, list[str]]] = {}
    for label, point, ability, value in items:
        total, labels = cells.get((point, ability), (Decimal(0), []))
        cells[(point, ability)] = (total + value, [*labels, label])
    rows = []
    for point in points:
        row_cells = [cells.get((point, ability), (Decimal(0), [])) for ability in abilities]
        rows.append([point, *row_cells, sum((c[0] for c in row_cells), Decimal(0))])
    totals = [sum((cells.get((p, a), (Decimal(0), []))[0] for p in points), Decimal(0)) for a in abilities]
    rows.append(["合计", *[(t, []) for t in totals], sum(totals, Decimal(0))])
    return rows
