"""Value-added through the real import and statistics: the SQL sums, the stored figures, the edge
cases' messages, the warnings and the pages."""

import io
import random

import numpy as np
import openpyxl
import pytest
from django.urls import reverse

from monitoring.models import EarlyWarning, Score
from monitoring.statistics import compute_exam
from monitoring.value_added import engine, rules
from monitoring.value_added.models import ValueAdded, ValueAddedFit
from schools.codes import mask_name
from tests.factories import SchoolFactory
from tests.monitoring.factories import import_rows, make_exam, row

pytestmark = pytest.mark.django_db

SEED = 20261205
PER_CLASS = 20  # two classes: 40 matched students per school, above the default minimum of 30


def cohort(city, *, schools: int = 6, effects=None, intake=None, subjects=(("YW", 100), ("SX", 100))):
    """A before and a current exam of one cohort; school i adds effects[i] (score points) and starts
    at intake[i]. School A's first student moved to school B between the exams; school B has five
    students who were not in the earlier exam."""
    rng = random.Random(SEED)
    members = [city.school_a, city.school_b, *[SchoolFactory() for _ in range(schools - 2)]]
    effects = effects or [0.0] * schools
    intake = intake or [0.0] * schools
    before = make_exam(schools=members, code="JC-VA-0", subjects=subjects)
    now = make_exam(schools=members, code="JC-VA-1", subjects=subjects, comparable_exam=before)
    rows_before, rows_now, n = [], [], 0
    for index, school in enumerate(members):
        for class_number in (1, 2):
            for _ in range(PER_CLASS):
                n += 1
                ability = rng.gauss(intake[index], 1)
                first = [_half(65 + 10 * ability + rng.gauss(0, 5)) for _ in subjects]
                second = [_half(68 + 9 * ability + effects[index] + rng.gauss(0, 5)) for _ in subjects]
                rows_before.append(row(n, school, class_number, *first))
                moved = city.school_b if n == 1 else school
                rows_now.append(row(n, moved, class_number, *second))
    for extra in range(5):
        rows_now.append(row(900 + extra, city.school_b, 1, *[70.0 for _ in subjects]))
    import_rows(before, rows_before)
    compute_exam(before)
    import_rows(now, rows_now)
    return members, before, now


def _half(value: float) -> float:
    return min(100.0, max(0.0, round(value * 2) / 2))


def test_the_sql_sums_are_the_sums_of_the_matched_students(city):
    _, before, now = cohort(city, schools=3)
    pairs = engine.pairing(now).pairs
    sums = engine.matched_sums(now, pairs, [])
    sql = {key: group for key, group in sums.items() if key[0] is not None}
    totals = {key: group for key, group in sums.items() if key[0] is None}
    earlier = {
        (s.exam_subject.subject_id, s.student_id): float(s.score)
        for s in Score.objects.filter(exam_subject__exam=before, score__isnull=False).select_related("exam_subject")
    }
    expected, per_student = {}, {}
    for score in Score.objects.filter(exam_subject__exam=now, score__isnull=False).select_related("exam_subject"):
        prior = earlier.get((score.exam_subject.subject_id, score.student_id))
        if prior is None:
            continue
        key = (score.exam_subject_id, score.school_id, score.school_class_id)
        expected.setdefault(key, []).append([prior, float(score.score)])
        per_student.setdefault(score.student_id, [(score.school_id, score.school_class_id), 0.0, 0.0, 0])
        per_student[score.student_id][1] += prior
        per_student[score.student_id][2] += float(score.score)
        per_student[score.student_id][3] += 1
    assert set(sql) == set(expected)
    for key, values in expected.items():
        reference = rules.sums_from_students(key, values)
        assert sql[key].n == reference.n
        assert np.allclose(sql[key].first, reference.first)
        assert np.allclose(sql[key].second, reference.second)
    total_expected = {}
    for (school, klass), x, y, count in per_student.values():
        if count == len(pairs):
            total_expected.setdefault((None, school, klass), []).append([x, y])
    assert {k: v.n for k, v in totals.items()} == {k: len(v) for k, v in total_expected.items()}
    for key, values in total_expected.items():
        assert np.allclose(totals[key].second, rules.sums_from_students(key, values).second)


