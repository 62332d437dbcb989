"""The pure rules of quality monitoring (issue 3, sections 3–5): no database, no clock."""

import random
import statistics
from decimal import Decimal

import pytest

from monitoring import rules
from monitoring.rules import (
    AgainstCity,
    Flag,
    ScoreError,
    SubjectPosition,
    Thresholds,
    WarningRules,
    against_city,
    band_count,
    band_index,
    band_labels,
    competition_ranks,
    grade_for,
    in_bottom,
    is_borderline,
    is_excellent,
    is_good,
    is_low,
    is_pass,
    mean,
    parse_score,
    percent,
    population_sd,
    rate,
    score_rate,
    sd_from_sums,
    summarise,
    warnings_for,
)

D = Decimal
HUNDRED = D(100)
T100 = Thresholds(full_marks=HUNDRED)


def decimals(*values):
    return [D(str(v)) for v in values]


# ---- Thresholds -----------------------------------------------------------------------------------


def test_default_shares_are_the_issue_defaults():
    assert (T100.excellent_line, T100.good_line, T100.pass_line, T100.low_line) == (D(85), D(70), D(60), D(40))


@pytest.mark.parametrize(
    ("score", "excellent", "good", "passed", "low"),
    [
        ("100", True, True, True, False),
        ("85", True, True, True, False),  # exactly 85% is excellent
        ("84.5", False, True, True, False),
        ("70", False, True, True, False),  # exactly 70% is good
        ("69.5", False, False, True, False),
        ("60", False, False, True, False),  # exactly 60% passes
        ("59.5", False, False, False, False),
        ("40", False, False, False, False),  # exactly 40% is NOT low
        ("39.5", False, False, False, True),
        ("0", False, False, False, True),
    ],
)
def test_lines_out_of_100_include_the_line_itself(score, excellent, good, passed, low):
    s = D(score)
    assert (is_excellent(s, T100), is_good(s, T100), is_pass(s, T100), is_low(s, T100)) == (
        excellent,
        good,
        passed,
        low,
    )


@pytest.mark.parametrize(
    ("full_marks", "score", "excellent", "passed", "low"),
    [
        # 150: excellent 127.5, pass 90, low 60
        ("150", "127.5", True, True, False),
        ("150", "127", False, True, False),
        ("150", "90", False, True, False),
        ("150", "89.5", False, False, False),
        ("150", "60", False, False, False),
        ("150", "59.5", False, False, True),
        # 120: excellent 102, pass 72, low 48
        ("120", "102", True, True, False),
        ("120", "101.5", False, True, False),
        ("120", "72", False, True, False),
        ("120", "71.5", False, False, False),
        ("120", "48", False, False, False),
        ("120", "47.5", False, False, True),
    ],
)
def test_lines_scale_with_full_marks(full_marks, score, excellent, passed, low):
    t = Thresholds(full_marks=D(full_marks))
    s = D(score)
    assert (is_excellent(s, t), is_pass(s, t), is_low(s, t)) == (excellent, passed, low)


def test_lines_for_150_and_120_full_marks():
    t150, t120 = Thresholds(full_marks=D(150)), Thresholds(full_marks=D(120))
    assert (t150.excellent_line, t150.good_line, t150.pass_line, t150.low_line) == (D("127.5"), D(105), D(90), D(60))
    assert (t120.excellent_line, t120.good_line, t120.pass_line, t120.low_line) == (D(102), D(84), D(72), D(48))


@pytest.mark.parametrize(
    ("score", "excellent", "good", "passed", "low"),
    [
        ("90", True, True, True, False),
        ("89.5", False, True, True, False),
        ("75", False, True, True, False),
        ("74.5", False, False, True, False),
        ("50", False, False, True, False),
        ("49.5", False, False, False, False),
        ("30", False, False, False, False),
        ("29.5", False, False, False, True),
    ],
)
def test_custom_shares_move_every_line(score, excellent, good, passed, low):
    t = Thresholds(
        full_marks=HUNDRED,
        excellent_share=D("0.90"),
        good_share=D("0.75"),
        pass_share=D("0.50"),
        low_share=D("0.30"),
    )
    s = D(score)
    assert (is_excellent(s, t), is_good(s, t), is_pass(s, t), is_low(s, t)) == (excellent, good, passed, low)


