"""Reads of stored value-added figures, scoped by the user (and the reads the reports app uses).

Policy (DESIGN.md): value-added, like rankings, is internal to bureau roles (局机关, 督学/教研员).
A school's principal and academic lead see their own classes' figures; the school's own figure only
when the exam's setting (Exam.value_added_school_visible, off by default) allows it.
"""

from django.db.models import QuerySet

from monitoring.models import Exam, Level, Score, Statistic
from monitoring.rules import against_city
from monitoring.selectors import sees_all_schools
from monitoring.value_added import rules
from monitoring.value_added.models import ValueAdded, ValueAddedFit
from schools.scoping import school_leader_ids_for

SCHOOL, CLASS = ValueAddedFit.Level.SCHOOL, ValueAddedFit.Level.CLASS


def sees_city_value_added(user) -> bool:
    return sees_all_schools(user)


def sees_school_classes(user, school_id: int) -> bool:
    """Class value-added inside a school: bureau roles and the school's principal and academic lead."""
    return sees_all_schools(user) or school_id in school_leader_ids_for(user)


def sees_own_school_figure(user, exam: Exam, school_id: int) -> bool:
    return sees_all_schools(user) or (exam.value_added_school_visible and school_id in school_leader_ids_for(user))


def fits_of(exam: Exam, level: str = SCHOOL) -> dict[int | None, ValueAddedFit]:
    """{exam_subject_id (None: total): the stored fit}; read by the pages and reports of whoever may
    see the figures (the callers check that)."""
    return {f.exam_subject_id: f for f in ValueAddedFit.objects.filter(exam=exam, level=level)}


def school_figures_for(*, user, exam: Exam, exam_subject_id: int | None) -> QuerySet[ValueAdded]:
    """Every school's figure in one subject (None: total): bureau roles only."""
    if not sees_city_value_added(user):
        return ValueAdded.objects.none()
    return (
        ValueAdded.objects.filter(exam=exam, level=SCHOOL, exam_subject_id=exam_subject_id)
        .select_related("school__district")
        .order_by("-estimate", "school__code")
    )


def all_school_figures_for(*, user, exam: Exam) -> QuerySet[ValueAdded]:
    if not sees_city_value_added(user):
        return ValueAdded.objects.none()
    return (
        ValueAdded.objects.filter(exam=exam, level=SCHOOL)
        .select_related("school__district", "exam_subject__subject")
        .order_by("exam_subject__order", "-estimate", "school__code")
    )


def own_school_figures_for(*, user, exam: Exam, school_id: int) -> QuerySet[ValueAdded]:
    """The school's own figure per subject, where the user may see it."""
    if not sees_own_school_figure(user, exam, school_id):
        return ValueAdded.objects.none()
    return ValueAdded.objects.filter(exam=exam, level=SCHOOL, school_id=school_id).select_related(
        "exam_subject__subject"
    )


def class_figures_for(*, user, exam: Exam, school_id: int, exam_subject_id: int | None) -> QuerySet[ValueAdded]:
    """The school's classes in one subject (None: the total)."""
    if not sees_school_classes(user, school_id):
        return ValueAdded.objects.none()
    return (
        ValueAdded.objects.filter(exam=exam, level=CLASS, school_id=school_id, exam_subject_id=exam_subject_id)
        .select_related("school_class", "exam_subject__subject")
        .order_by("exam_subject__order", "school_class__number")
    )


# ---- Cohort trends --------------------------------------------------------------------------------

COHORT_LIMIT = 8  # exams followed back through comparable_exam


def cohort_exams(exam: Exam) -> list[Exam]:
    """The cohort's exams, oldest first, ending with `exam`: the chain of comparable exams."""
    chain, seen = [exam], {exam.pk}
    current = exam
    while current.comparable_exam_id and current.comparable_exam_id not in seen and len(chain) < COHORT_LIMIT:
        current = Exam.objects.select_related("semester").get(pk=current.comparable_exam_id)
        chain.append(current)
        seen.add(current.pk)
    return list(reversed(chain))


