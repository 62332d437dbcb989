"""How value-added changes an exam's early warnings (called by monitoring.statistics.refresh_warnings).

A school in the bottom places whose value-added in that subject (the total, for a multi-subject flag)
is significantly positive keeps its warning, marked 低进高出, and the reason says it is not to be
treated as failing; a school whose value-added is significantly negative, by at least the exam's
threshold, gets a warning of its own even when its attainment looks fine.
"""

from monitoring.models import EarlyWarning, Exam
from monitoring.value_added import rules
from monitoring.value_added.models import ValueAdded, ValueAddedFit

BOTTOM_KINDS = (EarlyWarning.Kind.CONSECUTIVE_BOTTOM, EarlyWarning.Kind.MULTI_SUBJECT_BOTTOM)
LOW_IN_HIGH_OUT = "低进高出"


def _interval(va: ValueAdded) -> str:
    sd, points = rules.signed(va.estimate), rules.signed(va.points, 1)
    return f"{sd}个标准差（约{points}分），95%区间{rules.signed(va.lower)}～{rules.signed(va.upper)}"


def adjust(exam: Exam, wanted: dict[tuple, str]) -> dict[tuple, str]:
    """Adds the negative-value-added flags to `wanted` ({(school, kind, subject): reason}), rewrites
    the reasons of bottom-place flags the value-added answers for; returns their marks by key."""
    stored = {
        (va.school_id, va.exam_subject_id): va
        for va in ValueAdded.objects.filter(exam=exam, level=ValueAddedFit.Level.SCHOOL).select_related(
            "exam_subject__subject"
        )
    }
    if not stored:
        return {}
    marks = {}
    for key, reason in list(wanted.items()):
        school_id, kind, subject_id = key
        va = stored.get((school_id, subject_id))
        if kind in BOTTOM_KINDS and va and rules.reassures_bottom_place(va.classification):
            what = va.exam_subject.subject.name if va.exam_subject_id else "总分"
            wanted[key] = f"{reason}但{what}增值显著为正：{_interval(va)}，按低进高出对待，不作为落后学校。"
            marks[key] = LOW_IN_HIGH_OUT
    threshold = float(exam.warning_value_added)
    for (school_id, subject_id), va in stored.items():
        if rules.negative_value_added(va.classification, va.estimate, threshold):
            what = va.exam_subject.subject.name if va.exam_subject_id else "总分"
            wanted[(school_id, EarlyWarning.Kind.NEGATIVE_VALUE_ADDED.value, subject_id)] = (
                f"{what}增值显著为负：{_interval(va)}（入口均值z={rules.signed(va.intake)}，出口均值z={rules.signed(va.attainment)}）。"
            )
    return marks
