"""Value-added (增值评价) as pure functions: no ORM, no clock (see /work/shared/ANALYSIS.md).

The model, per subject (and for the total score), over the students matched between an exam and its
comparable earlier exam of the same cohort, both standardised city-wide (z, population SD):

    z_now = β0 + β1 z_before (+ optional covariates) + u_group + e,   u ~ N(0, τ²), e ~ N(0, σ²)

fitted by restricted maximum likelihood (REML, statsmodels MixedLM's default). Everything the fit
needs is a handful of sums per group — n, Σx, Σxxᵀ, Σxy, Σy, Σy² — because each group's covariance
is σ²(I + λ11ᵀ) with λ = τ²/σ², whose inverse and determinant are closed forms. Given λ the GLS
coefficients and σ² are closed forms too, so the likelihood is a function of λ alone, maximised by
scipy's bounded scalar minimiser; the result agrees with MixedLM to 1e-3 (tests hold it to that)
while reading hundreds of group rows instead of hundreds of thousands of students.

A group's value-added is the empirical-Bayes (shrunken) intercept û = λ/(1 + nλ) · Σ(y − Xβ), its
95 % interval ±1.96 × √(σ² λ/(1 + nλ)) (the conditional variance, as MixedLM's
random_effects_cov gives it). The plain mean residual of the ordinary least-squares fit — Progress 8's
measure, with ±1.96 × SD ÷ √n — is computed beside it as a cross-check.

Classification never rests on a point estimate: 显著高于 / 显著低于 only when the whole interval lies
on one side of 0, and a group with too few matched students or a low match rate is not classified.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

Z_95 = 1.959963984540054

ABOVE, LEVEL, BELOW, UNCLASSIFIED = "above", "level", "below", ""
CLASSIFICATION_LABELS = {ABOVE: "显著高于", LEVEL: "持平", BELOW: "显著低于", UNCLASSIFIED: "不作判断"}
# 进: the intake (mean prior z of the matched students against the city's 0); 出: the value-added.
QUADRANTS = {
    (True, True): "高进高出",
    (False, True): "低进高出",
    (True, False): "高进低出",
    (False, False): "低进低出",
}
# Covariates a region may add to the model (Exam.value_added_covariates); none by default.
COVARIATES = {"female": "性别（女）", "urban": "城镇学校"}

# ---- Group sums ---------------------------------------------------------------------------------


@dataclass
class GroupSums:
    """The raw sums of one group's matched students over columns c = (before, covariates…, now).

    `first[i]` = Σ c_i, `second[i][j]` = Σ c_i c_j; additive, so a school is the sum of its classes."""

    key: object
    n: int
    first: np.ndarray
    second: np.ndarray

    def add(self, other: "GroupSums") -> None:
        self.n += other.n
        self.first = self.first + other.first
        self.second = self.second + other.second


def sums_from_students(key, rows: Sequence[Sequence[float]]) -> GroupSums:
    """The reference: a group's sums from its students' columns (tests hold the SQL to this)."""
    values = np.asarray(rows, dtype=float).reshape(len(rows), -1)
    return GroupSums(key, len(rows), values.sum(axis=0), values.T @ values)


@dataclass(frozen=True)
class Standardisation:
    """City-wide mean and population SD of each column (covariates are left as they are)."""

    mean: np.ndarray
    sd: np.ndarray

    @property
    def degenerate(self) -> bool:
        """A score column whose SD is 0 (every score equal): z is undefined."""
        return bool(self.sd[0] <= 0 or self.sd[-1] <= 0)


def _city(groups: Sequence[GroupSums]) -> tuple[int, np.ndarray, np.ndarray]:
    """The city's sums: every group's added up."""
    n = sum(g.n for g in groups)
    return n, np.sum([g.first for g in groups], axis=0), np.sum([g.second for g in groups], axis=0)


def standardisation(groups: Sequence[GroupSums], covariates: int = 0) -> Standardisation:
    n, first, second = _city(groups)
    mean = first / n
    variance = np.clip(np.diag(second) / n - mean**2, 0, None)
    sd = np.sqrt(variance)
    # Scores are standardised; covariates (0/1 indicators) keep their own scale.
    for index in range(1, 1 + covariates):
        mean[index], sd[index] = 0.0, 1.0
    sd = np.where(sd < 1e-12 * np.maximum(1.0, np.abs(mean)), 0.0, sd)
    return Standardisation(mean, sd)


def constant_covariates(groups: Sequence[GroupSums], covariates: int) -> list[int]:
    """Indexes (0-based among the covariates) of covariates that do not vary city-wide: the model
    cannot tell their effect from the intercept."""
    n, first, second = _city(groups)
    constant = []
    for index in range(covariates):
        column = 1 + index
        if second[column, column] / n - (first[column] / n) ** 2 <= 1e-12:
            constant.append(index)
    return constant


@dataclass
class DesignSums:
    """Per group, the sums the model needs, on the standardised scale with an intercept column."""

    n: np.ndarray  # (G,)
    x1: np.ndarray  # (G, p)  Σ x
    xx: np.ndarray  # (G, p, p)  Σ x xᵀ
    xy: np.ndarray  # (G, p)  Σ x y
    y1: np.ndarray  # (G,)  Σ y
    yy: np.ndarray  # (G,)  Σ y²
    intake: np.ndarray  # (G,) mean z_before


def design(groups: Sequence[GroupSums], scale: Standardisation) -> DesignSums:
    """z-transform each group's raw sums and add the intercept column: X = (1, z_before, covariates…)."""
    n = np.array([g.n for g in groups], dtype=float)
    first = np.array([g.first for g in groups])
    second = np.array([g.second for g in groups])
    m, s = scale.mean, scale.sd
    z1 = (first - n[:, None] * m) / s
    z2 = (
        second
        - m[None, :, None] * first[:, None, :]
        - first[:, :, None] * m[None, None, :]
        + n[:, None, None] * np.outer(m, m)
    ) / np.outer(s, s)
    k = len(m)
    p = k  # intercept + (k − 1) predictors
    x1 = np.empty((len(groups), p))
    x1[:, 0] = n
    x1[:, 1:] = z1[:, : k - 1]
    xx = np.empty((len(groups), p, p))
    xx[:, 0, 0] = n
    xx[:, 0, 1:] = z1[:, : k - 1]
    xx[:, 1:, 0] = z1[:, : k - 1]
    xx[:, 1:, 1:] = z2[:, : k - 1, : k - 1]
    xy = np.empty((len(groups), p))
    xy[:, 0] = z1[:, k - 1]
    xy[:, 1:] = z2[:, : k - 1, k - 1]
    return DesignSums(n, x1, xx, xy, z1[:, k - 1], z2[:, k - 1, k - 1], z1[:, 0] / n)