def test_schools_get_an_estimate_with_an_interval_per_subject_and_for_the_total(city):
    members, _, now = cohort(city, effects=[8, 0, 0, 0, 0, -8], intake=[-0.8, 0, 0.2, 0, -0.2, 0.8])
    compute_exam(now)
    schools = {va.school_id: va for va in ValueAdded.objects.filter(exam=now, level="school", exam_subject=None)}
    assert len(schools) == 6
    strong, weak = schools[members[0].pk], schools[members[5].pk]
    assert strong.classification == rules.ABOVE and strong.quadrant == "低进高出"
    assert weak.classification == rules.BELOW and weak.quadrant == "高进低出"
    assert strong.lower < strong.estimate < strong.upper
    fit = ValueAddedFit.objects.get(exam=now, level="school", exam_subject=None)
    assert strong.points == pytest.approx(strong.estimate * fit.sd_now)
    # Per subject too, and for classes (20 students each: shown, not classified).
    assert ValueAdded.objects.filter(exam=now, level="school", exam_subject__isnull=False).count() == 12
    classes = ValueAdded.objects.filter(exam=now, level="class", exam_subject=None)
    assert classes.count() == 12
    assert all(c.classification == "" and "少于30人" in c.note for c in classes)


def test_a_student_who_changed_school_counts_for_the_current_school_and_newcomers_lower_its_match_rate(city):
    _, _, now = cohort(city, schools=3)
    compute_exam(now)
    figures = {va.school_id: va for va in ValueAdded.objects.filter(exam=now, level="school", exam_subject=None)}
    assert figures[city.school_a.pk].matched == 39
    assert figures[city.school_b.pk].matched == 41  # its 40, the newcomer from A; not the 5 new students
    assert figures[city.school_b.pk].sitters == 46
    assert figures[city.school_b.pk].match_rate == pytest.approx(41 / 46)


def test_a_low_match_rate_is_shown_but_not_classified(city, login):
    _, _, now = cohort(city, schools=3)
    now.value_added_min_match_rate = "0.99"
    now.save()
    compute_exam(now)
    school_b = ValueAdded.objects.get(exam=now, level="school", exam_subject=None, school=city.school_b)
    assert school_b.classification == ""
    assert "匹配率89.1%，低于99%" in school_b.note
    # The cohort barely matches for this exam's line: the page says the figures are for reference only.
    page = login(city.bureau).get(reverse("monitoring:exam-value-added", args=[now.pk])).content.decode()
    assert "全市匹配率仅96.0%（匹配120人／本次参考125人），结果仅供参考" in page


def test_a_subject_missing_from_the_earlier_exam_is_explained_and_left_out_of_the_total(city):
    members = [city.school_a, city.school_b]
    before = make_exam(schools=members, code="JC-VA-0", subjects=(("YW", 100),))
    now = make_exam(schools=members, code="JC-VA-1", subjects=(("YW", 100), ("SX", 100)), comparable_exam=before)
    rng = random.Random(SEED)
    import_rows(before, [row(n, members[n % 2], 1, rng.randint(40, 100)) for n in range(60)])
    compute_exam(before)
    import_rows(now, [row(n, members[n % 2], 1, rng.randint(40, 100), rng.randint(40, 100)) for n in range(60)])
    compute_exam(now)
    maths = now.subjects.get(subject__code="SX")
    assert "没有数学" in ValueAddedFit.objects.get(exam=now, level="school", exam_subject=maths).message
    assert ValueAdded.objects.filter(exam=now, level="school", exam_subject=None).count() == 2


