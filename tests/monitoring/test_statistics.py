"""The statistics engine (SQL at scale) against the pure rules applied to the same scores."""

import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from eduquality import words
from monitoring import rules, services
from monitoring.models import EarlyWarning, Level, Score, Statistic
from monitoring.statistics import compute_exam
from tests.factories import DistrictFactory, SchoolFactory
from tests.monitoring.factories import import_rows, make_exam, row, workbook

pytestmark = pytest.mark.django_db

SUBJECTS = (("YW", 120), ("SX", 100))


def random_cell(rng: random.Random, full: int):
    if rng.random() < 0.05:
        return "缺考"
    return rng.randint(0, full * 2) / 2  # half points


def five_schools_in_two_districts(city) -> list:
    other = DistrictFactory(code="220699", name="测试西区")
    return [city.school_a, city.school_b, SchoolFactory(), SchoolFactory(district=other), SchoolFactory(district=other)]


@pytest.fixture
def world(city):
    """Five schools in two districts, two classes each, 2 subjects with half points and absentees."""
    rng = random.Random(20261128)
    schools = five_schools_in_two_districts(city)
    exam = make_exam(schools=schools, subjects=SUBJECTS, code="JC-ORACLE")
    rows, n = [], 0
    for school in schools:
        for class_number in (1, 2):
            for _ in range(rng.randint(8, 15)):
                n += 1
                rows.append(row(n, school, class_number, *(random_cell(rng, full) for _, full in SUBJECTS)))
    import_rows(exam, rows)
    compute_exam(exam)
    return exam, schools, rows


def cells_by_group(exam, rows):
    """{(level, key, subject code): [Decimal | None]} computed in Python from the sheet rows."""
    school_of = {s.code: s for s in exam.schools.all()}
    groups = defaultdict(list)
    for values in rows:
        school = school_of[values[2]]
        for index, (code, _full) in enumerate(SUBJECTS):
            raw = values[4 + index]
            cell = None if raw == "缺考" else Decimal(str(raw))
            for key in (
                (Level.CITY, None),
                (Level.DISTRICT, school.district_id),
                (Level.SCHOOL, school.pk),
                (Level.CLASS, (school.pk, values[3])),
            ):
                groups[(*key, code)].append(cell)
    return groups


def stored(exam) -> dict:
    table = {}
    for stat in Statistic.objects.filter(exam=exam, exam_subject__isnull=False).select_related(
        "exam_subject__subject", "school_class"
    ):
        code = stat.exam_subject.subject.code
        key = {
            Level.CITY: None,
            Level.DISTRICT: stat.district_id,
            Level.SCHOOL: stat.school_id,
            Level.CLASS: (stat.school_id, stat.school_class and stat.school_class.name),
        }[stat.level]
        table[(stat.level, key, code)] = stat
    return table


def test_every_level_matches_the_rules_applied_to_the_same_scores(world):
    exam, _schools, rows = world
    expected_groups = cells_by_group(exam, rows)
    got = stored(exam)
    assert set(got) == set(expected_groups)
    full = dict(SUBJECTS)
    for key, cells in expected_groups.items():
        t = rules.Thresholds(Decimal(full[key[2]]))
        want = rules.summarise(cells, t)
        stat = got[key]
        assert (stat.sitters, stat.absentees) == (want.sitters, want.absentees), key
        assert stat.mean == want.mean, key
        assert stat.sd == want.sd, key
        assert (stat.max, stat.min) == (want.max, want.min), key
        assert stat.excellent_rate == want.excellent_rate, key
        assert stat.good_rate == want.good_rate, key
        assert stat.pass_rate == want.pass_rate, key
        assert stat.low_rate == want.low_rate, key
        assert stat.score_rate == rules.score_rate(want.mean, t.full_marks), key
        bands = [0] * rules.band_count()
        for cell in cells:
            if cell is not None:
                bands[rules.band_index(cell, t.full_marks)] += 1
        assert stat.bands == bands, key
        margin = t.full_marks * Decimal("0.05")
        present = [c for c in cells if c is not None]
        assert stat.borderline_excellent == sum(rules.is_borderline(c, t.excellent_line, margin) for c in present)
        assert stat.borderline_pass == sum(rules.is_borderline(c, t.pass_line, margin) for c in present)


