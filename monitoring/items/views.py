"""Pages of paper analysis (试卷分析). Thin: scope → selector → render; writes through items.blueprint."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from eduquality import excel
from eduquality.imports import ImportRejected
from monitoring import selectors as monitoring_selectors
from monitoring.items import blueprint, exports, rules, selectors
from monitoring.items.forms import BlueprintItemFormSet, BlueprintUploadForm
from monitoring.items.models import KnowledgePoint
from monitoring.models import Exam, ExamSubject


def _exam_subject(request: HttpRequest, pk: int, subject_id: int) -> tuple[Exam, ExamSubject]:
    exam = get_object_or_404(monitoring_selectors.exam_qs_for(user=request.user), pk=pk)
    subject = get_object_or_404(exam.subjects.select_related("subject", "exam"), pk=subject_id)
    return exam, subject


def _require_manager(request: HttpRequest) -> None:
    if not monitoring_selectors.can_manage_exams(request.user):
        raise PermissionDenied


def _rate_colour(rate) -> str:
    """A cell's background by score rate: red (low) through yellow to green (high)."""
    if rate is None:
        return ""
    hue = int(max(0, min(1, float(rate))) * 120)
    return f"hsl({hue}, 70%, 82%)"


@login_required
def analysis(request: HttpRequest, pk: int, subject_id: int) -> HttpResponse:
    """An exam subject's 试卷分析: the city's item table (flags, option shares), the P–D scatter and the
    two-way table coloured by score rate; `?school=` shows a school's own figures to those who may."""
    exam, subject = _exam_subject(request, pk, subject_id)
    school = None
    if request.GET.get("school", "").isdigit():
        school_id = int(request.GET["school"])
        selectors.require_school(request.user, exam, school_id)
        school = get_object_or_404(exam.schools, pk=school_id)
    rows = selectors.item_rows(subject, school=school)
    abilities, table = selectors.two_way_rates(subject, school=school)
    scope = school.name if school else "全市"
    if request.GET.get("export") == "xlsx":
        return excel.export_response(
            f"{exam.name}-{subject.subject.name}-试卷分析-{scope}.xlsx",
            [exports.item_sheet("小题分析", rows), exports.two_way_sheet(abilities, table)],
        )
    for row in table:
        for cell in row["cells"]:
            cell["colour"] = _rate_colour(cell["rate"]) if cell["labels"] else ""
    scatter = [
        {
            "label": row["item"].label,
            "value": [float(row["stat"].difficulty), float(row["stat"].discrimination)],
            "flagged": bool(row["flags"]),
        }
        for row in rows
        if row["stat"] and row["stat"].difficulty is not None and row["stat"].discrimination is not None
    ]
    flag_rules = exam.item_flag_rules
    context = {
        "exam": exam,
        "subject": subject,
        "school": school,
        "scope": scope,
        "rows": rows,
        "paper": selectors.paper(subject, level="school", school_id=school.pk) if school else selectors.paper(subject),
        "abilities": abilities,
        "table": table,
        "flag_rules": flag_rules,
        "own_schools": _own_schools(request.user, exam),
        "chart": json.dumps(
            {
                "points": scatter,
                "floor": float(flag_rules.discrimination_floor),
                "hard": float(flag_rules.hard_below),
                "easy": float(flag_rules.easy_above),
            },
            ensure_ascii=False,
        ),
    }
    return render(request, "monitoring/items/analysis.html", context)


def _own_schools(user, exam: Exam):
    visible = monitoring_selectors.school_ids_visible_in_exam(user=user, exam=exam)
    return exam.schools.filter(pk__in=visible) if visible is not None else None


