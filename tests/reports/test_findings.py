"""Findings: each statement's wording agrees with the number it prints (hand-worked and random)."""

import random
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import findings
from reports.findings import (
    NEUTRAL,
    STRENGTH,
    WEAKNESS,
    FindingLines,
    RateBeside,
    SubjectFigures,
    ValueAddedFigures,
)
from schools.models import Subject
from tests.reports.factories import ReportFactory

D = Decimal


def figures(**overrides) -> SubjectFigures:
    values = {
        "subject": "数学",
        "full_marks": D(100),
        "sitters": 120,
        "mean": D("70.00"),
        "city_mean": D("77.70"),
    }
    values.update(overrides)
    return SubjectFigures(**values)


def test_a_seven_point_gap_is_never_called_level():
    finding = findings.mean_against_city(figures())
    assert finding.tone == WEAKNESS
    assert finding.text == "数学平均分70.0分，低于全市7.7分。"
    assert "持平" not in finding.text


@pytest.mark.parametrize(
    ("mean", "tone", "text"),
    [
        ("79.70", NEUTRAL, "数学平均分79.7分，与全市基本持平（相差2.0分）。"),  # exactly on the line
        ("79.75", STRENGTH, "数学平均分79.8分，高于全市2.1分。"),  # 2.05 prints 2.1: over the line
        ("75.70", NEUTRAL, "数学平均分75.7分，与全市基本持平（相差2.0分）。"),
        ("75.60", WEAKNESS, "数学平均分75.6分，低于全市2.1分。"),
    ],
)
def test_the_level_line_is_read_from_the_printed_gap(mean, tone, text):
    finding = findings.mean_against_city(figures(mean=D(mean)))
    assert (finding.tone, finding.text) == (tone, text)


def test_the_level_line_follows_full_marks():
    # 3 points off on a 150-mark paper is within 2 % (3.0 points); on a 100-mark paper it is not.
    assert findings.mean_against_city(figures(full_marks=D(150), mean=D("74.70"))).tone == NEUTRAL
    assert findings.mean_against_city(figures(full_marks=D(100), mean=D("74.70"))).tone == WEAKNESS


def test_nobody_sat_says_nothing():
    assert findings.mean_against_city(figures(sitters=0)) is None
    assert findings.subject_findings(figures(sitters=0, mean=None)) == []


def test_a_higher_low_score_rate_is_a_weakness():
    found = findings.rates_against_city(
        figures(low_rate=D("0.2000"), city_low_rate=D("0.1000"), pass_rate=D("0.9"), city_pass_rate=D("0.8"))
    )
    by_text = {f.text: f.tone for f in found}
    assert by_text == {
        "数学及格率90.0%，高于全市（80.0%）10.0个百分点。": STRENGTH,
        "数学低分率20.0%，高于全市（10.0%）10.0个百分点。": WEAKNESS,
    }


def test_rates_within_the_line_are_not_listed():
    assert findings.rates_against_city(figures(excellent_rate=D("0.31"), city_excellent_rate=D("0.28"))) == []


@pytest.mark.parametrize(
    ("rank", "of", "tone", "where"),
    [
        (1, 30, STRENGTH, "居前列"),
        (10, 30, STRENGTH, "居前列"),
        (11, 30, NEUTRAL, "居中游"),
        (21, 30, WEAKNESS, "居后列"),
    ],
)
def test_place_among_peers(rank, of, tone, where):
    finding = findings.place_among_peers(figures(rank=rank, ranked_schools=of))
    assert finding.tone == tone
    assert finding.text == f"数学在同类学校中列第{rank}名（共{of}所），{where}。"


def test_a_grade_policy_prints_the_grade_and_never_the_place():
    finding = findings.place_among_peers(figures(rank=32, ranked_schools=35, grade_letter="C"))
    assert finding.text == "数学在同类学校中为C等。"
    assert "32" not in finding.text
    change = findings.change_since_comparable(figures(rank=32, ranked_schools=35, previous_rank=20, grade_letter="C"))
    assert change is None