def test_fewer_than_two_schools_and_equal_scores_give_a_message_not_an_error(city, login):
    before = make_exam(schools=[city.school_a], code="JC-VA-0", subjects=(("YW", 100),))
    now = make_exam(schools=[city.school_a], code="JC-VA-1", subjects=(("YW", 100),), comparable_exam=before)
    import_rows(before, [row(n, city.school_a, 1 + n % 2, 50 + n) for n in range(40)])
    compute_exam(before)
    import_rows(now, [row(n, city.school_a, 1 + n % 2, 80) for n in range(40)])
    compute_exam(now)
    school_fit = ValueAddedFit.objects.get(exam=now, level="school", exam_subject=None)
    assert "少于2个" in school_fit.message
    class_fit = ValueAddedFit.objects.get(exam=now, level="class", exam_subject=None)
    assert "标准差为0" in class_fit.message
    page = login(city.bureau).get(reverse("monitoring:exam-value-added", args=[now.pk]))
    assert page.status_code == 200
    assert "少于2个，无法比较学校间的增值" in page.content.decode()


def test_an_exam_without_a_comparable_exam_says_so(city, login):
    exam = make_exam(schools=[city.school_a, city.school_b], code="JC-VA-X")
    import_rows(exam, [row(1, city.school_a, 1, 90, 80)])
    compute_exam(exam)
    assert not ValueAdded.objects.filter(exam=exam).exists()
    page = login(city.bureau).get(reverse("monitoring:exam-value-added", args=[exam.pk]))
    assert "未设置对比监测" in page.content.decode()


def test_a_bottom_school_that_adds_the_most_is_marked_low_in_high_out_and_a_coaster_is_warned(city, login):
    members, before, now = cohort(city, effects=[10, 0, 0, 0, 0, -7], intake=[-1.5, 0, 0, 0, 0, 1.5])
    now.warning_bottom_places = 1
    now.warning_subjects = 1
    now.warning_rank_drop, now.warning_rate_drop = 10, 1  # attainment alone raises nothing here
    now.save()
    before.warning_bottom_places = 1
    before.save()
    compute_exam(before)
    compute_exam(now)
    bottom = EarlyWarning.objects.filter(exam=now, school=members[0], kind="multi_subject_bottom").get()
    assert bottom.value_added_mark == "低进高出"
    assert "按低进高出对待，不作为落后学校" in bottom.reason
    coaster = EarlyWarning.objects.filter(exam=now, school=members[5], kind="negative_value_added")
    assert coaster.filter(exam_subject=None).exists()
    assert "增值显著为负" in coaster.first().reason
    assert not EarlyWarning.objects.filter(exam=now, school=members[5]).exclude(kind="negative_value_added").exists()
    listed = login(city.bureau).get(reverse("monitoring:warning-list"), {"exam": now.pk}).content.decode()
    assert "低进高出</span>" in listed and "增值显著为负" in listed


@pytest.fixture
def computed(city):
    members, _, now = cohort(city, effects=[8, 0, 0, 0, 0, -8], intake=[-0.8, 0, 0.2, 0, -0.2, 0.8])
    compute_exam(now)
    return members, now


def test_bureau_roles_see_every_school_with_charts_and_export(computed, city, login):
    members, now = computed
    url = reverse("monitoring:exam-value-added", args=[now.pk])
    page = login(city.inspector).get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert members[0].name in text and "显著高于" in text and 'data-va-chart="caterpillar"' in text
    assert "转学学生计入本次监测所在学校" in text
    assert login(city.principal_a).get(url).status_code == 403
    above = login(city.bureau).get(url, {"class": "above"}).content.decode()  # the table, not the charts
    link = "monitoring:exam-value-added-school"
    assert reverse(link, args=[now.pk, members[0].pk]) in above
    assert reverse(link, args=[now.pk, members[5].pk]) not in above
    workbook = openpyxl.load_workbook(io.BytesIO(login(city.bureau).get(url, {"export": "xlsx"}).content))
    assert workbook.sheetnames == ["增值-语文", "增值-数学", "增值-总分"]
    assert workbook["增值-总分"].max_row == 7


