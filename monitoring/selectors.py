"""Reads of quality-monitoring data, always scoped by the user.

Policy (未成年人学校保护规定, seed 001 §(十六)): student scores and rankings are never published;
named figures and rankings of other schools, and the warnings, are for bureau roles only (局机关 and
督学/教研员). School staff see their own school's classes and position and the city-level figures.
"""

from django.db.models import Case, Count, Q, QuerySet, Value, When

from eduquality.listing import SortChoice, ordering
from monitoring.models import EarlyWarning, Exam, IndicatorReport, Level, Statistic
from schools.scoping import is_bureau, is_inspector, school_ids_for, school_leader_ids_for


def sees_all_schools(user) -> bool:
    """局机关 and 督学/教研员: every school's figures, rankings and warnings."""
    return is_bureau(user) or is_inspector(user)


def can_manage_exams(user) -> bool:
    return is_bureau(user)


def exam_qs_for(*, user) -> QuerySet[Exam]:
    exams = Exam.objects.select_related("semester", "comparable_exam")
    if sees_all_schools(user):
        return exams
    return exams.filter(schools__in=school_ids_for(user)).distinct()


def school_ids_visible_in_exam(*, user, exam: Exam) -> set[int] | None:
    """None: every school of the exam; otherwise the user's own schools that took part."""
    if sees_all_schools(user):
        return None
    return set(exam.schools.filter(pk__in=school_ids_for(user)).values_list("pk", flat=True))


def statistics_for(*, user, exam: Exam) -> QuerySet[Statistic]:
    stats = Statistic.objects.filter(exam=exam).select_related("exam", "exam_subject__subject", "school", "district")
    if sees_all_schools(user):
        return stats
    own = school_ids_for(user)
    return stats.filter(level=Level.CITY) | stats.filter(school_id__in=own)


def class_statistics_for(*, user, exam: Exam, school_id: int):
    """Class tables, for bureau roles and the school's own staff: plain rows (a school has hundreds)."""
    if not (sees_all_schools(user) or school_id in school_ids_for(user)):
        return Statistic.objects.none().values()
    return (
        Statistic.objects.filter(exam=exam, level=Level.CLASS, school_id=school_id)
        .order_by("school_class__number", "exam_subject__order")
        .values(
            "school_class_id",
            "school_class__grade",
            "school_class__number",
            "exam_subject_id",
            "mean",
            "excellent_rate",
            "pass_rate",
            "all_pass_rate",
        )
    )


def warning_qs_for(*, user) -> QuerySet[EarlyWarning]:
    if not sees_all_schools(user):
        return EarlyWarning.objects.none()
    return EarlyWarning.objects.select_related(
        "exam__semester", "school__district", "exam_subject__subject", "visit__researcher"
    )


# 质量预警: most urgent first means the warnings nobody has visited yet, then the newest exam.
WARNING_SORTS = {
    "urgency": ("visit_rank", "-exam__held_on", "school__code", "pk"),
    "school": ("school__code", "visit_rank", "pk"),
    "district": ("school__district__code", "school__code", "pk"),
    "exam": ("exam__held_on", "exam__name", "school__code", "pk"),
    "kind": ("kind", "school__code", "pk"),
    "status": ("visit_rank", "school__code", "pk"),
}
# Grouped by school: the schools with the most warnings still open first.
WARNING_GROUP_SORTS = {
    "urgency": ("-open_count", "-total", "school__code"),
    "school": ("school__code",),
    "district": ("school__district__code", "school__code"),
    "count": ("total", "open_count", "school__code"),
}
_VISIT_RANK = Case(
    *(
        When(visit__status=status, then=Value(rank))
        for rank, status in enumerate(("open", "in_progress", "agreed", "closed"))
    ),
    default=Value(0),
)


def sorted_warnings(warnings: QuerySet[EarlyWarning], *, sort: SortChoice) -> QuerySet[EarlyWarning]:
    fields = ordering(WARNING_SORTS[sort.key], descending=sort.descending)
    return warnings.annotate(visit_rank=_VISIT_RANK).order_by(*fields)


def warning_school_groups(warnings: QuerySet[EarlyWarning], *, sort: SortChoice):
    """One row per school among `warnings` (already scoped and filtered): its warnings, how many are
    still open (not closed), sorted by `sort` (WARNING_GROUP_SORTS)."""
    fields = ordering(WARNING_GROUP_SORTS[sort.key], descending=sort.descending)
    return (
        warnings.order_by()
        .values("school_id", "school__name", "school__code", "school__district__name")
        .annotate(total=Count("pk"), open_count=Count("pk", filter=~Q(visit__status="closed")))
        .order_by(*fields)
    )


def indicator_reports_for(*, user) -> QuerySet[IndicatorReport]:
    reports = IndicatorReport.objects.select_related("school", "indicator", "filed_by")
    if sees_all_schools(user):
        return reports
    return reports.filter(school_id__in=school_ids_for(user))


def indicator_school_ids_for(user) -> set[int]:
    """Schools whose figures the user may file: their principal (and academic lead)."""
    return school_leader_ids_for(user)