def test_change_reads_the_gap_to_the_city_then_and_now():
    finding = findings.change_since_comparable(
        figures(mean=D("70.0"), city_mean=D("77.7"), previous_mean=D("68.0"), city_previous_mean=D("79.1"))
    )
    assert finding.tone == STRENGTH
    assert finding.text == "数学与全市平均分之差由上次的-11.1分变为-7.7分（变化+3.4分），相对全市有所进步。"


def test_change_falls_back_to_places_without_means():
    finding = findings.change_since_comparable(figures(city_mean=None, rank=8, previous_rank=12))
    assert (finding.tone, finding.text) == (STRENGTH, "数学在同类学校中的名次由第12名变为第8名，上升4位。")
    steady = findings.change_since_comparable(figures(city_mean=None, rank=10, previous_rank=12))
    assert steady.tone == NEUTRAL and "基本稳定" in steady.text


def test_class_gap_names_the_highest_and_lowest_class():
    finding = findings.class_gap("语文", [("1班", D("82.14")), ("2班", D("75")), ("3班", D("70.44"))], D(100))
    assert finding.tone == WEAKNESS
    assert finding.text.startswith("语文各班平均分最高为1班（82.1分），最低为3班（70.4分），相差11.7分（满分的11.7%）")
    even = findings.class_gap("语文", [("1班", D("80")), ("2班", D("78"))], D(100))
    assert even.tone == NEUTRAL and "均衡" in even.text
    assert findings.class_gap("语文", [("1班", D("80"))], D(100)) is None


def test_weakest_knowledge_points_are_those_furthest_below_the_city():
    rows = [
        RateBeside("函数", D("0.52"), D("0.603")),
        RateBeside("方程", D("0.70"), D("0.71")),  # 1 point below: within the line
        RateBeside("几何证明", D("0.40"), D("0.55")),
        RateBeside("统计", D("0.90"), D("0.80")),
    ]
    found = findings.weakest("数学", rows, kind="knowledge_point", noun="知识点")
    assert [f.text for f in found] == [
        "数学知识点“几何证明”得分率40.0%，低于全市（55.0%）15.0个百分点。",
        "数学知识点“函数”得分率52.0%，低于全市（60.3%）8.3个百分点。",
    ]
    assert findings.weakest("数学", rows, kind="item", noun="", lines=FindingLines(weakest_count=1))[0].value == D(
        "-15.0"
    )


@pytest.mark.parametrize(
    ("low", "high", "tone", "verdict"),
    [
        ("0.4", "3.0", STRENGTH, "显著高于"),
        ("-3.0", "-0.1", WEAKNESS, "显著低于"),
        ("-0.5", "2.0", NEUTRAL, "无显著差异"),
        ("0.0", "2.0", NEUTRAL, "无显著差异"),  # an interval touching 0 does not exclude it
    ],
)
def test_value_added_is_classified_by_its_interval(low, high, tone, verdict):
    finding = findings.value_added(ValueAddedFigures("总分", D("1.2"), D(low), D(high)))
    assert finding.tone == tone
    assert verdict in finding.text


def test_value_added_with_too_few_students_is_not_classified():
    finding = findings.value_added(ValueAddedFigures("总分", D("5"), D("1"), D("9"), classified=False))
    assert finding.tone == NEUTRAL and "不作判断" in finding.text


def test_the_paragraph_keeps_each_subject_together():
    found = [
        findings.Finding("city", WEAKNESS, "数学", "数弱。", D(-1)),
        findings.Finding("city", NEUTRAL, "语文", "语平。", D(0)),
        findings.Finding("city", STRENGTH, "英语", "英强。", D(1)),
        findings.Finding("classes", NEUTRAL, "数学", "数班。", D(1)),
    ]
    assert findings.as_paragraph(found) == "数弱。数班。语平。英强。"
    strengths, weaknesses = findings.strengths_and_weaknesses(found)
    assert [f.subject for f in strengths] == ["英语"] and [f.subject for f in weaknesses] == ["数学"]