def test_schools_rank_by_mean_among_schools_of_their_category_and_compare_with_the_city(world):
    exam, schools, _rows = world
    for code, _ in SUBJECTS:
        school_stats = list(Statistic.objects.filter(exam=exam, level=Level.SCHOOL, exam_subject__subject__code=code))
        city = Statistic.objects.get(exam=exam, level=Level.CITY, exam_subject__subject__code=code)
        want_ranks = rules.competition_ranks([s.mean for s in school_stats])
        assert [s.rank for s in school_stats] == want_ranks
        assert {s.ranked_schools for s in school_stats} == {len(schools)}
        for stat in school_stats:
            versus = rules.against_city(stat.mean, city.mean, city.sd)
            assert (stat.deviation, stat.over_mean_rate, stat.ratio_to_mean, stat.t_score) == (
                versus.deviation,
                versus.over_mean_rate,
                versus.ratio_to_mean,
                versus.t_score,
            )


def test_the_pass_in_every_subject_rate_counts_students_who_sat_and_passed_all(world):
    exam, _schools, rows = world
    sat_all = [r for r in rows if "缺考" not in r[4:]]
    passed_all = [r for r in sat_all if Decimal(str(r[4])) >= 72 and Decimal(str(r[5])) >= 60]
    city = Statistic.objects.get(exam=exam, level=Level.CITY, exam_subject__isnull=True)
    assert city.sitters == len(sat_all)
    assert city.all_pass_rate == rules.rate(len(passed_all), len(sat_all))


def test_the_all_subjects_row_holds_the_total_scores_of_who_sat_every_subject(world, city, login):
    """Issue 14 §7: the 各科合计 row was empty but for its counts. It holds the total scores of the
    students who sat every subject against the sum of the full marks; who missed a subject is 缺考."""
    exam, _schools, rows = world
    sat_all = [r for r in rows if "缺考" not in r[4:]]
    totals = [sum(Decimal(str(cell)) for cell in r[4:]) for r in sat_all]
    full_total = sum(Decimal(full) for _, full in SUBJECTS)
    total = Statistic.objects.get(exam=exam, level=Level.CITY, exam_subject__isnull=True)
    assert (total.sitters, total.absentees) == (len(sat_all), len(rows) - len(sat_all))
    assert total.mean == rules.mean(totals) and total.sd == rules.population_sd(totals)
    assert (total.max, total.min) == (max(totals), min(totals))
    assert total.score_rate == rules.score_rate(total.mean, full_total)
    page = login(city.bureau).get(reverse("monitoring:exam-detail", args=[exam.pk])).content.decode()
    row = page.split("各科合计", 1)[1].split("</tr>", 1)[0]
    assert f"<td>{words.figure(full_total)}</td>" in row and f"<td>{total.mean}</td>" in row
    assert f"<td>{words.figure(max(totals))}</td>" in row and "%" in row


def test_schools_of_another_category_are_ranked_apart(city):
    from schools.models import SchoolType

    middle = SchoolFactory(school_type=SchoolType.objects.get(code="311"))
    exam = make_exam(schools=[city.school_a, city.school_b, middle], subjects=(("YW", 100),), code="JC-CAT")
    import_rows(exam, [row(1, city.school_a, 1, 90), row(2, city.school_b, 1, 80), row(3, middle, 1, 50)])
    compute_exam(exam)
    ranks = {
        s.school_id: (s.rank, s.ranked_schools)
        for s in Statistic.objects.filter(exam=exam, level=Level.SCHOOL, exam_subject__isnull=False)
    }
    assert ranks[city.school_a.pk] == (1, 2)
    assert ranks[city.school_b.pk] == (2, 2)
    assert ranks[middle.pk] == (1, 1)