def test_custom_shares_with_150_full_marks():
    t = Thresholds(full_marks=D(150), excellent_share=D("0.80"), pass_share=D("0.50"), low_share=D("0.20"))
    assert (t.excellent_line, t.pass_line, t.low_line) == (D(120), D(75), D(30))
    assert is_excellent(D(120), t) and not is_excellent(D("119.5"), t)
    assert is_pass(D(75), t) and not is_pass(D("74.5"), t)
    assert is_low(D("29.5"), t) and not is_low(D(30), t)


def test_thresholds_are_frozen():
    with pytest.raises(AttributeError):
        T100.full_marks = D(150)


# ---- parse_score ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, "0.0"),
        (72, "72.0"),
        (100, "100.0"),
        (72.5, "72.5"),
        (85.0, "85.0"),
        (0.5, "0.5"),
        (D("72.5"), "72.5"),
        (D("72.50"), "72.5"),
        (D(100), "100.0"),
        ("72", "72.0"),
        ("72.5", "72.5"),
        ("72.0", "72.0"),
        (" 85 ", "85.0"),
        ("\t60.5\n", "60.5"),
        ("100", "100.0"),
        ("0", "0.0"),
        ("+40", "40.0"),
    ],
)
def test_parse_score_accepts_numbers_and_half_points(raw, expected):
    value = parse_score(raw, HUNDRED)
    assert isinstance(value, Decimal)
    assert value == D(expected)
    assert value.as_tuple().exponent == -1  # quantized to 0.1
    assert str(value) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "缺考", " 缺考 ", "\u3000缺考\u3000", "缺", "缺席"])
def test_parse_score_reads_absence_as_none(raw):
    assert parse_score(raw, HUNDRED) is None


@pytest.mark.parametrize(
    ("raw", "full_marks", "message"),
    [
        ("abc", "100", "“abc”不是有效分数"),
        (" abc ", "100", "“abc”不是有效分数"),
        ("72.5分", "100", "不是有效分数"),
        (-1, "100", "小于0"),
        ("-1", "100", "小于0"),
        (D("-0.5"), "100", "小于0"),
        (100.5, "100", "超过满分100"),
        ("100.5", "100", "超过满分100"),
        (D("150.5"), "150", "超过满分150"),
        (121, "120", "超过满分120"),
        (72.3, "100", "须为整数或半分"),
        ("72.3", "100", "须为整数或半分"),
        (D("72.25"), "100", "须为整数或半分"),
        (True, "100", "逻辑值"),
        (False, "100", "逻辑值"),
        (float("nan"), "100", "不是有效数字"),
        (float("inf"), "100", "不是有效数字"),
        (D("Infinity"), "100", "不是有效数字"),
        (D("NaN"), "100", "不是有效数字"),
        ("NaN", "100", "不是有效数字"),
        ("Infinity", "100", "不是有效数字"),
        ([72], "100", "不是有效分数"),
    ],
)
def test_parse_score_rejects_bad_cells_in_chinese(raw, full_marks, message):
    with pytest.raises(ScoreError) as excinfo:
        parse_score(raw, D(full_marks))
    text = str(excinfo.value)
    assert message in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "“abc”不是有效分数（缺考请填“缺考”或留空）。"),
        (-1, "分数-1小于0。"),
        (100.5, "分数100.5超过满分100。"),
        (72.3, "分数72.3须为整数或半分（如 72.5）。"),
        (True, "分数不能是逻辑值。"),
        (float("nan"), "分数不是有效数字。"),
        (D("Infinity"), "分数不是有效数字。"),
    ],
)
def test_parse_score_messages_read_well(raw, message):
    with pytest.raises(ScoreError) as excinfo:
        parse_score(raw, HUNDRED)
    assert str(excinfo.value) == message


def test_score_error_is_a_value_error():
    assert issubclass(ScoreError, ValueError)


def test_parse_score_respects_other_full_marks():
    assert parse_score("150", D(150)) == D(150)
    assert parse_score(119.5, D(120)) == D("119.5")