def test_a_principal_sees_the_classes_of_their_own_school_and_its_figure_only_when_allowed(computed, city, login):
    _, now = computed
    own = reverse("monitoring:exam-value-added-school", args=[now.pk, city.school_a.pk])
    other = reverse("monitoring:exam-value-added-school", args=[now.pk, city.school_b.pk])
    page = login(city.principal_a).get(own)
    text = page.content.decode()
    assert page.status_code == 200
    assert "三年级(1)班" in text and "三年级(2)班" in text
    assert "本校整体增值仅供教育行政部门查看" in text
    assert login(city.principal_a).get(other).status_code == 404
    assert login(city.teacher_user_a).get(own).status_code == 404
    now.value_added_school_visible = True
    now.save()
    shown = login(city.academic_lead_a).get(own).content.decode()
    assert "本校 · 总分" in shown


def test_covariates_are_optional_data_and_enter_the_model(city):
    _, _, now = cohort(city, schools=3)
    compute_exam(now)
    plain = ValueAddedFit.objects.get(exam=now, level="school", exam_subject=None)
    assert plain.covariates == [] and len(plain.beta) == 2
    now.value_added_covariates = ["female", "urban"]
    now.save()
    compute_exam(now)
    # Nobody in the test city is recorded as female or urban: the model says why it cannot adjust.
    adjusted = ValueAddedFit.objects.get(exam=now, level="school", exam_subject=None)
    assert adjusted.covariates == ["female", "urban"]
    assert "协变量" in adjusted.message
    from schools.models import Student

    Student.objects.filter(pk__in=list(Student.objects.order_by("pk").values_list("pk", flat=True))[::2]).update(
        gender="F"
    )
    now.value_added_covariates = ["female"]
    now.save()
    compute_exam(now)
    adjusted = ValueAddedFit.objects.get(exam=now, level="school", exam_subject=None)
    assert len(adjusted.beta) == 3 and adjusted.message == ""


def test_leaders_follow_their_classes_and_a_student_across_the_cohort_names_masked_outside(computed, city, login):
    from eduquality.models import AccessLog

    _, now = computed
    subject = now.subjects.get(subject__code="SX")
    url = reverse("monitoring:exam-value-added-school", args=[now.pk, city.school_a.pk])
    page = login(city.principal_a).get(url, {"subject": subject.pk}).content.decode()
    assert 'data-va-chart="trend"' in page and "1班" in page and "测试监测JC-VA-0" in page
    student = Score.objects.filter(exam_subject=subject, school=city.school_a).select_related("student").first().student
    own = login(city.principal_a).get(url, {"subject": subject.pk, "student": student.student_number}).content.decode()
    heading = f"{student.name}（{student.student_number}）"
    assert heading in own and "各科标准分 T" in own
    bureau = login(city.bureau).get(url, {"student": student.student_number}).content.decode()
    assert heading not in bureau and f"{mask_name(student.name)}（{student.student_number}）" in bureau
    assert AccessLog.objects.filter(username="bureau", what__contains="学生标准分趋势").exists()
    # A student of another school is not found through school A's page.
    other = Score.objects.filter(exam_subject=subject, school=city.school_b).select_related("student").last().student
    refused = login(city.principal_a).get(url, {"student": other.student_number}).content.decode()
    assert "本校没有学籍号为" in refused and f"{other.name}（" not in refused


def test_the_bureau_sets_the_value_added_policy_in_the_exam_form(city, login):
    from monitoring.models import Exam
    from tests.monitoring.test_views import exam_form_data

    data = exam_form_data("VA-FORM", ("YW", "100", ("0.850", "0.700", "0.600", "0.400")))
    data.update(value_added_covariates=["female"], value_added_school_visible="on", value_added_min_matched=20)
    response = login(city.bureau).post(reverse("monitoring:exam-create"), data)
    assert response.status_code == 302
    exam = Exam.objects.get(code="VA-FORM")
    assert exam.value_added_covariates == ["female"]
    assert exam.value_added_school_visible and exam.value_added_min_matched == 20
    refused = login(city.bureau).post(
        reverse("monitoring:exam-create"), {**data, "code": "VA-BAD", "value_added_covariates": ["age"]}
    )
    assert refused.status_code == 200 and not Exam.objects.filter(code="VA-BAD").exists()
