"""Quality-monitoring pages. Thin: role gate → selector/form → service → render/redirect."""

import json
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from eduquality import audit, excel, listing, words
from eduquality.access_log import logs_access
from monitoring import exports, rules, selectors, services
from monitoring.filters import ExamFilter, WarningFilter
from monitoring.forms import (
    ExamForm,
    ExamSubjectFormSet,
    IndicatorFilingForm,
    ResearchVisitForm,
    ScoreCorrectionForm,
    ScoreUploadForm,
)
from monitoring.models import (
    EarlyWarning,
    Exam,
    Indicator,
    IndicatorReport,
    Level,
    ResearchVisit,
    Score,
    ScoreCorrection,
    Statistic,
)
from monitoring.score_import import scores_template
from schools import codes
from schools.models import School, responsible_researchers
from schools.scoping import school_ids_for, school_leader_ids_for


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _any_monitoring_role(user) -> bool:
    return selectors.sees_all_schools(user) or bool(school_ids_for(user))


def _exam_for(request: HttpRequest, pk: int) -> Exam:
    return get_object_or_404(selectors.exam_qs_for(user=request.user), pk=pk)


def _rate_rows(stats) -> list[dict]:
    return [{"stat": stat, "grade": stat.grade_letter} for stat in stats]


# ---- Exams ----------------------------------------------------------------------------------------