# ---- rate, mean, SD -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [
        (0, 10, "0.0000"),
        (10, 10, "1.0000"),
        (1, 3, "0.3333"),
        (2, 3, "0.6667"),
        (1, 8, "0.1250"),
        (1, 32, "0.0313"),  # 0.03125: half-up, not half-even (0.0312)
        (3, 32, "0.0938"),  # 0.09375
        (1, 160000, "0.0000"),  # 0.00000625
        (1, 20000, "0.0001"),  # 0.00005 rounds up
        (857, 1000, "0.8570"),
    ],
)
def test_rate_rounds_half_up_to_four_places(count, total, expected):
    value = rate(count, total)
    assert value == D(expected)
    assert str(value) == expected


def test_rate_is_none_when_nobody_sat():
    assert rate(0, 0) is None


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ((2, 4, 4, 4, 5, 5, 7, 9), "5.00"),
        ((85,), "85.00"),
        ((1, 2), "1.50"),
        ((1, 2, 2), "1.67"),
        ((0.5, 1, 1), "0.83"),
        ((85, 60, 39.5, 40), "56.13"),  # 56.125 half-up
        ((100, 100, 99.5), "99.83"),
    ],
)
def test_mean_against_hand_computed_values(scores, expected):
    assert str(mean(decimals(*scores))) == expected


def test_mean_of_nothing_is_none():
    assert mean([]) is None


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ((2, 4, 4, 4, 5, 5, 7, 9), "2.00"),  # population SD; the sample SD would be 2.14
        ((5,), "0.00"),
        ((70, 70, 70), "0.00"),
        ((0, 100), "50.00"),
        ((1, 2, 3, 4), "1.12"),  # √1.25 = 1.1180…
        ((60, 80), "10.00"),
    ],
)
def test_population_sd_against_hand_computed_values(scores, expected):
    assert str(population_sd(decimals(*scores))) == expected


def test_population_sd_is_not_the_sample_sd():
    scores = decimals(2, 4, 4, 4, 5, 5, 7, 9)
    assert population_sd(scores) == D(2)
    assert round(statistics.stdev(scores), 2) == D("2.14")


def test_population_sd_of_nothing_is_none():
    assert population_sd([]) is None


@pytest.mark.parametrize("seed", [1, 2, 3, 17, 2024, 31337])
def test_sd_from_sums_agrees_with_population_sd(seed):
    rng = random.Random(seed)
    full = rng.choice([100, 120, 150])
    n = rng.randint(1, 2000)
    scores = [D(rng.randint(0, full * 2)) / 2 for _ in range(n)]
    from_sums = sd_from_sums(n, sum(scores, D(0)), sum((s * s for s in scores), D(0)))
    direct = population_sd(scores)
    assert abs(from_sums - direct) <= D("0.01")
    assert abs(direct - D(str(statistics.pstdev(scores))).quantize(D("0.01"))) <= D("0.01")


def test_sd_from_sums_on_the_textbook_data():
    scores = decimals(2, 4, 4, 4, 5, 5, 7, 9)
    assert sd_from_sums(8, sum(scores), sum(s * s for s in scores)) == D("2.00")


def test_sd_from_sums_of_one_score_is_zero():
    assert sd_from_sums(1, D("72.5"), D("5256.25")) == D("0.00")


def test_sd_from_sums_clamps_a_slightly_negative_variance_to_zero():
    # Σx² a hair under (Σx)²/n, as rounding in an aggregate can leave it.
    assert sd_from_sums(3, D(300), D("29999.99")) == D("0.00")


def test_sd_from_sums_of_nobody_is_none():
    assert sd_from_sums(0, D(0), D(0)) is None


# ---- summarise ------------------------------------------------------------------------------------


def test_summarise_counts_absentees_apart_and_excludes_them_from_rates():
    cells = [None, *decimals(85, 60, 39.5, 40), None]
    s = summarise(cells, T100)
    assert (s.sitters, s.absentees) == (4, 2)
    assert (s.excellent, s.good, s.passed, s.low) == (1, 1, 2, 1)
    assert (s.excellent_rate, s.good_rate, s.pass_rate, s.low_rate) == (D("0.25"), D("0.25"), D("0.5"), D("0.25"))
    assert s.mean == D("56.13")
    assert s.sd == population_sd(decimals(85, 60, 39.5, 40)) == D("18.61")
    assert (s.max, s.min) == (D(85), D("39.5"))


