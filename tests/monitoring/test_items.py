"""Paper analysis: the rules on hand-worked cases, the blueprint import, item-score import, and the
numpy and SQL engines against the reference engine on random data."""

import io
import random
from decimal import Decimal

import openpyxl
import pytest

from eduquality.imports import ImportRejected
from monitoring.items import blueprint, rules
from monitoring.items.compute import compute_exam_items
from monitoring.items.models import ItemScore, ItemStatistic, KnowledgeStatistic, PaperStatistic
from monitoring.models import Score
from monitoring.statistics import compute_exam
from tests.factories import DistrictFactory, SchoolFactory
from tests.monitoring.factories import import_rows, make_exam, row
from tests.monitoring.items_factories import MATHS_ITEMS, item_header_row, make_blueprint

D = Decimal


# ---- Rules on hand-worked cases ------------------------------------------------------------------


@pytest.mark.parametrize(("n", "g"), [(1, 1), (3, 1), (4, 2), (10, 3), (100, 27), (101, 28), (200000, 54000)])
def test_group_size_is_the_ceiling_of_27_percent(n, g):
    assert rules.group_size(n) == g


def test_ties_at_the_cut_go_to_the_smaller_student_number():
    # Totals 9, 7, 7, 7, 3 (n = 5, g = 2): the top group is 9 and the 7 of the smallest 学籍号;
    # the bottom group is 3 and the 7 of the largest.
    totals = [7, 9, 7, 3, 7]
    numbers = ["G3", "G9", "G1", "G5", "G2"]
    top, bottom = rules.top_and_bottom(totals, numbers)
    assert [numbers[i] for i in top] == ["G9", "G1"]
    assert [numbers[i] for i in bottom] == ["G3", "G5"]


def test_difficulty_and_discrimination_by_hand():
    # Item of 4 points (8 halves), 5 sitters scoring 4, 3, 2, 1, 0 → P = 10 ÷ 20 = 0.5;
    # groups of 2: top 4 + 3, bottom 1 + 0 → D = (7 − 1) ÷ (2 × 4) = 0.75.
    assert rules.difficulty(20, 5, 8) == D("0.5000")
    assert rules.discrimination(14, 2, 2, 8) == D("0.7500")


def test_item_rest_correlation_removes_the_item_from_the_total():
    item = [1, 0, 1, 0]
    totals = [3, 1, 2, 2]
    rest = [t - x for t, x in zip(totals, item, strict=True)]  # 2, 1, 1, 2
    assert rest == [2, 1, 1, 2]
    assert rules.pearson(item, rest) == pytest.approx(0.0)
    assert rules.pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert rules.pearson([1, 1, 1], [2, 4, 6]) is None


def test_cronbach_alpha_and_sem_by_hand():
    # Two items, three students: (1, 1), (0, 1), (0, 0) → var items 2/9 and 2/9, totals 2, 1, 0 var 2/3.
    # α = 2 × (1 − (4/9) ÷ (2/3)) = 2/3; SEM = √(2/3) × √(1/3) = √2 ÷ 3.
    alpha = rules.cronbach_alpha([2 / 9, 2 / 9], 2 / 3)
    assert alpha == pytest.approx(2 / 3)
    assert rules.sem((2 / 3) ** 0.5, alpha) == pytest.approx(2**0.5 / 3)
    assert rules.sem(1.0, -0.1) is None
    # Two sitters who barely differ in total: α runs off to −∞ and is not stored.
    assert rules.cronbach_alpha([1.0, 1.0], 0.001) is None


def test_choices_are_scored_against_the_key_with_partial_credit():
    key = rules.option_mask("AC", 4)
    assert rules.choice_half_points(rules.option_mask("AC", 4), key, 4, 2) == 4
    assert rules.choice_half_points(rules.option_mask("A", 4), key, 4, 2) == 2
    assert rules.choice_half_points(rules.option_mask("AB", 4), key, 4, 2) == 0
    assert rules.choice_half_points(0, key, 4, 2) == 0
    with pytest.raises(rules.ItemError, match="不在本题选项"):
        rules.option_mask("E", 4)