@login_required
def exam_list(request: HttpRequest) -> HttpResponse:
    _require(_any_monitoring_role(request.user))
    exam_filter = ExamFilter(
        request.GET,
        queryset=selectors.exam_qs_for(user=request.user)
        .annotate(school_count=Count("schools", distinct=True))
        .order_by("-semester__start_year", "-semester__term", "-held_on", "-pk"),
    )
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                e.code,
                e.name,
                e.get_kind_display(),
                str(e.semester),
                codes.grade_label(e.grade),
                e.school_count,
                e.get_status_display(),
            ]
            for e in exam_filter.qs
        )
        sheet = excel.Sheet("质量监测", ["编号", "名称", "类型", "学期", "年级", "参加学校数", "状态"], rows)
        return excel.export_response(f"质量监测列表-{timezone.localdate():%Y%m%d}.xlsx", [sheet])
    page = listing.paginate(request, exam_filter.qs)
    return render(
        request,
        "monitoring/exam_list.html",
        {"filter": exam_filter, "page": page, "can_manage": selectors.can_manage_exams(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(selectors.can_manage_exams(request.user))
    exam = get_object_or_404(Exam, pk=pk) if pk else None
    form = ExamForm(request.POST or None, instance=exam)
    formset = ExamSubjectFormSet(request.POST or None, instance=exam or Exam(), prefix="subjects")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            creating = exam is None
            if creating:
                form.instance.created_by = request.user
            saved = audit.save_form(form, actor=request.user)
            if not form.cleaned_data["schools"]:
                saved.schools.set(_schools_of_grade(saved.grade))
            formset.instance = saved
            formset.save()
        messages.success(request, f"监测“{saved}”已保存。")
        return redirect("monitoring:exam-detail", pk=saved.pk)
    return render(request, "monitoring/exam_form.html", {"form": form, "formset": formset, "exam": exam})


def _schools_of_grade(grade: int):
    """Every active school that has classes of this grade."""
    return School.objects.filter(is_active=True, classes__grade=grade).distinct()


@login_required
def exam_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exam = _exam_for(request, pk)
    user = request.user
    subjects = list(exam.subjects.select_related("subject").order_by("order", "subject__order"))
    city = {
        s.exam_subject_id: s
        for s in Statistic.objects.filter(exam=exam, level=Level.CITY).select_related("exam_subject__subject")
    }
    city_rows = [{"subject": subject, "stat": city.get(subject.pk)} for subject in subjects]
    own_ids = selectors.school_ids_visible_in_exam(user=user, exam=exam)
    context = {
        "exam": exam,
        "subjects": subjects,
        "city_rows": city_rows,
        "all_subjects": city.get(None),
        "full_total": sum((subject.full_marks for subject in subjects), Decimal(0)),  # 各科合计's 满分
        "sees_all": own_ids is None,
        "own_schools": School.objects.filter(pk__in=own_ids or []) if own_ids is not None else None,
        "value_added_school_ids": school_leader_ids_for(user),  # who may open their classes' value-added
        "can_manage": selectors.can_manage_exams(user),
        "upload_form": ScoreUploadForm() if selectors.can_manage_exams(user) else None,
        "school_count": exam.schools.count(),
        "warning_count": exam.warnings.count() if own_ids is None else None,
        "band_charts": _band_charts(exam, city_rows),
        "shows_grades": exam.shows_grades,
    }
    return render(request, "monitoring/exam_detail.html", context)


def _band_charts(exam: Exam, city_rows: list[dict]) -> list[dict]:
    """The city's score bands, one chart per full marks: a band is a share of each subject's own
    full marks, so a 100-mark 物理 is never drawn on a 120-mark 语文's axis."""
    by_full_marks = defaultdict(list)
    for row in city_rows:
        if row["stat"]:
            by_full_marks[row["subject"].full_marks].append(row)
    charts = []
    for full_marks, rows in sorted(by_full_marks.items(), reverse=True):
        names = "、".join(row["subject"].subject.name for row in rows)
        chart = {
            "labels": rules.band_labels(full_marks, exam.band_share),
            "series": [{"name": row["subject"].subject.name, "data": row["stat"].bands} for row in rows],
            "bandNote": f"满分 {full_marks.normalize():f} 分，分数段按满分的 {rules.percent(exam.band_share)}% 划分",
        }
        charts.append(
            {"title": f"满分 {full_marks.normalize():f} 分：{names}", "chart": json.dumps(chart, ensure_ascii=False)}
        )
    return charts


@login_required
def exam_template(request: HttpRequest, pk: int) -> HttpResponse:
    exam = _exam_for(request, pk)
    _require(selectors.can_manage_exams(request.user))
    return excel.xlsx_response(f"{exam.name}-成绩导入模板.xlsx", scores_template(exam))


@login_required
@require_POST
def exam_upload(request: HttpRequest, pk: int) -> HttpResponse:
    exam = _exam_for(request, pk)
    _require(selectors.can_manage_exams(request.user))
    form = ScoreUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("monitoring:exam-detail", pk=exam.pk)
    job = services.start_score_import(exam=exam, upload=form.cleaned_data["file"], by=request.user)
    return redirect("job-detail", pk=job.pk)


@login_required
@require_POST
def exam_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    exam = _exam_for(request, pk)
    _require(selectors.can_manage_exams(request.user))
    job = services.start_recompute(exam=exam, by=request.user)
    return redirect("job-detail", pk=job.pk)


# ---- Rankings and schools -------------------------------------------------------------------------


@login_required
def exam_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    """Per-subject places of schools among schools of the same category (or their grades under the
    exam's grades policy): bureau roles only. Categories are never mixed in one chart or order."""
    exam = _exam_for(request, pk)
    _require(selectors.sees_all_schools(request.user))
    subjects = list(exam.subjects.select_related("subject").order_by("order", "subject__order"))
    if not subjects:
        raise Http404
    place = exam.place_shown(sees_all_schools=True, own_school=False)
    noun = "等级" if place == rules.PLACE_GRADE else "排名"
    if request.GET.get("export") == "xlsx":
        key = _figures_key(exam, "ranking-xlsx")
        content = cache.get(key)
        if content is None:
            all_stats = Statistic.objects.filter(exam=exam)
            content = excel.write_workbook(exports.exam_school_sheets(exam, all_stats))
            cache.set(key, content, FIGURES_CACHE_SECONDS)
        return excel.xlsx_response(f"{exam.name}-学校{noun}.xlsx", content)
    chosen = next((s for s in subjects if str(s.pk) == request.GET.get("subject")), subjects[0])
    wanted = request.GET.get("category", "")
    if wanted != "all" and not (len(wanted) == 2 and wanted.isalnum()):
        wanted = ""  # a category is a two-character code: anything else is not a cache key of its own
    key = _figures_key(exam, "ranking", chosen.pk, wanted)
    page = cache.get(key)
    if page is None:
        page = _ranking_body(exam, chosen, wanted, place)
        cache.set(key, page, FIGURES_CACHE_SECONDS)
    return render(
        request,
        "monitoring/exam_ranking.html",
        {
            "exam": exam,
            "subjects": subjects,
            "chosen": chosen,
            "noun": noun,
            "show_grades": place == rules.PLACE_GRADE,
            **page,
            "body": mark_safe(page["body"]),
        },
    )


# Stored statistics change only when the exam is recomputed, so the figures part of the ranking and
# school pages, and the ranking workbook, are made once per computation (keyed by `computed_at`)
# and per the exam's grades policy (which can change without a computation).
FIGURES_CACHE_SECONDS = 3600


def _figures_key(exam: Exam, *parts) -> str:
    stamp = exam.computed_at.timestamp() if exam.computed_at else 0
    return ":".join(map(str, ["monitoring", exam.pk, stamp, exam.shows_grades, *parts]))


def _ranking_body(exam: Exam, chosen, wanted: str, place: str) -> dict:
    stats = Statistic.objects.filter(exam=exam, level=Level.SCHOOL, exam_subject=chosen).select_related(
        "school__district"
    )
    present = [row["category"] for row in stats.values("category").annotate(n=Count("pk")).order_by("-n", "category")]
    # Places are within a category, so the page opens on the largest one; "all" shows every
    # category, each in a section of its own (its own chart and order), never mixed.
    category = wanted or (present[0] if present else "all")
    if category != "all":
        stats = stats.filter(category=category)
    ordered = exports.in_category_order(stats, grades=place == rules.PLACE_GRADE)
    by_category = defaultdict(list)
    for stat in ordered:
        by_category[stat.category].append(stat)
    city = Statistic.objects.filter(exam=exam, level=Level.CITY, exam_subject=chosen).first()
    city_mean = float(city.mean) if city and city.mean is not None else None
    groups = [
        {
            "label": codes.SCHOOL_CATEGORIES.get(code, code),
            "rows": [{"stat": s, "place": _place_text(place, s)} for s in rows],
            "chart": json.dumps(
                {
                    "schools": [s.school.name for s in rows],
                    "means": [float(s.mean) if s.mean is not None else None for s in rows],
                    "cityMean": city_mean,
                    "fullMarks": float(chosen.full_marks),
                },
                ensure_ascii=False,
            ),
        }
        for code, rows in by_category.items()
    ]
    body = render_to_string(
        "monitoring/_ranking_body.html",
        {
            "exam": exam,
            "chosen": chosen,
            "groups": groups,
            "city": city,
            "show_grades": place == rules.PLACE_GRADE,
        },
    )
    categories = [(code, codes.SCHOOL_CATEGORIES.get(code, code)) for code in sorted(present)]
    return {"body": body, "category": category, "categories": categories}


def _place_text(place: str, stat: Statistic) -> str:
    return rules.place_text(place, rank=stat.rank, ranked_schools=stat.ranked_schools, grade=stat.grade_letter)


@login_required
def exam_school(request: HttpRequest, pk: int, school_id: int) -> HttpResponse:
    """One school in one exam: its figures against the city, its classes, its distribution."""
    exam = _exam_for(request, pk)
    visible = selectors.school_ids_visible_in_exam(user=request.user, exam=exam)
    if visible is not None and school_id not in visible:
        raise Http404
    school = get_object_or_404(exam.schools.select_related("district"), pk=school_id)
    # Whoever may open the page is a bureau role or the school's own staff: both see its place (or
    # grade) as the exam's policy says; the key carries it all the same.
    place = exam.place_shown(sees_all_schools=visible is None, own_school=visible is not None)
    key = _figures_key(exam, "school", school.pk, place)
    body = cache.get(key)
    if body is None:
        body = _school_body(request.user, exam, school, place)
        cache.set(key, body, FIGURES_CACHE_SECONDS)
    return render(request, "monitoring/exam_school.html", {"exam": exam, "school": school, "body": mark_safe(body)})


def _school_body(user, exam: Exam, school: School, place: str) -> str:
    """The school's figures; the same for everyone allowed to see them (checked before)."""
    stats = list(
        Statistic.objects.filter(exam=exam, school=school, level=Level.SCHOOL).select_related("exam_subject__subject")
    )
    city = {s.exam_subject_id: s for s in Statistic.objects.filter(exam=exam, level=Level.CITY)}
    subject_rows = [
        {"stat": s, "city": city.get(s.exam_subject_id), "place": _place_text(place, s)}
        for s in stats
        if s.exam_subject_id is not None
    ]
    subject_rows.sort(key=lambda row: row["stat"].exam_subject.order)
    overall = next((s for s in stats if s.exam_subject_id is None), None)
    class_stats = selectors.class_statistics_for(user=user, exam=exam, school_id=school.pk)
    classes = defaultdict(dict)
    class_names = {}
    for stat in class_stats:
        classes[stat["school_class_id"]][stat["exam_subject_id"]] = stat
        number = stat["school_class__number"]
        class_names[stat["school_class_id"]] = (
            codes.class_label(stat["school_class__grade"], number) if number is not None else "未分班"
        )
    subjects = [row["stat"].exam_subject for row in subject_rows]
    class_rows = [
        {
            "name": class_names[class_id],
            "cells": [by_subject.get(s.pk) for s in subjects],
            "overall": by_subject.get(None),
        }
        for class_id, by_subject in classes.items()  # in class-number order, as the query returns them
    ]
    chart = {
        "subjects": [row["stat"].exam_subject.subject.name for row in subject_rows],
        "school": [float(row["stat"].score_rate or 0) * 100 for row in subject_rows],
        "city": [float(row["city"].score_rate or 0) * 100 if row["city"] else None for row in subject_rows],
    }
    return render_to_string(
        "monitoring/_school_body.html",
        {
            "exam": exam,
            "school": school,
            "subject_rows": subject_rows,
            "overall": overall,
            "subjects": subjects,
            "class_rows": class_rows,
            "show_grades": place == rules.PLACE_GRADE,
            "shows_place": place != rules.PLACE_NONE,
            "chart": json.dumps(chart, ensure_ascii=False),
        },
    )


@login_required
def school_trend(request: HttpRequest, school_id: int) -> HttpResponse:
    """A school across exams: trend of its score rate and rates per subject against the city."""
    _require(_any_monitoring_role(request.user))
    visible_schools = School.objects.visible_to(request.user)
    if not selectors.sees_all_schools(request.user):
        visible_schools = visible_schools.filter(pk__in=school_ids_for(request.user))
    school = get_object_or_404(visible_schools, pk=school_id)
    stats = (
        Statistic.objects.filter(school=school, level=Level.SCHOOL, exam_subject__isnull=False, exam__status="ready")
        .select_related("exam__semester", "exam_subject__subject")
        .order_by("exam__semester__start_year", "exam__semester__term", "exam__held_on", "exam_id")
    )
    sees_all = selectors.sees_all_schools(request.user)
    own_school = school.pk in school_ids_for(request.user)
    exams, series, places = [], defaultdict(dict), {}
    for stat in stats:
        if stat.exam not in exams:
            exams.append(stat.exam)
        series[stat.exam_subject.subject.name][stat.exam_id] = stat
        if stat.exam_id not in places:  # each exam has its own policy: 第 14 名 / 共 35 所, or 等级 B
            places[stat.exam_id] = stat.exam.place_shown(sees_all_schools=sees_all, own_school=own_school)
        stat.place = _place_text(places[stat.exam_id], stat)

    def point(stat: Statistic | None) -> dict | None:
        if stat is None or stat.score_rate is None:
            return None
        return {"value": round(float(stat.score_rate) * 100, 1), "place": stat.place}

    chart = {
        "exams": [exam.name for exam in exams],
        "series": [
            {"name": subject, "data": [point(by_exam.get(e.pk)) for e in exams]} for subject, by_exam in series.items()
        ],
    }
    table = [{"subject": subject, "cells": [by_exam.get(e.pk) for e in exams]} for subject, by_exam in series.items()]
    return render(
        request,
        "monitoring/school_trend.html",
        {
            "school": school,
            "exams": exams,
            "table": table,
            "sees_all": sees_all,
            "chart": json.dumps(chart, ensure_ascii=False),
        },
    )


# ---- Score corrections ----------------------------------------------------------------------------


@login_required
@logs_access(lambda request, pk: f"学生成绩查询与更正（监测 #{pk}）")
@require_http_methods(["GET", "POST"])
def exam_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """Find one student's scores by the full 学籍号 and correct one; bureau staff only."""
    exam = _exam_for(request, pk)
    _require(selectors.can_manage_exams(request.user))
    number = request.GET.get("student", "").strip().upper()
    scores, history = [], []
    if number:
        scores = list(
            Score.objects.filter(exam_subject__exam=exam, student__student_number=number)
            .select_related("exam_subject__subject", "student", "school")
            .order_by("exam_subject__order")
        )
        history = ScoreCorrection.objects.filter(
            exam_subject__exam=exam, student__student_number=number
        ).select_related("corrected_by", "exam_subject__subject")
    form = ScoreCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        score = get_object_or_404(
            Score.objects.select_related("exam_subject", "student"),
            exam_subject__exam=exam,
            exam_subject_id=request.POST.get("exam_subject"),
            student_id=request.POST.get("student"),
        )
        try:
            services.correct_score(
                score=score, raw_value=form.cleaned_data["value"], reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "成绩已更正，统计结果正在重新计算。")
            return redirect(f"{request.path}?student={score.student.student_number}")
    return render(
        request,
        "monitoring/exam_scores.html",
        {
            "exam": exam,
            "number": number,
            "scores": scores,
            "history": history,
            "form": form,
            # Bureau staff are outside the student's school: the name is masked (PIPL, minors).
            "student_name": codes.mask_name(scores[0].student.name) if scores else "",
        },
    )


# ---- Warnings and research visits -----------------------------------------------------------------


def warning_loop_status(warning: EarlyWarning) -> str:
    """检测 → 分析反馈 → 行为改进: has the next comparable exam shown improvement?"""
    following = (
        Statistic.objects.filter(
            exam__comparable_exam=warning.exam_id,
            exam__status=Exam.Status.READY,
            school_id=warning.school_id,
            level=Level.SCHOOL,
        )
        .filter(Q(exam_subject__subject=warning.exam_subject.subject_id) if warning.exam_subject_id else Q())
        .exclude(exam_subject__isnull=True)
    )
    changes = [s.rank_change for s in following if s.rank_change is not None]
    if not changes:
        return "待下次监测检验"
    return "已改进" if sum(changes) > 0 else "未见改进"


WARNING_TONES = {"open": "danger", "in_progress": "warning", "agreed": "info", "closed": "success"}


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    """质量预警: cards by research-visit status (clicking one filters); by default one group per school
    (its warnings together, counted), the schools with most open warnings first; or one flat list."""
    _require(selectors.sees_all_schools(request.user))
    scoped = selectors.warning_qs_for(user=request.user)
    warning_filter = WarningFilter(request.GET, queryset=scoped)
    grouped = request.GET.get("view", "school") != "list"
    sorts = selectors.WARNING_GROUP_SORTS if grouped else selectors.WARNING_SORTS
    sort = listing.sort_param(request.GET.get("sort"), allowed=sorts, default="urgency")
    warnings = selectors.sorted_warnings(warning_filter.qs, sort=listing.SortChoice("urgency", False))
    if grouped:
        groups = selectors.warning_school_groups(warning_filter.qs, sort=sort)
    else:
        warnings = selectors.sorted_warnings(warning_filter.qs, sort=sort)
    if request.GET.get("export") == "xlsx":
        if grouped:  # the page's order: schools as grouped, each school's warnings most urgent first
            rank = {group["school_id"]: n for n, group in enumerate(groups)}
            warnings = sorted(warnings, key=lambda w: rank[w.school_id])
        return _warning_export(warnings)
    unfiltered = request.GET.copy()
    unfiltered.pop("status", None)
    counts = dict(
        WarningFilter(unfiltered, queryset=scoped).qs.order_by().values_list("visit__status").annotate(n=Count("pk"))
    )
    cards = listing.summary_cards(
        request,
        param="status",
        states=[
            ("", "全部预警", sum(counts.values()), "primary"),
            *(
                (value, label, counts.get(value, 0), WARNING_TONES[value])
                for value, label in ResearchVisit.Status.choices
            ),
        ],
    )
    if grouped:
        page = listing.paginate(request, groups, default_size=10)
        shown = {group["school_id"] for group in page.object_list}
        by_school = defaultdict(list)
        for warning in warnings.filter(school_id__in=shown):
            by_school[warning.school_id].append(warning)
    else:
        page = listing.paginate(request, warnings)
        shown = {w.school_id for w in page.object_list}
    responsible = responsible_researchers(shown, on=timezone.localdate())

    def row(w):
        return {
            "warning": w,
            "tone": WARNING_TONES.get(getattr(getattr(w, "visit", None), "status", ""), "secondary"),
            "loop": warning_loop_status(w),
            "responsible": "、".join(responsible.get(w.school_id, [])),
        }

    context = {"filter": warning_filter, "page": page, "cards": cards, "sort": sort, "grouped": grouped}
    if grouped:
        context["groups"] = [
            {
                **group,
                "rows": [row(w) for w in by_school[group["school_id"]]],
                "responsible": "、".join(responsible.get(group["school_id"], [])),
            }
            for group in page.object_list
        ]
    else:
        context["rows"] = [row(w) for w in page.object_list]
    return render(request, "monitoring/warning_list.html", context)


def _warning_export(warnings) -> HttpResponse:
    warnings = list(warnings)
    responsible = responsible_researchers({w.school_id for w in warnings}, on=timezone.localdate())
    rows = (
        [
            w.exam.name,
            w.school.code,
            w.school.name,
            w.school.district.name,
            w.school.category_label,
            w.get_kind_display() + (f"（{w.value_added_mark}）" if w.value_added_mark else ""),
            w.exam_subject.subject.name if w.exam_subject_id else "多学科",
            w.reason,
            w.visit.get_status_display(),
            "、".join(responsible.get(w.school_id, [])),
            warning_loop_status(w),
        ]
        for w in warnings
    )
    header = ["监测", "学校标识码", "学校", "区县", "类别", "预警类型", "学科", "原因", "调研状态", "负责教研员",
              "改进情况"]  # fmt: skip
    return excel.export_response("质量预警.xlsx", [excel.Sheet("预警", header, rows)])


@login_required
@require_http_methods(["GET", "POST"])
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = get_object_or_404(selectors.warning_qs_for(user=request.user), pk=pk)
    form = ResearchVisitForm(request.POST or None, instance=warning.visit)
    if request.method == "POST" and form.is_valid():
        services.update_research_visit(form=form, by=request.user)
        messages.success(request, "调研记录已保存。")
        return redirect("monitoring:warning-detail", pk=warning.pk)
    return render(
        request,
        "monitoring/warning_detail.html",
        {
            "warning": warning,
            "form": form,
            "loop": warning_loop_status(warning),
            "history": audit.history_for(warning.visit)[:20],
        },
    )


# ---- Basic quality indicators ---------------------------------------------------------------------


def _school_year(request: HttpRequest) -> int:
    from schools.models import Semester

    current = Semester.objects.filter(is_current=True).first()
    default = current.start_year if current else timezone.localdate().year
    try:
        return int(request.GET.get("year", default))
    except ValueError:
        return default


def _indicator_cell(indicator: Indicator, school: School, value) -> dict:
    """One school's figure under one line: shown as 是/否 or a number, judged only where the line
    applies to the school's stages (a 小学's cell under the 初中 sleep line reads 不适用)."""
    if not indicator.applies_to(school):
        return {"value": None, "text": "不适用", "met": None, "applies": False}
    # The header gives the line and its unit; a cell gives the bare figure, or 是/否.
    text = words.yes_no(value) if indicator.yes_no else words.figure(value)
    return {"value": value, "text": text, "met": indicator.is_met(value), "applies": True}


@login_required
def indicator_table(request: HttpRequest) -> HttpResponse:
    """The city table of who meets which line; a school's staff see their own row."""
    _require(_any_monitoring_role(request.user))
    year = _school_year(request)
    indicators = list(Indicator.objects.all())
    reports = selectors.indicator_reports_for(user=request.user).filter(start_year=year)
    by_school = defaultdict(dict)
    for report in reports:
        by_school[report.school_id][report.indicator_id] = report.value
    schools = School.objects.visible_to(request.user).filter(is_active=True).select_related("district", "school_type")
    if not selectors.sees_all_schools(request.user):
        schools = schools.filter(pk__in=school_ids_for(request.user))
    rows = []
    for school in schools.order_by("district__code", "code"):
        values = by_school.get(school.pk, {})
        cells = [_indicator_cell(i, school, values.get(i.pk)) for i in indicators]
        filed = [c for c in cells if c["met"] is not None]
        rows.append({"school": school, "cells": cells, "met": sum(bool(c["met"]) for c in filed), "filed": len(filed)})
    if request.GET.get("export") == "xlsx":
        header = [
            "学校标识码",
            "学校",
            "区县",
            "类别",
            *[f"{i.name}（{i.line_label}）" for i in indicators],
            "达标项数",
        ]
        data = (
            [
                r["school"].code,
                r["school"].name,
                r["school"].district.name,
                r["school"].category_label,
                *[
                    ("" if c["value"] is None else f"{c['text']}{'（未达标）' if c['met'] is False else ''}")
                    if c["applies"]
                    else "不适用"
                    for c in r["cells"]
                ],
                f"{r['met']}/{r['filed']}",
            ]
            for r in rows
        )
        return excel.export_response(f"基本要求达标情况-{year}学年.xlsx", [excel.Sheet("达标情况", header, data)])
    filing_schools = School.objects.filter(pk__in=selectors.indicator_school_ids_for(request.user))
    page = listing.paginate(request, rows)
    years = [(y, codes.academic_year_label(y)) for y in range(year + 1, year - 5, -1)]
    return render(
        request,
        "monitoring/indicator_table.html",
        {"year": year, "years": years, "indicators": indicators, "page": page, "filing_schools": filing_schools},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_file(request: HttpRequest, school_id: int) -> HttpResponse:
    """A principal files the school's figures for the year."""
    if school_id not in selectors.indicator_school_ids_for(request.user):
        raise Http404
    school = get_object_or_404(School.objects.select_related("school_type"), pk=school_id)
    year = _school_year(request)
    indicators = [indicator for indicator in Indicator.objects.all() if indicator.applies_to(school)]
    existing = {r.indicator_id: r for r in IndicatorReport.objects.filter(school=school, start_year=year)}
    form = IndicatorFilingForm(
        request.POST or None, indicators=indicators, initial_values={k: v.value for k, v in existing.items()}
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for indicator in indicators:
                value = form.cleaned_data[f"i_{indicator.pk}"]
                if value is None:
                    continue
                IndicatorReport.objects.update_or_create(
                    school=school,
                    indicator=indicator,
                    start_year=year,
                    defaults={"value": value, "filed_by": request.user},
                )
        messages.success(request, f"{school.name}{codes.academic_year_label(year)}基本指标已保存。")
        return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "monitoring/indicator_file.html",
        {"school": school, "year": year, "year_label": codes.academic_year_label(year), "form": form},
    )