@login_required
def school_knowledge(request: HttpRequest, pk: int, school_id: int) -> HttpResponse:
    """A school's knowledge-point profile against its district and the city, its classes × knowledge
    points, and its typical lost items (the largest gaps to the city), one subject at a time."""
    exam = get_object_or_404(monitoring_selectors.exam_qs_for(user=request.user), pk=pk)
    selectors.require_school(request.user, exam, school_id)
    school = get_object_or_404(exam.schools.select_related("district"), pk=school_id)
    subjects = selectors.analysed_subjects(exam)
    chosen = next((s for s in subjects if str(s.pk) == request.GET.get("subject")), subjects[0] if subjects else None)
    context = {"exam": exam, "school": school, "subjects": subjects, "chosen": chosen}
    if chosen is not None:
        profile = selectors.knowledge_profile(chosen, school)
        points, classes = selectors.class_heatmap(chosen, school)
        lost = selectors.lost_items(chosen, school)
        if request.GET.get("export") == "xlsx":
            return excel.export_response(
                f"{exam.name}-{school.name}-{chosen.subject.name}-知识点分析.xlsx",
                [
                    exports.profile_sheet(profile),
                    exports.heatmap_sheet(points, classes),
                    exports.lost_sheet(lost),
                ],
            )
        for row in classes:
            row["coloured"] = [{"rate": rate, "colour": _rate_colour(rate)} for rate in row["cells"]]
        detail = [row for row in profile if not row["is_domain"]]
        context.update(
            profile=profile,
            points=points,
            classes=classes,
            lost=lost,
            chart=json.dumps(
                {
                    "points": [row["point"].name for row in detail],
                    "series": [
                        {"name": name, "data": [_percent(row[key]) for row in detail]}
                        for name, key in (("本校", "school"), ("本区县", "district"), ("全市", "city"))
                    ],
                },
                ensure_ascii=False,
            ),
        )
    return render(request, "monitoring/items/school_knowledge.html", context)


def _percent(rate) -> float | None:
    return round(float(rate) * 100, 1) if rate is not None else None


@login_required
@require_http_methods(["GET", "POST"])
def blueprint_page(request: HttpRequest, pk: int, subject_id: int) -> HttpResponse:
    """The subject's blueprint: its items and two-way table; the bureau imports or edits it."""
    exam, subject = _exam_subject(request, pk, subject_id)
    can_manage = monitoring_selectors.can_manage_exams(request.user)
    problems = []
    form = BlueprintUploadForm() if can_manage else None
    if request.method == "POST":
        _require_manager(request)
        form = BlueprintUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = blueprint.import_blueprint(subject, upload.read(), upload.name, by=request.user)
            except ImportRejected as rejected:
                messages.error(request, rejected.message)
                problems = rejected.problems
            else:
                messages.success(request, f"细目表已导入：共 {count} 题。重新统计后即可查看试卷分析。")
                return redirect("monitoring:item-blueprint", pk=exam.pk, subject_id=subject.pk)
    abilities, rows = blueprint.two_way(subject)
    context = {
        "exam": exam,
        "subject": subject,
        "items": selectors.items_of(subject),
        "abilities": abilities,
        "two_way": rows,
        "can_manage": can_manage,
        "form": form,
        "problems": problems,
        "total": sum((i.points for i in subject.items.all()), start=subject.full_marks * 0),
    }
    return render(request, "monitoring/items/blueprint.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def blueprint_edit(request: HttpRequest, pk: int, subject_id: int) -> HttpResponse:
    """The blueprint entered in a form (a row per item); saved whole only if it adds up."""
    exam, subject = _exam_subject(request, pk, subject_id)
    _require_manager(request)
    formset = BlueprintItemFormSet(request.POST or None, instance=subject)
    points = KnowledgePoint.objects.filter(pk__in=[p.pk for p in blueprint.knowledge_points_for(subject)])
    for form in formset.forms:
        form.fields["knowledge_point"].queryset = points
    if request.method == "POST" and formset.is_valid():
        cleaned = [c for c in formset.cleaned_data if c and not c.get("DELETE")]
        try:
            parsed = blueprint.rows_from_forms(cleaned)
            if message := blueprint.total_problem(subject, [row.points for row in parsed]):
                raise ImportRejected(message)
            if len({row.label for row in parsed}) != len(parsed):
                raise ImportRejected("题号不能重复。")
            blueprint.save(subject, parsed, by=request.user)
        except rules.ItemError as error:
            messages.error(request, f"答案有误：{error}")
        except ImportRejected as rejected:
            messages.error(request, rejected.message)
        else:
            messages.success(request, f"细目表已保存：共 {len(parsed)} 题。")
            return redirect("monitoring:item-blueprint", pk=exam.pk, subject_id=subject.pk)
    return render(
        request, "monitoring/items/blueprint_edit.html", {"exam": exam, "subject": subject, "formset": formset}
    )


@login_required
def blueprint_template(request: HttpRequest, pk: int, subject_id: int) -> HttpResponse:
    _, subject = _exam_subject(request, pk, subject_id)
    _require_manager(request)
    return excel.xlsx_response(f"{subject.subject.name}-双向细目表模板.xlsx", blueprint.template(subject))


@login_required
def blueprint_download(request: HttpRequest, pk: int, subject_id: int) -> HttpResponse:
    exam, subject = _exam_subject(request, pk, subject_id)
    return excel.export_response(
        f"{exam.name}-{subject.subject.name}-双向细目表.xlsx", blueprint.two_way_sheets(subject)
    )