def class_t_trend_for(*, user, exams: list[Exam], school_id: int, subject_id: int) -> dict[int, dict[int, float]]:
    """{class number: {exam id: the class's 标准分 T in the subject}} across the cohort's exams.

    A class is followed by its number in the school (六年级(1)班 was 五年级(1)班), as schools keep their
    classes together from grade to grade. For the school's leaders and bureau roles."""
    if not sees_school_classes(user, school_id):
        return {}
    rows = Statistic.objects.filter(
        exam__in=exams,
        level=Level.CLASS,
        school_id=school_id,
        exam_subject__subject_id=subject_id,
        school_class__isnull=False,
    ).values_list("exam_id", "school_class__number", "t_score")
    trend: dict[int, dict[int, float]] = {}
    for exam_id, number, t_score in rows:
        if t_score is not None:
            trend.setdefault(number, {})[exam_id] = float(t_score)
    return dict(sorted(trend.items()))


def student_trend_for(*, user, exams: list[Exam], school_id: int, student_number: str) -> tuple[object, list[dict]]:
    """(the student, [{exam, subject, score, t}]) for a student of `school_id` in the latest exam: the
    student's 标准分 T (50 + 10 z against the city) per subject across the cohort's exams. Only for
    the school's leaders and bureau roles, and only a student who sat the latest exam in this school."""
    if not sees_school_classes(user, school_id) or not student_number:
        return None, []
    scores = list(
        Score.objects.filter(
            exam_subject__exam__in=exams, student__student_number=student_number, score__isnull=False
        ).select_related("exam_subject__subject", "student")
    )
    latest = exams[-1].pk
    if not any(s.exam_subject.exam_id == latest and s.school_id == school_id for s in scores):
        return None, []
    city = {
        s.exam_subject_id: s
        for s in Statistic.objects.filter(exam__in=exams, level=Level.CITY, exam_subject__isnull=False)
    }
    rows = []
    for score in scores:
        stat = city.get(score.exam_subject_id)
        versus = against_city(score.score, stat.mean if stat else None, stat.sd if stat else None)
        rows.append(
            {
                "exam_id": score.exam_subject.exam_id,
                "subject": score.exam_subject.subject.name,
                "order": score.exam_subject.subject.order,
                "score": score.score,
                "t": versus.t_score,
            }
        )
    return scores[0].student, rows


# ---- For the reports app (which reads stored figures only) ---------------------------------------


def _report_row(va: ValueAdded, name: str) -> dict:
    return {
        "name": name,
        "matched": va.matched,
        "rate": va.match_rate,
        "estimate": va.estimate,
        "points": va.points,
        "lower": va.points_lower,
        "upper": va.points_upper,
        "classification": va.classification_label,
        "quadrant": va.quadrant,
    }


def report_school_rows(exam: Exam, district=None) -> dict:
    """The district/city report: every school's value-added in the total (a district's schools only
    when one is named), best first, with the model's message when there is nothing to show."""
    fit = fits_of(exam).get(None)
    figures = ValueAdded.objects.filter(exam=exam, level=SCHOOL, exam_subject=None).select_related("school")
    if district is not None:
        figures = figures.filter(school__district=district)
    rows = [_report_row(va, va.school.name) for va in figures.order_by("-estimate", "school__code")]
    counts = {
        key: sum(1 for r in rows if r["classification"] == rules.CLASSIFICATION_LABELS[key])
        for key in (rules.ABOVE, rules.LEVEL, rules.BELOW)
    }
    return {"exam": exam, "rows": rows, "counts": counts, "message": fit.message if fit else "", "fit": fit}


def report_class_rows(exam: Exam, school) -> dict:
    """The school report: its classes' value-added in the total."""
    fit = fits_of(exam, CLASS).get(None)
    figures = (
        ValueAdded.objects.filter(exam=exam, level=CLASS, school=school, exam_subject=None)
        .select_related("school_class")
        .order_by("school_class__number")
    )
    rows = [_report_row(va, str(va.school_class) if va.school_class_id else "未分班") for va in figures]
    return {"exam": exam, "rows": rows, "message": fit.message if fit else "", "fit": fit}