def test_tied_means_share_a_rank_and_the_next_rank_is_skipped(city):
    extra = [SchoolFactory(), SchoolFactory()]
    schools = [city.school_a, city.school_b, *extra]
    exam = make_exam(schools=schools, subjects=(("YW", 100),), code="JC-TIE")
    import_rows(
        exam,
        [row(n, school, 1, score) for n, (school, score) in enumerate(zip(schools, [90, 80, 80, 70], strict=True), 1)],
    )
    compute_exam(exam)
    stats = Statistic.objects.filter(exam=exam, level=Level.SCHOOL, exam_subject__isnull=False)
    assert sorted(s.rank for s in stats) == [1, 2, 2, 4]


def two_exams_with_a_fall(city):
    """An earlier exam where school B is last, then a later one where B is last again and A falls."""
    extra = [SchoolFactory(), SchoolFactory(), SchoolFactory()]
    schools = [city.school_a, city.school_b, *extra]
    before = make_exam(schools=schools, subjects=(("YW", 100), ("SX", 100)), code="JC-BEFORE")
    scores_before = {city.school_a: 95, city.school_b: 40, extra[0]: 80, extra[1]: 70, extra[2]: 60}
    import_rows(before, [row(n, s, 1, v, v) for n, (s, v) in enumerate(scores_before.items(), 1)])
    compute_exam(before)
    after = make_exam(schools=schools, subjects=(("YW", 100), ("SX", 100)), code="JC-AFTER", comparable_exam=before)
    scores_after = {city.school_a: 50, city.school_b: 30, extra[0]: 80, extra[1]: 70, extra[2]: 60}
    import_rows(after, [row(n + 10, s, 1, v, v) for n, (s, v) in enumerate(scores_after.items(), 1)])
    compute_exam(after)
    return before, after


def test_changes_are_measured_against_the_comparable_exam(city):
    _before, after = two_exams_with_a_fall(city)
    a = Statistic.objects.get(exam=after, level=Level.SCHOOL, school=city.school_a, exam_subject__subject__code="YW")
    assert a.previous_mean == Decimal("95.00") and a.mean_change == Decimal("-45.00")
    assert (a.previous_rank, a.rank, a.rank_change) == (1, 4, -3)
    assert a.excellent_rate_change == Decimal("-1.0000")


def test_correcting_the_earlier_exam_recomputes_the_exams_that_compare_with_it(city):
    before, after = two_exams_with_a_fall(city)
    assert EarlyWarning.objects.filter(exam=after, school=city.school_a, kind="sharp_fall").exists()
    corrected = [row(n, s.school, 1, v, v) for n, (s, v) in enumerate(_school_scores(before), 1)]
    corrected[0] = row(1, city.school_a, 1, 52, 52)  # school A's 95 was a typing error: it was 52
    message = services.import_and_compute(before, workbook(before, corrected), "更正.xlsx", report=lambda *_: None)

    a = Statistic.objects.get(exam=after, level=Level.SCHOOL, school=city.school_a, exam_subject__subject__code="YW")
    assert a.previous_mean == Decimal("52.00") and a.mean_change == Decimal("-2.00")
    assert not EarlyWarning.objects.filter(exam=after, school=city.school_a, kind="sharp_fall").exists()
    assert f"“{after.name}”已同时重新统计" in message


def _school_scores(exam):
    """(student, score) of the exam's 语文, in student-number order."""
    scores = Score.objects.filter(exam_subject__exam=exam, exam_subject__subject__code="YW").select_related("student")
    return sorted(((s.student, s.score) for s in scores), key=lambda pair: pair[0].student_number)