# ---- random figures: the wording is read back from the text and checked against its numbers ----

NUMBER = r"([+-]?\d+(?:\.\d)?)"


def _random_figures(rng: random.Random) -> SubjectFigures:
    full = D(rng.choice([100, 120, 150]))

    def score():
        return D(rng.randint(0, int(full) * 100)) / 100

    def rate():
        return D(rng.randint(0, 10000)) / 10000

    ranked = rng.randint(0, 40)
    return SubjectFigures(
        subject="物理",
        full_marks=full,
        sitters=rng.randint(0, 300),
        mean=score(),
        city_mean=score() if rng.random() > 0.1 else None,
        excellent_rate=rate(),
        city_excellent_rate=rate(),
        pass_rate=rate(),
        city_pass_rate=rate(),
        low_rate=rate(),
        city_low_rate=rate(),
        rank=rng.randint(1, ranked) if ranked else None,
        ranked_schools=ranked,
        previous_rank=rng.randint(1, ranked) if ranked and rng.random() > 0.3 else None,
        previous_mean=score() if rng.random() > 0.5 else None,
        city_previous_mean=score(),
        borderline_pass=rng.randint(0, 30),
        borderline_excellent=rng.randint(0, 30),
    )


def _check_against_the_city(finding, f):
    if "平均分" in finding.text and finding.kind == "city":
        gap = D(re.search(r"(?:高于|低于)全市" + NUMBER + "分|相差" + NUMBER + "分", finding.text).group(1) or "0")
        line = findings.printed(f.full_marks * D("0.02"))
        if "持平" in finding.text:
            assert abs(finding.value) <= line
        else:
            assert gap > line
            assert ("高于" in finding.text) == (finding.value > 0) == (finding.tone == STRENGTH)
        assert abs(finding.value) == findings.printed(abs(f.mean - f.city_mean))
    elif finding.kind == "city":  # a rate
        own, city, gap = (D(x) for x in re.search(NUMBER + "%.*（" + NUMBER + "%）" + NUMBER, finding.text).groups())
        assert gap == abs(own - city) > 3
        assert ("高于" in finding.text) == (own > city)
        worse_when_higher = "低分率" in finding.text
        assert (finding.tone == STRENGTH) == ((own > city) != worse_when_higher)


def _check_change(finding):
    before, now, change = (
        D(x) for x in re.search(r"由上次的" + NUMBER + "分变为" + NUMBER + "分（变化" + NUMBER, finding.text).groups()
    )
    assert change == now - before
    if "进步" in finding.text:
        assert change > 0 and finding.tone == STRENGTH
    elif "退步" in finding.text:
        assert change < 0 and finding.tone == WEAKNESS
    else:
        assert "基本未变" in finding.text and finding.tone == NEUTRAL


@pytest.mark.parametrize("seed", range(300))
def test_random_figures_never_contradict_their_wording(seed):
    rng = random.Random(seed)
    f = _random_figures(rng)
    for finding in findings.subject_findings(f):
        if finding.kind == "city":
            _check_against_the_city(finding, f)
        elif finding.kind == "peers":
            rank, of = (int(x) for x in re.search(r"第(\d+)名（共(\d+)所）", finding.text).groups())
            assert (rank, of) == (f.rank, f.ranked_schools)
            if "前列" in finding.text:
                assert rank * 3 <= of
            if "后列" in finding.text:
                assert (of - rank + 1) * 3 <= of
        elif finding.kind == "change" and "平均分之差" in finding.text:
            _check_change(finding)
        elif finding.kind == "change":
            before, now = (int(x) for x in re.search(r"由第(\d+)名变为第(\d+)名", finding.text).groups())
            if "上升" in finding.text:
                assert now < before and finding.tone == STRENGTH
            if "下降" in finding.text:
                assert now > before and finding.tone == WEAKNESS
        elif finding.kind == "borderline":
            share = D(re.search(NUMBER + "%", finding.text).group(1))
            assert share == findings.percent_points(D(f.borderline_pass + f.borderline_excellent) / f.sitters)
            assert share >= 5