def test_summarise_absentees_do_not_count_as_zero():
    with_absent = summarise([D(80), None, None, None], T100)
    assert with_absent.mean == D(80)
    assert with_absent.pass_rate == D(1)
    assert with_absent.low_rate == D(0)
    assert with_absent.min == D(80)


def test_summarise_edges_on_the_lines():
    s = summarise(decimals(85, 70, 60, 40, 39.5), T100)
    assert (s.excellent, s.good, s.passed, s.low) == (1, 2, 3, 1)
    assert s.excellent_rate == D("0.2000")
    assert s.pass_rate == D("0.6000")


def test_summarise_with_everybody_absent():
    s = summarise([None, None], T100)
    assert (s.sitters, s.absentees) == (0, 2)
    assert s.mean is s.sd is s.max is s.min is None
    assert s.excellent_rate is s.good_rate is s.pass_rate is s.low_rate is None


def test_summarise_of_an_empty_group():
    s = summarise([], T100)
    assert (s.sitters, s.absentees, s.excellent, s.passed, s.low) == (0, 0, 0, 0, 0)
    assert s.mean is None and s.pass_rate is None


def test_summarise_accepts_a_generator_and_other_full_marks():
    t = Thresholds(full_marks=D(150))
    s = summarise((c for c in [D("127.5"), D(90), D("59.5"), None]), t)
    assert (s.sitters, s.absentees, s.excellent, s.passed, s.low) == (3, 1, 1, 2, 1)
    assert s.pass_rate == D("0.6667")


@pytest.mark.parametrize(
    ("mean_score", "full_marks", "expected"),
    [
        ("56.13", "100", "0.5613"),
        ("127.5", "150", "0.8500"),
        ("90", "120", "0.7500"),
        ("100", "150", "0.6667"),
        ("0", "100", "0.0000"),
    ],
)
def test_score_rate_is_mean_over_full_marks(mean_score, full_marks, expected):
    assert str(score_rate(D(mean_score), D(full_marks))) == expected


@pytest.mark.parametrize(("mean_score", "full_marks"), [(None, "100"), ("50", "0")])
def test_score_rate_without_a_mean_or_full_marks_is_none(mean_score, full_marks):
    assert score_rate(None if mean_score is None else D(mean_score), D(full_marks)) is None


# ---- Score bands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "full_marks", "share", "expected"),
    [
        ("0", "100", "0.1", 0),
        ("9.5", "100", "0.1", 0),
        ("10", "100", "0.1", 1),
        ("59.5", "100", "0.1", 5),
        ("60", "100", "0.1", 6),
        ("89.5", "100", "0.1", 8),
        ("90", "100", "0.1", 9),
        ("99.5", "100", "0.1", 9),
        ("100", "100", "0.1", 9),  # full marks in the top band
        ("0", "150", "0.1", 0),
        ("14.5", "150", "0.1", 0),
        ("15", "150", "0.1", 1),
        ("134.5", "150", "0.1", 8),
        ("135", "150", "0.1", 9),
        ("150", "150", "0.1", 9),
        ("0", "100", "0.2", 0),
        ("19.5", "100", "0.2", 0),
        ("20", "100", "0.2", 1),
        ("79.5", "100", "0.2", 3),
        ("80", "100", "0.2", 4),
        ("100", "100", "0.2", 4),
        ("23.5", "120", "0.2", 0),
        ("24", "120", "0.2", 1),
        ("96", "120", "0.2", 4),
        ("120", "120", "0.2", 4),
    ],
)
def test_band_index(score, full_marks, share, expected):
    assert band_index(D(score), D(full_marks), D(share)) == expected


def test_band_index_defaults_to_ten_percent_bands():
    assert band_index(D("89.5"), HUNDRED) == 8
    assert band_index(D(100), HUNDRED) == 9


@pytest.mark.parametrize(("share", "expected"), [("0.1", 10), ("0.2", 5), ("0.25", 4), ("0.05", 20), ("0.5", 2)])
def test_band_count(share, expected):
    assert band_count(D(share)) == expected


def test_band_count_defaults_to_ten():
    assert band_count() == 10


