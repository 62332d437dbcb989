"""Reads of stored value-added figures, scoped by the user (and the reads the reports app uses).

Policy (DESIGN.md): value-added, like rankings, is internal to bureau roles (局机关, 督学/教研员).
A school's principal and academic lead see their own classes' figures; the school's own figure only
when the exam's setting (Exam.value_added_school_visible, off by default) allows it.
"""

from django.db.models import QuerySet

from monitoring.models import Exam
from monitoring.selectors import sees_all_schools
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


def class_figures_for(*, user, exam: Exam, school_id: int) -> QuerySet[ValueAdded]:
    if not sees_school_classes(user, school_id):
        return ValueAdded.objects.none()
    return (
        ValueAdded.objects.filter(exam=exam, level=CLASS, school_id=school_id)
        .select_related("school_class", "exam_subject__subject")
        .order_by("exam_subject__order", "school_class__number")
    )