@pytest.mark.parametrize(
    ("p", "d", "r", "flags"),
    [
        (D("0.5"), D("0.2"), D("0.2"), []),  # exactly on the floor: not low
        (D("0.5"), D("0.19"), D("0.5"), ["区分度低"]),
        (D("0.5"), D("0.5"), D("0.19"), ["区分度低"]),
        (D("0.29"), D("0.5"), D("0.5"), ["难"]),
        (D("0.91"), D("0.1"), None, ["区分度低", "易"]),
    ],
)
def test_flags_follow_the_exams_thresholds(p, d, r, flags):
    assert rules.item_flags(p, d, r, rules.FlagRules()) == flags


def test_two_way_table_sums_points_per_cell_and_totals():
    rows = rules.two_way_table(
        [("1", "数与运算", "了解", D(2)), ("2", "函数", "运用", D(4)), ("3", "数与运算", "了解", D(3))],
        ["数与运算", "函数"],
        ["了解", "运用"],
    )
    assert rows[0] == ["数与运算", (D(5), ["1", "3"]), (D(0), []), D(5)]
    assert rows[-1] == ["合计", (D(5), []), (D(4), []), D(9)]


# ---- Blueprint import ------------------------------------------------------------------------------


def _blueprint_book(rows, header=blueprint.HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for values in rows:
        sheet.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_blueprint_that_does_not_add_up_is_refused_with_the_difference(city):
    exam = make_exam(schools=[city.school_a], subjects=(("SX", 10),), code="JC-BP1")
    subject = exam.subjects.get()
    content = _blueprint_book([["1", "单选", 2, "数与运算", "了解", None, "B"], ["2", "解答", 5, "函数", "运用"]])
    with pytest.raises(ImportRejected) as refused:
        blueprint.import_blueprint(subject, content, "细目表.xlsx", by=city.bureau)
    assert "相差 -3 分" in refused.value.problems[0].message
    assert refused.value.marked
    assert not subject.items.exists()


@pytest.mark.django_db
def test_blueprint_with_unknown_knowledge_point_and_bad_key_lists_each_cell(city):
    exam = make_exam(schools=[city.school_a], subjects=(("SX", 10),), code="JC-BP2")
    subject = exam.subjects.get()
    content = _blueprint_book([["1", "单选", 2, "微积分", "了解", None, "E"], ["2", "解答", 8.3, "函数", "运用"]])
    with pytest.raises(ImportRejected) as refused:
        blueprint.import_blueprint(subject, content, "细目表.xlsx", by=city.bureau)
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {(2, "知识点"), (2, "答案"), (3, "分值")}
    assert not subject.items.exists()


@pytest.mark.django_db
def test_blueprint_import_stores_items_and_gives_the_two_way_table(city):
    exam = make_exam(schools=[city.school_a], subjects=(("SX", 10),), code="JC-BP3")
    subject = exam.subjects.get()
    content = _blueprint_book(
        [
            ["1", "单选", 2, "数与运算", "了解", 0.8, "b"],
            ["2", "多选", 3, "数与代数/数与运算", "理解", None, "A C", 4, 1],
            ["3", "解答", 5, "函数", "运用"],
        ]
    )
    assert blueprint.import_blueprint(subject, content, "细目表.xlsx", by=city.bureau) == 3
    items = list(subject.items.order_by("position"))
    assert [(i.label, i.answer_key, i.points) for i in items] == [("1", "B", 2), ("2", "AC", 3), ("3", "", 5)]
    abilities, rows = blueprint.two_way(subject)
    assert abilities == ["了解", "理解", "掌握", "运用"]
    assert rows[0] == ["数与运算", (D(2), ["1"]), (D(3), ["2"]), (D(0), []), (D(0), []), D(5)]
    assert rows[-1][-1] == D(10)


# ---- Item-score import -----------------------------------------------------------------------------


@pytest.fixture
def maths_exam(city):
    exam = make_exam(schools=[city.school_a, city.school_b], subjects=(("YW", 100), ("SX", 10)), code="JC-IT")
    make_blueprint(exam.subjects.get(subject__code="SX"), MATHS_ITEMS)
    return exam


@pytest.mark.django_db
def test_items_are_imported_summed_and_letters_scored(maths_exam, city):
    header = item_header_row(maths_exam)
    rows = [
        row(1, city.school_a, 1, 80, 9, "B", "C", "A", 3),  # 2 + 2 + 1 (partial) + 3 = 8 ≠ 9
    ]
    with pytest.raises(ImportRejected) as refused:
        import_rows(maths_exam, rows, header)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "数学")]
    assert "与小题分之和 8 不一致" in refused.value.problems[0].message
    rows = [
        row(1, city.school_a, 1, 80, 8, "B", "C", "A", 3),
        row(2, city.school_a, 1, 70, None, "A", 2, "AC", 3.5),  # total left empty: the items' sum
        row(3, city.school_b, 1, 60, "缺考", None, None, None, None),
        row(4, city.school_b, 1, 60, None, None, None, None, None),  # every item empty: absent
        row(5, city.school_b, 1, 60, None, "B", None, None, None),  # a sitter's empty items are 0
    ]
    outcome = import_rows(maths_exam, rows, header)
    assert outcome.item_rows == 3
    maths = maths_exam.subjects.get(subject__code="SX")
    scores = dict(Score.objects.filter(exam_subject=maths).values_list("student__student_number", "score"))
    assert sorted(scores.values(), key=lambda v: (v is None, v)) == [D(2), D("7.5"), D(8), None, None]
    items = {
        i.student.student_number[-1]: i for i in ItemScore.objects.filter(exam_subject=maths).select_related("student")
    }
    assert items["1"].points == [4, 4, 2, 6]
    assert items["1"].choices == [2, 4, 1]
    assert items["2"].points == [0, 4, 4, 7]
    assert items["2"].choices is None  # item 2 came as a score, not a letter
    assert items["5"].points == [4, 0, 0, 0]