# ---- The fit ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    beta: np.ndarray
    tau2: float
    sigma2: float
    estimate: np.ndarray  # (G,) û: empirical-Bayes intercepts, SD units
    half_width: np.ndarray  # (G,) 1.96 × conditional SD
    mean_residual: np.ndarray  # (G,) plain mean OLS residual
    residual_half_width: np.ndarray  # (G,) 1.96 × residual SD ÷ √n

    @property
    def lower(self) -> np.ndarray:
        return self.estimate - self.half_width

    @property
    def upper(self) -> np.ndarray:
        return self.estimate + self.half_width


def _profile(d: DesignSums, lam: float) -> tuple[np.ndarray, float, np.ndarray, float]:
    """For λ = τ²/σ²: (β, RSS, A = Xᵀ H⁻¹ X, Σ log(1 + nλ)) with H the groups' I + λ11ᵀ."""
    w = lam / (1.0 + d.n * lam)
    a = d.xx.sum(axis=0) - np.einsum("g,gi,gj->ij", w, d.x1, d.x1)
    b = d.xy.sum(axis=0) - (w * d.y1) @ d.x1
    c = d.yy.sum() - (w * d.y1**2).sum()
    beta = np.linalg.solve(a, b)
    return beta, float(c - b @ beta), a, float(np.log1p(d.n * lam).sum())


