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


def test_a_score_band_label_is_not_cut_where_it_fits():
    labels = ["[0, 10)", "[10, 20)", "[20, 30)", "[30, 40)", "[40, 50)", "[50, 60)"]
    labels += ["[60, 70)", "[70, 80)", "[80, 90)", "[90, 100]"]
    svg = charts.line_chart(labels, [("本校", [1] * 10)], id_prefix="b")
    assert "[10, 20)" in svg and "[90, 100]" in svg and "…" not in svg


def test_a_long_chinese_label_is_cut_with_an_ellipsis():
    names = [f"白山市第{n}实验中学附属小学" for n in range(20)]
    svg = charts.bar_chart(names, [("得分率", [50] * 20)], id_prefix="c")
    assert "白山市第0实验中学附属小学" not in svg and "…" in svg