@pytest.mark.django_db
def test_bad_item_cells_are_refused_with_row_and_column(maths_exam, city):
    header = item_header_row(maths_exam)
    rows = [
        row(1, city.school_a, 1, 80, None, "E", 2.3, "A", 5),
        row(2, city.school_a, 1, 70, None, "B", 2, "AC", True),
    ]
    with pytest.raises(ImportRejected) as refused:
        import_rows(maths_exam, rows, header)
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {(2, "数学-1"), (2, "数学-2"), (2, "数学-4"), (3, "数学-4")}
    assert not Score.objects.exists() and not ItemScore.objects.exists()


@pytest.mark.django_db
def test_missing_or_extra_item_column_is_refused(maths_exam, city):
    header = item_header_row(maths_exam)
    with pytest.raises(ImportRejected) as refused:
        import_rows(maths_exam, [row(1, city.school_a, 1, 80, 8, "B", "C", "A")], header[:-1])
    assert any(p.column == "数学-4" and "缺少" in p.message for p in refused.value.problems)
    with pytest.raises(ImportRejected) as refused:
        import_rows(maths_exam, [row(1, city.school_a, 1, 80, 8, "B", "C", "A", 3, 1)], [*header, "数学-5"])
    assert any(p.column == "数学-5" for p in refused.value.problems)


@pytest.mark.django_db
def test_total_only_sheet_still_works_and_reimport_is_idempotent(maths_exam, city):
    header = item_header_row(maths_exam)
    rows = [row(n, city.school_a, 1, 80, None, "B", "C", "AC", n % 5) for n in range(1, 6)]
    import_rows(maths_exam, rows, header)
    before = sorted(ItemScore.objects.values_list("student_id", "points", "choices"))
    import_rows(maths_exam, rows, header)
    assert sorted(ItemScore.objects.values_list("student_id", "points", "choices")) == before
    # A total-only sheet for the same school replaces its scores and drops its now stale items.
    import_rows(maths_exam, [row(1, city.school_a, 1, 80, 7)])
    assert Score.objects.filter(exam_subject__subject__code="SX").count() == 1
    assert not ItemScore.objects.exists()


# ---- The engines -------------------------------------------------------------------------------------


