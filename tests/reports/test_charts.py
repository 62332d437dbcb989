import re

import pytest

from reports import charts


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1.0), (-3, 1.0), (7, 10), (10, 10), (11, 20), (23, 25), (77.5, 100), (100, 100), (101, 200)],
)
def test_nice_ceiling(value, expected):
    assert charts.nice_ceiling(value) == expected


def test_every_id_in_a_chart_starts_with_its_prefix():
    svg = charts.bar_chart(["语文", "数学"], [("本校", [80, 70]), ("全市", [75, None])], id_prefix="r7-e0-rate")
    ids = re.findall(r'id="([^"]+)"', svg)
    assert ids and all(i.startswith("r7-e0-rate") for i in ids)
    line = charts.line_chart(["0-10", "10-20"], [("本校", [10, 90])], id_prefix="r7-e0-bands")
    assert set(re.findall(r'id="([^"]+)"', line)).isdisjoint(ids)


def test_labels_are_escaped():
    svg = charts.bar_chart(["<script>x</script>"], [("<b>名</b>", [1])], id_prefix="p", title="a&b")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in svg and "a&amp;b" in svg


def test_a_missing_value_draws_no_bar_and_bars_scale_to_the_maximum():
    svg = charts.bar_chart(["甲", "乙"], [("本校", [50, None])], id_prefix="p", max_value=100, height=260)
    bars = re.findall(r'<rect id="p-bar-0-(\d)"[^>]*height="([\d.]+)"', svg)
    assert [index for index, _ in bars] == ["0"]
    assert float(bars[0][1]) == pytest.approx((260 - 14 - 46) / 2, abs=0.2)


def test_line_chart_has_a_point_per_value():
    svg = charts.line_chart(["a", "b", "c"], [("s", [1, None, 3])], id_prefix="q")
    assert svg.count("<circle") == 2