def test_warnings_flag_consecutive_bottom_several_subjects_and_sharp_falls_with_a_research_visit(city):
    _before, after = two_exams_with_a_fall(city)
    kinds_b = set(EarlyWarning.objects.filter(exam=after, school=city.school_b).values_list("kind", flat=True))
    assert kinds_b == {"consecutive_bottom", "multi_subject_bottom"}
    fall = EarlyWarning.objects.filter(exam=after, school=city.school_a, kind="sharp_fall")
    assert fall.count() == 2 and "优秀率下降100.0个百分点" in fall.first().reason
    assert all(w.visit.status == "open" for w in EarlyWarning.objects.filter(exam=after))


def test_recomputing_keeps_warnings_whose_visit_has_begun_and_does_not_duplicate_them(city):
    _before, after = two_exams_with_a_fall(city)
    warning = EarlyWarning.objects.filter(exam=after, school=city.school_b).first()
    warning.visit.causes = "师资流动大"
    warning.visit.save()
    count = EarlyWarning.objects.filter(exam=after).count()
    compute_exam(after)
    compute_exam(after)
    assert EarlyWarning.objects.filter(exam=after).count() == count
    warning.refresh_from_db()
    assert warning.visit.causes == "师资流动大"


def test_an_exam_without_scores_computes_to_nothing_without_error(city):
    exam = make_exam(schools=[city.school_a], code="JC-EMPTY")
    compute_exam(exam)
    assert not Statistic.objects.filter(exam=exam, sitters__gt=0).exists()
    assert not EarlyWarning.objects.filter(exam=exam).exists()
    exam.refresh_from_db()
    assert exam.status == "ready"


def stored_rows(exam) -> list[tuple]:
    """Every stored statistic of the exam as a comparable tuple (all columns but the id)."""
    columns = [f.attname for f in Statistic._meta.concrete_fields if f.attname != "id"]
    return sorted(
        (tuple(values) for values in Statistic.objects.filter(exam=exam).values_list(*columns)),
        key=repr,
    )


def test_the_database_engine_stores_exactly_what_the_rules_applied_in_python_store(city):
    """PostgreSQL computes a city exam itself (statistics_sql); the reference engine applies the pure
    rules in Python. On random scores — three full marks, lines that are not half points, 15% bands,
    ties, absentees, a school where nobody sat, a comparable exam — every stored value is the same."""
    rng = random.Random(1128)
    schools = five_schools_in_two_districts(city)
    subjects = (("YW", 120), ("SX", 150), ("YY", 100))

    def exam_with_scores(code, **fields):
        exam = make_exam(schools=schools, subjects=subjects, code=code, band_share=Decimal("0.15"), **fields)
        exam.subjects.filter(subject__code="SX").update(excellent_share=Decimal("0.875"), pass_share=Decimal("0.55"))
        rows, n = [], 0
        for index, school in enumerate(schools):
            for class_number in (1, 2, 3):
                for _ in range(rng.randint(3, 12)):
                    n += 1
                    if index == 4:  # nobody of this school sat
                        cells = ["缺考"] * len(subjects)
                    else:
                        cells = [random_cell(rng, full) if rng.random() > 0.3 else full * 0.6 for _, full in subjects]
                    rows.append(row(n + (1000 if code.endswith("2") else 0), school, class_number, *cells))
        import_rows(exam, rows)
        return exam

    before = exam_with_scores("JC-TWIN1")
    compute_exam(before, engine="sql")
    after = exam_with_scores("JC-TWIN2", comparable_exam=before)
    compute_exam(after, engine="sql")  # nothing stored yet: every row inserted
    first = stored_rows(after)
    compute_exam(after, engine="python")
    reference = stored_rows(after)
    assert first == reference
    Statistic.objects.filter(exam=after, level=Level.CLASS).update(mean=0, bands=[])
    Statistic.objects.filter(exam=after, level=Level.CITY).delete()
    compute_exam(after, engine="sql")  # only the rows that differ rewritten
    assert stored_rows(after) == reference
    assert len(reference) >= 90
    assert any(r for r in Statistic.objects.filter(exam=after, previous_rank__isnull=False))
    assert Statistic.objects.filter(exam=after, level=Level.SCHOOL, sitters=0).exists()