@pytest.mark.parametrize(
    ("full_marks", "share", "expected"),
    [
        (
            "100",
            "0.1",
            [
                "[0, 10)",
                "[10, 20)",
                "[20, 30)",
                "[30, 40)",
                "[40, 50)",
                "[50, 60)",
                "[60, 70)",
                "[70, 80)",
                "[80, 90)",
                "[90, 100]",
            ],
        ),
        ("100", "0.2", ["[0, 20)", "[20, 40)", "[40, 60)", "[60, 80)", "[80, 100]"]),
        ("120", "0.2", ["[0, 24)", "[24, 48)", "[48, 72)", "[72, 96)", "[96, 120]"]),
        ("150", "0.2", ["[0, 30)", "[30, 60)", "[60, 90)", "[90, 120)", "[120, 150]"]),
        ("150", "0.25", ["[0, 37.5)", "[37.5, 75)", "[75, 112.5)", "[112.5, 150]"]),
    ],
)
def test_band_labels(full_marks, share, expected):
    assert band_labels(D(full_marks), D(share)) == expected


def test_band_labels_for_150_close_the_top_band():
    labels = band_labels(D(150))
    assert len(labels) == 10
    assert labels[0] == "[0, 15)"
    assert labels[8] == "[120, 135)"
    assert labels[-1] == "[135, 150]"


def test_band_labels_match_band_index():
    labels = band_labels(HUNDRED)
    assert labels[band_index(D("89.5"), HUNDRED)] == "[80, 90)"
    assert labels[band_index(D(90), HUNDRED)] == "[90, 100]"
    assert labels[band_index(D(100), HUNDRED)] == "[90, 100]"


# ---- Borderline students --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "line", "margin", "expected"),
    [
        ("60", "60", "5", False),  # at the line is not borderline
        ("60.5", "60", "5", False),
        ("59.5", "60", "5", True),
        ("57", "60", "5", True),
        ("55", "60", "5", True),  # exactly margin below
        ("54.5", "60", "5", False),
        ("0", "60", "5", False),
        ("84.5", "85", "3", True),
        ("82", "85", "3", True),
        ("81.5", "85", "3", False),
        ("127", "127.5", "0.5", True),
        ("126.5", "127.5", "0.5", False),
        ("59.5", "60", "0", False),
    ],
)
def test_is_borderline(score, line, margin, expected):
    assert is_borderline(D(score), D(line), D(margin)) is expected


# ---- Against the city -----------------------------------------------------------------------------


def test_against_city_on_known_numbers():
    result = against_city(D(80), D(75), D(10))
    assert result == AgainstCity(D("5.00"), D("0.0667"), D("1.0667"), D("55.00"))
    assert str(result.deviation) == "5.00"
    assert str(result.over_mean_rate) == "0.0667"
    assert str(result.ratio_to_mean) == "1.0667"
    assert str(result.t_score) == "55.00"


@pytest.mark.parametrize(
    ("school", "city", "sd", "expected"),
    [
        ("70", "75", "10", ("-5.00", "-0.0667", "0.9333", "45.00")),
        ("75", "75", "10", ("0.00", "0.0000", "1.0000", "50.00")),
        ("75.5", "70.25", "12.5", ("5.25", "0.0747", "1.0747", "54.20")),
        ("90", "60", "15", ("30.00", "0.5000", "1.5000", "70.00")),
    ],
)
def test_against_city_table(school, city, sd, expected):
    result = against_city(D(school), D(city), D(sd))
    assert tuple(str(v) for v in (result.deviation, result.over_mean_rate, result.ratio_to_mean, result.t_score)) == (
        expected
    )


@pytest.mark.parametrize("city_sd", [D(0), None])
def test_against_city_without_a_city_spread_has_no_t_score(city_sd):
    result = against_city(D(80), D(75), city_sd)
    assert result.t_score is None
    assert (result.deviation, result.over_mean_rate, result.ratio_to_mean) == (D(5), D("0.0667"), D("1.0667"))


@pytest.mark.parametrize(("school", "city"), [(None, D(75)), (D(80), None), (None, None)])
def test_against_city_without_a_mean_is_all_none(school, city):
    assert against_city(school, city, D(10)) == AgainstCity(None, None, None, None)


