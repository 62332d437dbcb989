"""Value-added pages: the city's schools (bureau roles) and a school's classes (its leaders)."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from eduquality import excel
from eduquality.access_log import logs_access
from eduquality.listing import paginate
from monitoring import selectors as monitoring_selectors
from monitoring.models import Exam, ExamSubject
from monitoring.value_added import exports, rules, selectors
from monitoring.value_added.models import ValueAddedFit
from schools.codes import mask_name
from schools.scoping import school_ids_for

TOTAL = "total"
FILTERS = {
    rules.ABOVE: "显著高于",
    rules.LEVEL: "持平",
    rules.BELOW: "显著低于",
    "none": "不作判断",
}


def _exam_for(request: HttpRequest, pk: int) -> Exam:
    return get_object_or_404(monitoring_selectors.exam_qs_for(user=request.user), pk=pk)


def _subjects(exam: Exam) -> list[ExamSubject]:
    return list(exam.subjects.select_related("subject").order_by("order", "subject__order"))


def _chosen(request: HttpRequest, subjects: list[ExamSubject]) -> tuple[str, int | None, str]:
    """(option value, exam_subject_id or None for the total, label); the total by default."""
    wanted = request.GET.get("subject", TOTAL)
    for subject in subjects:
        if str(subject.pk) == wanted:
            return str(subject.pk), subject.pk, subject.subject.name
    return TOTAL, None, "总分"


def _plain(value: float) -> str:
    """0.25 / -0.25 / 0.00 (never -0.00)."""
    return f"{round(value, 2) or 0.0:.2f}"


def _trend(value: float) -> str:
    return "text-success" if value > 0 else "text-danger" if value < 0 else "text-body-secondary"


def _cells(va) -> dict:
    """A figure's cells as the table prints them (formatted here: a page has hundreds of rows)."""
    rate = va.match_rate
    return {
        "sitters": va.sitters,
        "matched": va.matched,
        "rate": "—" if rate is None else f"{rate * 100:.1f}%",
        "intake": _plain(va.intake),
        "attainment": _plain(va.attainment),
        "estimate": rules.signed(va.estimate),
        "estimate_class": _trend(va.estimate),
        "interval": f"[{_plain(va.lower)}, {_plain(va.upper)}]",
        "points": rules.signed(va.points, 1),
        "residual": rules.signed(va.mean_residual),
        "classification": va.classification,
        "note": va.note,
        "quadrant": va.quadrant or "—",
    }


def _no_figures_message(exam: Exam, fit: ValueAddedFit | None) -> str:
    """Why there is nothing to show, in words for the page (never an error page)."""
    if not exam.comparable_exam_id:
        return "本次监测未设置对比监测，无法计算增值。请在监测设置中选择同一批学生此前参加的监测（如上学期期末统考）。"
    if exam.comparable_exam.status != Exam.Status.READY:
        return f"对比监测“{exam.comparable_exam.name}”尚未完成统计，完成后请重新统计本次监测。"
    if fit is None:
        if exam.status != Exam.Status.READY:
            return "本次监测尚未完成统计：导入成绩并统计后即可查看增值评价。"
        return "尚未计算增值：请重新统计本次监测。"
    return fit.message


def _caterpillar(rows) -> str:
    ordered = sorted(rows, key=lambda va: va.estimate)
    return json.dumps(
        {
            "names": [va.school_class_label if hasattr(va, "school_class_label") else va.school.name for va in ordered],
            "estimate": [round(va.estimate, 3) for va in ordered],
            "lower": [round(va.lower, 3) for va in ordered],
            "upper": [round(va.upper, 3) for va in ordered],
            "kind": [va.classification for va in ordered],
        },
        ensure_ascii=False,
    )


def _quadrant(rows) -> str:
    return json.dumps(
        {
            "points": [
                {
                    "name": va.school.name,
                    "value": [round(va.intake, 3), round(va.estimate, 3)],
                    "kind": va.classification,
                }
                for va in rows
                if va.classification
            ]
        },
        ensure_ascii=False,
    )