@pytest.mark.parametrize("seed", range(100))
def test_random_value_added_wording_follows_the_printed_interval(seed):
    rng = random.Random(seed)
    centre = D(rng.randint(-500, 500)) / 100
    half = D(rng.randint(0, 400)) / 100
    finding = findings.value_added(ValueAddedFigures("数学", centre, centre - half, centre + half))
    low, high = (D(x) for x in re.search(r"区间" + NUMBER + "～" + NUMBER, finding.text).groups())
    if "显著高于" in finding.text:
        assert low > 0
    elif "显著低于" in finding.text:
        assert high < 0
    else:
        assert low <= 0 <= high


# ---- the findings beside the editor, from the stored statistics --------------------------------


@pytest.mark.django_db
def test_the_school_report_editor_shows_the_findings_of_its_figures(city, semester, exam, login):
    report = ReportFactory(school=city.school_a)
    page = login(city.academic_lead_a).get(reverse("reports:report-edit", args=[report.pk]))
    text = page.content.decode()
    # A's 语文 mean 77.50 against the city's 70.00 (see the exam fixture): 7.5 points above.
    assert "语文平均分77.5分，高于全市7.5分。" in text
    assert "数学平均分76.5分，高于全市7.5分。" in text
    assert 'data-insert-finding="语文平均分77.5分，高于全市7.5分。"' in text
    assert "基本持平" not in text


@pytest.mark.django_db
def test_a_subject_report_editor_shows_only_its_subject(city, semester, exam, login):
    report = ReportFactory(kind="subject", school=city.school_a, subject=Subject.objects.get(code="YW"))
    text = login(city.group_leader_a).get(reverse("reports:report-edit", args=[report.pk])).content.decode()
    assert "语文平均分77.5分" in text
    assert "数学平均分" not in text


@pytest.mark.django_db
def test_findings_obey_the_exams_grade_policy(city, semester, exam, login):
    exam.grade_policy = "grades"
    exam.save()
    report = ReportFactory(school=city.school_a)
    text = login(city.academic_lead_a).get(reverse("reports:report-edit", args=[report.pk])).content.decode()
    assert "同类学校中为" in text
    assert "同类学校中列第" not in text


def test_the_spread_of_schools_or_districts_is_named_as_such():
    finding = findings.class_gap("语文", [("甲小学", D("80")), ("乙小学", D("60"))], D(100), unit="学校")
    assert (
        finding.text == "语文各学校平均分最高为甲小学（80.0分），最低为乙小学（60.0分），相差20.0分（满分的20.0%），"
        "学校间差异较大，需关注薄弱学校。"
    )


@pytest.mark.django_db
def test_the_city_report_editor_compares_the_districts(city, semester, exam, login):
    report = ReportFactory(kind="district", school=None, district=None, semester=None, start_year=semester.start_year)
    text = login(city.bureau).get(reverse("reports:report-edit", args=[report.pk])).content.decode()
    # The districts' 语文 means: A's 77.50, B's 62.50 (the exam fixture; one school per district).
    assert "语文各区县平均分最高为" in text and "相差15.0分（满分的15.0%），区县间差异较大" in text


@pytest.mark.parametrize("seed", range(100))
def test_random_class_gaps_read_their_printed_share(seed):
    rng = random.Random(seed)
    full = D(rng.choice([100, 120, 150]))
    means = [(f"{n}班", D(rng.randint(0, int(full) * 100)) / 100) for n in range(1, rng.randint(3, 10))]
    finding = findings.class_gap("化学", means, full)
    high, low, spread, share = (
        D(x)
        for x in re.search(r"（(\S+?)分），最低.*?（(\S+?)分），相差(\S+?)分（满分的(\S+?)%）", finding.text).groups()
    )
    assert spread == high - low == finding.value
    assert share == findings.percent_points(spread / full)
    assert ("差异较大" in finding.text) == (share > 10) == (finding.tone == WEAKNESS)