def test_against_city_with_a_zero_city_mean_has_no_ratios():
    result = against_city(D(5), D(0), D(2))
    assert result.deviation == D(5)
    assert result.over_mean_rate is None
    assert result.ratio_to_mean is None
    assert result.t_score == D(75)


# ---- Ranks and grades -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((90, 85, 85, 70), [1, 2, 2, 4]),
        ((70, 85, 90, 85), [4, 2, 1, 2]),
        ((80, 80, 80), [1, 1, 1]),
        ((80,), [1]),
        ((), []),
        ((90, None, 85, 85, None, 70), [1, None, 2, 2, None, 4]),
        ((None, None), [None, None]),
        ((90, 90, 85, 85, 85, 10), [1, 1, 3, 3, 3, 6]),
        ((72.5, 72, 72.5), [1, 3, 1]),
    ],
)
def test_competition_ranks(values, expected):
    cells = [None if v is None else D(str(v)) for v in values]
    assert competition_ranks(cells) == expected


def test_competition_ranks_treat_equal_decimals_as_ties():
    assert competition_ranks([D("85"), D("85.00"), D("84.99")]) == [1, 1, 3]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", "A"),
        ("0.85", "A"),
        ("0.8499", "B"),
        ("0.70", "B"),
        ("0.6999", "C"),
        ("0.60", "C"),
        ("0.5999", "D"),
        ("0", "D"),
    ],
)
def test_grade_for_letters_at_the_exact_lines(value, expected):
    assert grade_for(D(value)) == expected


def test_grade_for_nothing_is_blank():
    assert grade_for(None) == ""


# ---- Bottom places --------------------------------------------------------------------------------


@pytest.mark.parametrize(("rank", "expected"), [(r, r >= 8) for r in range(1, 11)])
def test_in_bottom_three_of_ten(rank, expected):
    assert in_bottom(rank, 10, 3) is expected


@pytest.mark.parametrize(
    ("rank", "ranked", "places", "expected"),
    [
        (None, 10, 3, False),
        (1, 1, 3, False),  # a lone school is never at the bottom
        (1, 0, 3, False),
        (1, 2, 3, False),
        (2, 2, 3, True),  # two schools: only the last
        (1, 3, 3, False),
        (3, 3, 3, True),
        (1, 4, 3, False),
        (4, 4, 3, True),
        (9, 10, 2, True),
        (8, 10, 2, False),
        (10, 10, 1, True),
        (9, 10, 1, False),
        (5, 10, 5, False),
        (6, 10, 5, True),
    ],
)
def test_in_bottom_edges(rank, ranked, places, expected):
    assert in_bottom(rank, ranked, places) is expected


# ---- Early warnings -------------------------------------------------------------------------------


def position(subject, rank, ranked=10, **kwargs):
    return SubjectPosition(subject=subject, rank=rank, ranked_schools=ranked, **kwargs)


def kinds(flags):
    return [(f.kind, f.subject) for f in flags]


def test_consecutive_bottom_names_subject_and_both_ranks():
    flags = warnings_for([position("数学", 9, previous_rank=8, previous_ranked_schools=10)])
    assert flags == [
        Flag(
            "consecutive_bottom",
            "数学",
            "数学连续两次监测居同类学校后3名（本次第9/10名，上次第8/10名）。",
        )
    ]


@pytest.mark.parametrize(
    ("rank", "previous_rank", "flagged"),
    [
        (10, 10, True),
        (8, 8, True),
        (8, 7, False),  # previously just above the bottom three
        (7, 8, False),  # now just above
        (10, None, False),  # no comparable exam
        (None, 10, False),  # nobody sat this time
    ],
)
def test_consecutive_bottom_needs_both_exams(rank, previous_rank, flagged):
    flags = warnings_for([position("语文", rank, previous_rank=previous_rank, previous_ranked_schools=10)])
    assert ("consecutive_bottom" in [f.kind for f in flags]) is flagged


def test_consecutive_bottom_uses_the_previous_group_size():
    # 8th of 12 last time is not the bottom three of that exam.
    flags = warnings_for([position("英语", 10, previous_rank=8, previous_ranked_schools=12)])
    assert "consecutive_bottom" not in [f.kind for f in flags]
    flags = warnings_for([position("英语", 10, previous_rank=10, previous_ranked_schools=12)])
    assert kinds(flags) == [("consecutive_bottom", "英语")]
    assert "上次第10/12名" in flags[0].reason