@login_required
def exam_value_added(request: HttpRequest, pk: int) -> HttpResponse:
    """Every school's value-added in one subject (or the total): bureau roles only, like rankings."""
    exam = _exam_for(request, pk)
    if not selectors.sees_city_value_added(request.user):
        raise PermissionDenied
    subjects = _subjects(exam)
    fits = selectors.fits_of(exam)
    if request.GET.get("export") == "xlsx":
        names = {s.pk: s.subject.name for s in subjects}
        figures = selectors.all_school_figures_for(user=request.user, exam=exam)
        return excel.export_response(f"{exam.name}-增值评价.xlsx", exports.sheets(figures, names))
    value, subject_id, label = _chosen(request, subjects)
    fit = fits.get(subject_id)
    rows = list(selectors.school_figures_for(user=request.user, exam=exam, exam_subject_id=subject_id))
    wanted = request.GET.get("class", "")
    shown = rows
    if wanted in FILTERS:
        shown = [va for va in rows if va.classification == ("" if wanted == "none" else wanted)]
    page = paginate(request, shown)
    counts = {key: sum(1 for va in rows if va.classification == ("" if key == "none" else key)) for key in FILTERS}
    missing = [s.subject.name for s in subjects if fits.get(s.pk) and fits[s.pk].message and not fits[s.pk].groups]
    return render(
        request,
        "monitoring/value_added/exam.html",
        {
            "exam": exam,
            "subjects": subjects,
            "chosen": value,
            "label": label,
            "fit": fit,
            "message": _no_figures_message(exam, fit) if not rows else (fit.message if fit else ""),
            "rows": rows,
            "page": page,
            "cells": [{"va": va, **_cells(va)} for va in page.object_list],
            "filters": FILTERS,
            "wanted": wanted,
            "counts": [(key, name, counts[key]) for key, name in FILTERS.items()],
            "missing_subjects": missing,
            "caterpillar": _caterpillar(rows) if rows else "",
            "quadrant": _quadrant(rows) if rows else "",
        },
    )


def _student_lookup_label(request: HttpRequest, pk: int, school_id: int) -> str | None:
    number = request.GET.get("student", "").strip()
    return f"学生标准分趋势（监测 #{pk}，学校 #{school_id}）" if number else None


def _cohort_context(request: HttpRequest, exam: Exam, school_id: int, subject_id: int | None, subjects) -> dict:
    """The classes' T-score trend in the chosen subject and, when asked, one student's, across the
    cohort's exams."""
    exams = selectors.cohort_exams(exam)
    context: dict = {"cohort_exams": exams}
    chosen_subject = next((s for s in subjects if s.pk == subject_id), None)
    if chosen_subject is not None and len(exams) > 1:
        trend = selectors.class_t_trend_for(
            user=request.user, exams=exams, school_id=school_id, subject_id=chosen_subject.subject_id
        )
        context["class_trend"] = json.dumps(
            {
                "exams": [e.name for e in exams],
                "series": [
                    {"name": f"{number}班", "data": [by_exam.get(e.pk) for e in exams]}
                    for number, by_exam in trend.items()
                ],
            },
            ensure_ascii=False,
        )
        context["class_trend_rows"] = [
            {"number": number, "cells": [f"{by_exam[e.pk]:.1f}" if e.pk in by_exam else "—" for e in exams]}
            for number, by_exam in trend.items()
        ]
    number = request.GET.get("student", "").strip().upper()
    if number:
        student, rows = selectors.student_trend_for(
            user=request.user, exams=exams, school_id=school_id, student_number=number
        )
        subjects_seen = sorted({(r["order"], r["subject"]) for r in rows})
        by_cell = {(r["exam_id"], r["subject"]): r for r in rows}
        context["student_number"] = number
        context["student"] = student
        # Minors' data: the name in full only for the student's own school (PIPL), masked for the bureau.
        context["student_name"] = (
            student.name
            if student and school_id in school_ids_for(request.user)
            else mask_name(student.name if student else "")
        )
        context["student_rows"] = [
            {"exam": e, "cells": [by_cell.get((e.pk, name)) for _, name in subjects_seen]} for e in exams
        ]
        context["student_subjects"] = [name for _, name in subjects_seen]
    return context


@login_required
@logs_access(_student_lookup_label)
def school_value_added(request: HttpRequest, pk: int, school_id: int) -> HttpResponse:
    """A school's classes' value-added: for its principal and academic lead, and bureau roles; the
    classes' T-score trend across the cohort's exams, and one student's own trend."""
    exam = _exam_for(request, pk)
    if not selectors.sees_school_classes(request.user, school_id):
        raise Http404
    school = get_object_or_404(exam.schools.select_related("district"), pk=school_id)
    subjects = _subjects(exam)
    value, subject_id, label = _chosen(request, subjects)
    fit = selectors.fits_of(exam, selectors.CLASS).get(subject_id)
    classes = list(
        selectors.class_figures_for(user=request.user, exam=exam, school_id=school.pk, exam_subject_id=subject_id)
    )
    for va in classes:
        va.school_class_label = str(va.school_class) if va.school_class_id else "未分班"
    own = {
        va.exam_subject_id: va
        for va in selectors.own_school_figures_for(user=request.user, exam=exam, school_id=school.pk)
    }
    return render(
        request,
        "monitoring/value_added/school.html",
        {
            "exam": exam,
            "school": school,
            "subjects": subjects,
            "chosen": value,
            "label": label,
            "fit": fit,
            "message": _no_figures_message(exam, fit) if not classes else (fit.message if fit else ""),
            "classes": [{"va": va, "label": va.school_class_label, **_cells(va)} for va in classes],
            "own": _cells(own[subject_id]) if subject_id in own else None,
            "own_hidden": not selectors.sees_own_school_figure(request.user, exam, school.pk),
            "sees_city": selectors.sees_city_value_added(request.user),
            "caterpillar": _caterpillar(classes) if classes else "",
            **_cohort_context(request, exam, school.pk, subject_id, subjects),
        },
    )
