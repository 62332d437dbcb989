"""Words and numbers as the portal prints them (issue 14 §7): eduquality/words.py and its filters."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from eduquality import words


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("120.0"), "120"),
        (Decimal("100.00"), "100"),
        (Decimal("1E+2"), "100"),  # what Decimal.normalize() makes of 100, never printed as such
        (Decimal("97.5"), "97.5"),
        (Decimal("97.50"), "97.5"),
        (Decimal("0.5"), "0.5"),
        (Decimal("0.0"), "0"),
        (10, "10"),
        ("150.0", "150"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_a_whole_mark_is_printed_without_decimals(value, text):
    assert words.figure(value) == text


@pytest.mark.parametrize(
    ("level", "text"),
    [
        (None, "未评定"),  # no rating yet
        (0, "未达星级"),  # rated, below one star
        (1, "★☆☆☆☆"),
        (3, "★★★☆☆"),
        (5, "★★★★★"),
    ],
)
def test_a_star_level_is_printed_as_stars_or_one_of_the_two_words(level, text):
    assert words.stars(level) == text


@pytest.mark.parametrize(
    ("level", "text"), [(None, "未评定"), (0, "未达星级"), (4, "★★★★☆（四星级）"), (5, "★★★★★（五星级）")]
)
def test_a_star_label_adds_the_level_in_words(level, text):
    assert words.star_label(level) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("1.00"), "是"), (Decimal("0.00"), "否"), (1, "是"), (True, "是"), (False, "否"), (None, "—")],
)
def test_a_yes_no_figure_is_printed_as_shi_or_fou(value, text):
    assert words.yes_no(value) == text


def test_the_template_filters_are_the_same_functions():
    rendered = Template(
        "{% load ui %}{{ marks|figure }} {{ three|stars }} {{ none|stars }} {{ zero|stars }} {{ one|yes_no }}"
    ).render(Context({"marks": Decimal("120.0"), "three": 3, "none": None, "zero": 0, "one": Decimal("1.00")}))
    assert rendered == "120 ★★★☆☆ 未评定 未达星级 是"


def test_the_inspections_star_words_are_the_cores():
    from inspections import rules

    assert rules.stars is words.stars and rules.star_label is words.star_label