def test_multi_subject_bottom_is_one_flag_listing_the_subjects():
    flags = warnings_for([position("语文", 9), position("数学", 10), position("英语", 2)])
    assert flags == [Flag("multi_subject_bottom", "", "本次监测2个学科居同类学校后3名：语文、数学。")]


def test_multi_subject_bottom_lists_three_subjects():
    flags = warnings_for([position("语文", 8), position("数学", 9), position("英语", 10)])
    assert kinds(flags) == [("multi_subject_bottom", "")]
    assert "3个学科" in flags[0].reason
    assert "语文、数学、英语" in flags[0].reason


def test_one_bottom_subject_alone_raises_nothing():
    assert warnings_for([position("语文", 10), position("数学", 7)]) == []


def test_multi_subject_bottom_needs_no_previous_exam():
    flags = warnings_for([position("语文", 9), position("数学", 10)])
    assert kinds(flags) == [("multi_subject_bottom", "")]


@pytest.mark.parametrize(
    ("previous_rank", "rank", "flagged"),
    [
        (2, 7, True),  # exactly 5 places
        (1, 10, True),
        (2, 6, False),  # 4 places
        (7, 2, False),  # a rise
        (5, 5, False),
    ],
)
def test_sharp_fall_by_rank(previous_rank, rank, flagged):
    flags = warnings_for([position("物理", rank, ranked=20, previous_rank=previous_rank, previous_ranked_schools=20)])
    assert (("sharp_fall", "物理") in kinds(flags)) is flagged


def test_sharp_fall_by_rank_states_the_drop():
    flags = warnings_for([position("物理", 7, ranked=20, previous_rank=2, previous_ranked_schools=20)])
    assert flags == [Flag("sharp_fall", "物理", "物理成绩大幅下滑：名次下降5位（第2名→第7名）。")]


@pytest.mark.parametrize(
    ("before", "now", "flagged"),
    [
        ("0.5000", "0.4000", True),  # exactly 10 points
        ("0.9000", "0.7000", True),
        ("0.5000", "0.4010", False),  # 9.9 points
        ("0.4000", "0.5000", False),  # a rise
        ("0.5000", None, False),
        (None, "0.1000", False),
    ],
)
@pytest.mark.parametrize("which", ["excellent", "pass"])
def test_sharp_fall_by_rate(which, before, now, flagged):
    kwargs = {
        f"{which}_rate": None if now is None else D(now),
        f"previous_{which}_rate": None if before is None else D(before),
    }
    flags = warnings_for([position("化学", 3, previous_rank=3, previous_ranked_schools=10, **kwargs)])
    assert (("sharp_fall", "化学") in kinds(flags)) is flagged


def test_sharp_fall_by_rate_states_both_percentages():
    flags = warnings_for(
        [position("化学", 3, excellent_rate=D("0.4000"), previous_excellent_rate=D("0.5000"))],
    )
    assert flags == [Flag("sharp_fall", "化学", "化学成绩大幅下滑：优秀率下降10.0个百分点（50.0%→40.0%）。")]


def test_sharp_fall_collects_every_reason_in_one_flag():
    p = position(
        "生物",
        9,
        ranked=20,
        previous_rank=3,
        previous_ranked_schools=20,
        excellent_rate=D("0.2000"),
        previous_excellent_rate=D("0.3500"),
        pass_rate=D("0.6000"),
        previous_pass_rate=D("0.8000"),
    )
    flags = warnings_for([p])
    assert flags == [
        Flag(
            "sharp_fall",
            "生物",
            "生物成绩大幅下滑：名次下降6位（第3名→第9名）；"
            "优秀率下降15.0个百分点（35.0%→20.0%）；及格率下降20.0个百分点（80.0%→60.0%）。",
        )
    ]


def test_no_previous_exam_means_no_consecutive_or_fall_flags():
    positions = [
        position("语文", 10, excellent_rate=D("0.1"), pass_rate=D("0.2")),
        position("数学", 9, excellent_rate=D("0"), pass_rate=D("0.1")),
    ]
    assert kinds(warnings_for(positions)) == [("multi_subject_bottom", "")]