def _figures():
    items = sorted(
        (s.level, s.school_class_id or 0, s.school_id or 0, s.district_id or 0, s.item_id, s.sitters, s.mean,
         s.difficulty, s.discrimination, s.full_rate, s.zero_rate, s.options)
        for s in ItemStatistic.objects.all()
    )  # fmt: skip
    rest = {
        (s.level, s.school_class_id or 0, s.school_id or 0, s.district_id or 0, s.item_id): s.item_rest
        for s in ItemStatistic.objects.all()
    }
    papers = sorted(
        (s.level, s.school_class_id or 0, s.school_id or 0, s.district_id or 0, s.sitters, s.mean_difficulty)
        for s in PaperStatistic.objects.all()
    )
    papers_float = {
        (s.level, s.school_class_id or 0, s.school_id or 0, s.district_id or 0): (s.alpha, s.sem, s.skew)
        for s in PaperStatistic.objects.all()
    }
    knowledge = sorted(
        (s.level, s.school_class_id or 0, s.school_id or 0, s.knowledge_point_id or 0, s.ability_id or 0, s.points,
         s.score_rate)
        for s in KnowledgeStatistic.objects.all()
    )  # fmt: skip
    return items, rest, papers, papers_float, knowledge


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(Decimal(a) - Decimal(b)) <= Decimal("0.0001") + Decimal("0.00001")


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ["numpy", "sql"])
@pytest.mark.parametrize(("seed", "largest_class"), [(20261205, 12), (11, 40)])
def test_engine_matches_the_reference_on_random_data(city, engine, seed, largest_class):
    rng = random.Random(seed)
    other = DistrictFactory(code="220698", name="测试南区")
    schools = [city.school_a, city.school_b, SchoolFactory(district=other)]
    exam = make_exam(schools=schools, subjects=(("SX", 10),), code="JC-RND")
    make_blueprint(exam.subjects.get(), MATHS_ITEMS)
    rows, n = [], 0
    for school in schools:
        for class_number in (1, 2):
            for _ in range(rng.randint(1 if largest_class > 12 else 3, largest_class)):
                n += 1
                if rng.random() < 0.05:
                    rows.append(row(n, school, class_number, None, None, None, None, None))
                    continue
                if rng.random() < 0.15:  # the choice items' scores only: no options for this sitter
                    cells = [rng.choice([0, 2]), rng.choice([0, 2]), rng.choice([0, 1, 2])]
                else:
                    cells = [rng.choice("ABCD") for _ in range(2)] + [rng.choice(["A", "C", "AC", "AB", "ACD", None])]
                cells.append(rng.randint(0, 8) / 2)
                rows.append(row(n, school, class_number, None, *cells))
    import_rows(exam, rows, item_header_row(exam))
    assert ItemScore.objects.filter(choices__isnull=True).exists()  # some shares count fewer sitters
    compute_exam_items(exam, engine="python")
    reference = _figures()
    compute_exam_items(exam, engine=engine)
    computed = _figures()
    assert computed[0] == reference[0]
    assert computed[2] == reference[2]
    assert computed[4] == reference[4]
    for key, value in reference[1].items():
        assert _close(computed[1][key], value), key
    for key, values in reference[3].items():
        assert all(_close(a, b) for a, b in zip(computed[3][key], values, strict=True)), key
    assert ItemStatistic.objects.filter(level="city").count() == 4


@pytest.mark.django_db
def test_hand_worked_exam_gives_the_expected_city_figures(city):
    exam = make_exam(schools=[city.school_a], subjects=(("SX", 10),), code="JC-HAND")
    make_blueprint(exam.subjects.get(), MATHS_ITEMS)
    # Totals 10, 8, 5, 2 (n = 4, g = 2). Item 4 (4 points): 4, 2, 4, 0.
    rows = [
        row(1, city.school_a, 1, None, "B", "C", "AC", 4),
        row(2, city.school_a, 1, None, "B", "C", "AC", 2),
        row(3, city.school_a, 1, None, "A", "A", "A", 4),
        row(4, city.school_a, 1, None, "D", "C", "B", 0),
    ]
    import_rows(exam, rows, item_header_row(exam))
    compute_exam(exam)  # the exam's computation computes the items too
    city_item = {s.item.label: s for s in ItemStatistic.objects.filter(level="city").select_related("item")}
    fourth = city_item["4"]
    assert fourth.mean == D("2.50") and fourth.difficulty == D("0.6250")
    # Top (10, 8): 4 + 2; bottom (5, 2): 4 + 0 → D = (6 − 4) ÷ (2 × 4) = 0.25.
    assert fourth.discrimination == D("0.2500")
    assert fourth.full_rate == D("0.5000") and fourth.zero_rate == D("0.2500")
    assert city_item["1"].options["B"] == [0.5, 1.0, 0.0]
    assert city_item["3"].options["A"] == [0.75, 1.0, 0.5]
    paper = PaperStatistic.objects.get(level="city")
    assert paper.mean_difficulty == D("0.6250")  # 25 ÷ (4 × 10)
    domain = KnowledgeStatistic.objects.get(level="city", knowledge_point__name="数与代数")
    # Items 1, 3, 4 (8 points): earned 2+2+0+0 + 2+2+1+0 + 4+2+4+0 = 19 of 32.
    assert domain.points == D(8) and domain.score_rate == D("0.5938")