def _reml_deviance(d: DesignSums, log_lam: float) -> float:
    total, p = d.n.sum(), d.x1.shape[1]
    _, rss, a, log_det_h = _profile(d, math.exp(log_lam))
    if rss <= 0:
        return math.inf
    _, log_det_a = np.linalg.slogdet(a)
    return (total - p) * math.log(rss / (total - p)) + log_det_h + log_det_a


LOG_LAMBDA_BOUNDS = (-18.0, 8.0)  # τ²/σ² from 1.5e-8 (no school effect) to about 3000


def fit(d: DesignSums) -> Fit:
    """The REML random-intercept fit over group sums, the groups' EB intercepts and the OLS cross-check."""
    total, p = d.n.sum(), d.x1.shape[1]
    best = minimize_scalar(
        lambda v: _reml_deviance(d, v), bounds=LOG_LAMBDA_BOUNDS, method="bounded", options={"xatol": 1e-9}
    )
    lam = math.exp(best.x)
    beta, rss, _, _ = _profile(d, lam)
    sigma2 = rss / (total - p)
    w = lam / (1.0 + d.n * lam)
    residual_sum = d.y1 - d.x1 @ beta
    estimate = w * residual_sum
    half_width = Z_95 * np.sqrt(sigma2 * w)
    # The cross-check: ordinary least squares, each group's mean residual.
    ols = np.linalg.solve(d.xx.sum(axis=0), d.xy.sum(axis=0))
    ols_rss = d.yy.sum() - d.xy.sum(axis=0) @ ols
    ols_sd = math.sqrt(max(ols_rss, 0.0) / (total - p))
    mean_residual = (d.y1 - d.x1 @ ols) / d.n
    return Fit(beta, lam * sigma2, sigma2, estimate, half_width, mean_residual, Z_95 * ols_sd / np.sqrt(d.n))


# ---- Classification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """When a group is classified at all (both thresholds on the exam)."""

    min_matched: int = 30
    min_match_rate: float = 0.8


def match_rate(matched: int, sitters: int) -> float | None:
    """Matched students ÷ the current exam's sitters of the group (a changer counts for today's school)."""
    if sitters <= 0:
        return None
    return min(1.0, matched / sitters)


def is_classifiable(matched: int, rate: float | None, policy: Policy) -> bool:
    return matched >= policy.min_matched and rate is not None and rate >= policy.min_match_rate


def classify(lower: float, upper: float, classifiable: bool = True) -> str:
    """显著高于 when the whole 95 % interval is above 0, 显著低于 when below, else 持平."""
    if not classifiable:
        return UNCLASSIFIED
    if lower > 0:
        return ABOVE
    if upper < 0:
        return BELOW
    return LEVEL


def quadrant(intake: float, estimate: float, classifiable: bool = True) -> str:
    """高进/低进 by the intake against the city (0), 高出/低出 by the value-added against 0."""
    if not classifiable:
        return ""
    return QUADRANTS[(intake > 0, estimate > 0)]


def unclassified_reason(matched: int, rate: float | None, policy: Policy) -> str:
    if matched < policy.min_matched:
        return f"匹配学生{matched}人，少于{policy.min_matched}人，不作判断"
    if rate is None or rate < policy.min_match_rate:
        shown = "—" if rate is None else f"{rate * 100:.1f}%"
        return f"匹配率{shown}，低于{policy.min_match_rate * 100:.0f}%，不作判断"
    return ""


def reassures_bottom_place(classification: str) -> bool:
    """A school in the bottom places that adds significantly more than expected: 低进高出, not failing."""
    return classification == ABOVE


def negative_value_added(classification: str, estimate: float, threshold: float) -> bool:
    """The new warning: value-added significantly below 0 and at least `threshold` SD below."""
    return classification == BELOW and estimate <= -threshold


def signed(value: float, places: int = 2) -> str:
    """+0.25 / -0.25 / 0.00 (never -0.00): how pages, exports and warnings print a value-added."""
    return f"{value:+.{places}f}" if round(value, places) else f"{0:.{places}f}"
