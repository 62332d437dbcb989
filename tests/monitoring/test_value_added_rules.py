"""Value-added rules: the closed form against statsmodels' MixedLM, and planted school effects."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from monitoring.value_added import rules

SEED = 20261205


def planted_city(rng, schools: int = 60):
    """Students in schools of unequal intake, each school adding its planted effect (z units of the
    latent score); school 0 has the weakest intake and adds the most."""
    intake = rng.normal(0, 0.6, schools)
    effect = rng.normal(0, 0.25, schools)
    intake[0], effect[0] = intake.min() - 0.5, effect.max() + 0.3
    rows = []
    for school in range(schools):
        n = int(rng.integers(35, 160))
        before = rng.normal(intake[school], 1, n)
        now = 0.65 * before + effect[school] + rng.normal(0, 0.6, n)
        female = rng.integers(0, 2, n)
        rows += [(school, b, f, a) for b, f, a in zip(before * 12 + 70, female, now * 12 + 72, strict=True)]
    return pd.DataFrame(rows, columns=["school", "before", "female", "now"]), effect


def fit_from_frame(frame: pd.DataFrame, columns: list[str], covariates: int = 0):
    groups = [
        rules.sums_from_students((school, None), part[columns].to_numpy()) for school, part in frame.groupby("school")
    ]
    scale = rules.standardisation(groups, covariates)
    return groups, scale, rules.fit(rules.design(groups, scale))


def test_estimates_follow_the_planted_school_effects_and_their_intervals_cover_them():
    frame, effect = planted_city(np.random.default_rng(SEED))
    _, scale, fit = fit_from_frame(frame, ["before", "now"])
    assert np.corrcoef(fit.estimate, effect)[0, 1] >= 0.9
    # The planted effect on the scale of the standardised current score, measured from the schools' mean.
    planted = (effect - effect.mean()) * 12 / scale.sd[-1]
    covered = (fit.lower <= planted) & (planted <= fit.upper)
    assert covered.mean() >= 0.9


def test_the_weak_intake_school_that_adds_the_most_is_classified_significantly_above():
    frame, _ = planted_city(np.random.default_rng(SEED))
    groups, _, fit = fit_from_frame(frame, ["before", "now"])
    design = rules.design(groups, rules.standardisation(groups))
    assert design.intake[0] == design.intake.min()
    assert rules.classify(fit.lower[0], fit.upper[0]) == rules.ABOVE
    assert rules.quadrant(design.intake[0], fit.estimate[0]) == "低进高出"
    # Its plain mean residual says the same, as a cross-check.
    assert fit.mean_residual[0] == max(fit.mean_residual)


@pytest.mark.parametrize("covariates", [[], ["female"]])
def test_the_closed_form_agrees_with_statsmodels_mixedlm(covariates):
    frame, _ = planted_city(np.random.default_rng(SEED + 1), schools=25)
    _, _, fit = fit_from_frame(frame, ["before", *covariates, "now"], covariates=len(covariates))
    z = frame.assign(
        zb=(frame.before - frame.before.mean()) / frame.before.std(ddof=0),
        zn=(frame.now - frame.now.mean()) / frame.now.std(ddof=0),
    )
    model = smf.mixedlm(" + ".join(["zn ~ zb", *covariates]), z, groups=z["school"]).fit(reml=True)
    assert np.allclose(fit.beta, model.fe_params.to_numpy(), atol=1e-3)
    assert fit.tau2 == pytest.approx(float(model.cov_re.iloc[0, 0]), abs=1e-3)
    assert fit.sigma2 == pytest.approx(model.scale, abs=1e-3)
    schools = sorted(z["school"].unique())
    random_effects = np.array([model.random_effects[s].iloc[0] for s in schools])
    conditional_sd = np.sqrt([model.random_effects_cov[s].iloc[0, 0] for s in schools])
    assert np.abs(fit.estimate - random_effects).max() < 1e-3
    assert np.abs(fit.half_width - rules.Z_95 * conditional_sd).max() < 1e-3


def test_a_school_sums_are_its_classes_sums():
    rng = np.random.default_rng(SEED)
    one, two = rng.normal(size=(10, 2)), rng.normal(size=(7, 2))
    school = rules.sums_from_students("a", one)
    school.add(rules.sums_from_students("b", two))
    both = rules.sums_from_students("ab", np.vstack([one, two]))
    assert school.n == 17
    assert np.allclose(school.first, both.first)
    assert np.allclose(school.second, both.second)


def test_every_score_equal_is_a_degenerate_standardisation():
    groups = [rules.sums_from_students(i, [[60.0, 80.0]] * 5) for i in range(3)]
    assert rules.standardisation(groups).degenerate


@pytest.mark.parametrize(
    ("lower", "upper", "classifiable", "expected"),
    [
        (0.01, 0.3, True, rules.ABOVE),
        (-0.3, -0.01, True, rules.BELOW),
        (-0.1, 0.2, True, rules.LEVEL),
        (0.0, 0.2, True, rules.LEVEL),  # an interval touching 0 does not exclude it
        (0.2, 0.5, False, rules.UNCLASSIFIED),
    ],
)
def test_classification_rests_on_the_interval_not_the_point(lower, upper, classifiable, expected):
    assert rules.classify(lower, upper, classifiable) == expected


@pytest.mark.parametrize(
    ("intake", "estimate", "expected"),
    [
        (0.3, 0.1, "高进高出"),
        (-0.3, 0.1, "低进高出"),
        (0.3, -0.1, "高进低出"),
        (-0.3, -0.1, "低进低出"),
        (0.0, 0.0, "低进低出"),
    ],
)
def test_quadrants(intake, estimate, expected):
    assert rules.quadrant(intake, estimate) == expected


@pytest.mark.parametrize(
    ("matched", "sitters", "classifiable", "reason"),
    [
        (30, 30, True, ""),
        (29, 29, False, "匹配学生29人，少于30人，不作判断"),
        (40, 60, False, "匹配率66.7%，低于80%，不作判断"),
        (48, 60, True, ""),
    ],
)
def test_few_matched_students_or_a_low_match_rate_are_not_classified(matched, sitters, classifiable, reason):
    policy = rules.Policy(min_matched=30, min_match_rate=0.8)
    rate = rules.match_rate(matched, sitters)
    assert rules.is_classifiable(matched, rate, policy) is classifiable
    assert rules.unclassified_reason(matched, rate, policy) == reason


def test_a_negative_warning_needs_significance_and_the_threshold():
    assert rules.negative_value_added(rules.BELOW, -0.25, 0.2)
    assert not rules.negative_value_added(rules.BELOW, -0.15, 0.2)
    assert not rules.negative_value_added(rules.LEVEL, -0.5, 0.2)


@pytest.mark.parametrize(("value", "places", "shown"), [(0.254, 2, "+0.25"), (-0.254, 2, "-0.25"), (-0.001, 2, "0.00")])
def test_value_added_prints_with_its_sign_and_never_as_minus_zero(value, places, shown):
    assert rules.signed(value, places) == shown