def test_a_school_in_the_middle_raises_nothing():
    p = position(
        "语文",
        4,
        previous_rank=5,
        previous_ranked_schools=10,
        excellent_rate=D("0.3"),
        previous_excellent_rate=D("0.3"),
        pass_rate=D("0.9"),
        previous_pass_rate=D("0.85"),
    )
    assert warnings_for([p]) == []


def test_warnings_for_nothing_is_empty():
    assert warnings_for([]) == []


def test_all_three_kinds_together_in_order():
    positions = [
        position("语文", 10, previous_rank=9, previous_ranked_schools=10),
        position("数学", 9, previous_rank=2, previous_ranked_schools=10),
    ]
    assert kinds(warnings_for(positions)) == [
        ("consecutive_bottom", "语文"),
        ("multi_subject_bottom", ""),
        ("sharp_fall", "数学"),
    ]


def test_a_lone_school_is_never_at_the_bottom():
    positions = [
        position("语文", 1, ranked=1, previous_rank=1, previous_ranked_schools=1),
        position("数学", 1, ranked=1),
    ]
    assert warnings_for(positions) == []


def test_custom_bottom_places_widen_the_bottom():
    positions = [position("语文", 6, previous_rank=6, previous_ranked_schools=10), position("数学", 7)]
    assert warnings_for(positions) == []
    flags = warnings_for(positions, WarningRules(bottom_places=5))
    assert kinds(flags) == [("consecutive_bottom", "语文"), ("multi_subject_bottom", "")]
    assert "后5名" in flags[0].reason and "后5名" in flags[1].reason


def test_custom_subjects_for_multi():
    positions = [position("语文", 9), position("数学", 10)]
    assert warnings_for(positions, WarningRules(subjects_for_multi=3)) == []
    assert kinds(warnings_for([position("语文", 9)], WarningRules(subjects_for_multi=1))) == [
        ("multi_subject_bottom", "")
    ]


def test_custom_rank_drop():
    p = position("物理", 5, ranked=20, previous_rank=2, previous_ranked_schools=20)
    assert warnings_for([p]) == []
    assert kinds(warnings_for([p], WarningRules(rank_drop=3))) == [("sharp_fall", "物理")]
    assert warnings_for([p], WarningRules(rank_drop=4)) == []


def test_custom_rate_drop():
    p = position("物理", 3, pass_rate=D("0.8500"), previous_pass_rate=D("0.9000"))
    assert warnings_for([p]) == []
    assert kinds(warnings_for([p], WarningRules(rate_drop=D("0.05")))) == [("sharp_fall", "物理")]
    big = position("物理", 3, pass_rate=D("0.7000"), previous_pass_rate=D("0.9000"))
    assert warnings_for([big], WarningRules(rate_drop=D("0.25"))) == []


# ---- percent --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.8567", "85.7"),
        ("0.8565", "85.7"),  # half-up
        ("0.8564", "85.6"),
        ("1", "100.0"),
        ("0", "0.0"),
        ("0.0000", "0.0"),
        ("0.25", "25.0"),
        ("0.0005", "0.1"),
        ("0.10", "10.0"),
    ],
)
def test_percent(value, expected):
    assert percent(D(value)) == expected


def test_percent_of_nothing_is_blank():
    assert percent(None) == ""


# ---- 基本要求 follow the school's stage (issue 14 §7) ----------------------------------------------


@pytest.mark.parametrize(
    ("indicator_stages", "school_stages", "applies"),
    [
        ("", "小学", True),  # a line for every school
        ("", "", True),
        ("小学", "小学", True),
        ("初中", "小学", False),  # the 初中 sleep line is not a 小学's
        ("小学", "初中", False),
        ("初中", "小学+初中", True),  # a 九年一贯制 school is judged on both sleep lines
        ("小学", "小学+初中", True),
        ("初中", "初中+高中", True),  # 完全中学
        ("小学", "小学+初中(+高中)", True),  # special schools write optional stages in brackets
        ("初中", "", False),  # stages unknown: judged on the lines for every school only
        ("小学+初中", "初中", True),
    ],
)
def test_an_indicator_applies_to_a_school_that_teaches_one_of_its_stages(indicator_stages, school_stages, applies):
    assert rules.indicator_applies(indicator_stages, school_stages) is applies
