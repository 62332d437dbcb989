"""Report pages. Thin: role gate → scoped selector/form → service → redirect/render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from eduquality import audit, excel, listing
from reports import data, rules, selectors, services, tracking
from reports.forms import (
    BatchForm,
    DeadlineForm,
    MeasureForm,
    MeasureStateForm,
    NarrativeForm,
    ReportFilter,
    TrackingFilterForm,
    TrackingForm,
    TransitionForm,
)
from reports.models import ImprovementMeasure
from schools.models import Semester
from schools.scoping import grants_of, is_bureau


def _gate(request: HttpRequest) -> None:
    if not (grants_of(request.user) or is_bureau(request.user)):
        raise PermissionDenied


def _gate_bureau(request: HttpRequest) -> None:
    if not is_bureau(request.user):
        raise PermissionDenied


def _current_semester(request: HttpRequest) -> Semester:
    semester_id = request.GET.get("semester") or request.POST.get("semester")
    semesters = Semester.objects.all()
    if semester_id and semester_id.isdigit() and semesters.filter(pk=semester_id).exists():
        return semesters.get(pk=semester_id)
    semester = semesters.filter(is_current=True).first() or semesters.first()
    if semester is None:
        raise Http404("尚未设置学期")
    return semester


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    filterset = ReportFilter(request.GET, queryset=selectors.report_qs_for(user=request.user))
    page = listing.paginate(request, filterset.qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/list.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "is_bureau": is_bureau(request.user)},
    )


@login_required
def report_export(request: HttpRequest) -> HttpResponse:
    _gate(request)
    reports = ReportFilter(request.GET, queryset=selectors.report_qs_for(user=request.user)).qs
    sheet = excel.Sheet(
        title="质量分析报告",
        header=["报告", "类型", "学校/区域", "学科", "学期/学年", "状态", "撰写人", "提交时间"],
        rows=(
            [
                str(r),
                r.get_kind_display(),
                r.school.name if r.school_id else (r.district.name if r.district_id else "全市"),
                r.subject.name if r.subject_id else "",
                r.period_label,
                r.get_status_display(),
                str(r.author or ""),
                timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M") if r.submitted_at else "",
            ]
            for r in reports
        ),
        widths=[48, 24, 24, 10, 26, 10, 12, 18],
    )
    return excel.export_response(f"质量分析报告-{timezone.localdate():%Y%m%d}.xlsx", [sheet])


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    _gate(request)
    semester = _current_semester(request)
    scopes = selectors.creatable_scopes(request.user, semester)
    if request.method == "POST":
        index = request.POST.get("scope", "")
        if not index.isdigit() or int(index) >= len(scopes):
            raise PermissionDenied
        scope = scopes[int(index)]
        report = services.create_report(
            kind=scope["kind"],
            semester=semester,
            by=request.user,
            school=scope["school"],
            subject=scope["subject"],
            district=scope["district"],
        )
        return redirect("reports:report-detail", pk=report.pk)
    return render(
        request,
        "reports/create.html",
        {"scopes": scopes, "semester": semester, "semesters": Semester.objects.all()},
    )


def _report_for(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.report_qs_for(user=request.user), pk=pk)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    report = _report_for(request, pk)
    actions = rules.allowed_actions(report.kind, report.status, selectors.roles_over(request.user, report))
    context = data.build_context(report)
    roles = selectors.roles_over(request.user, report)
    context.update(
        chapters=data.outline(report),
        actions=actions,
        can_edit=rules.EDIT in actions,
        submit_blocked=services.submit_blocker(report) if rules.SUBMIT in actions else None,
        measure_form=MeasureForm(report=report) if rules.EDIT in actions else None,
        can_track=rules.may_track_measures(report.kind, roles),
        measure_states=ImprovementMeasure.State.choices,
        pdfs=selectors.pdfs_of(report),
        history=audit.history_for(report)[:20],
        transition_form=TransitionForm(),
    )
    return render(request, "reports/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    report = _report_for(request, pk)
    if rules.EDIT not in rules.allowed_actions(report.kind, report.status, selectors.roles_over(request.user, report)):
        raise PermissionDenied
    form = NarrativeForm(request.POST or None, instance=report)
    autosave = request.headers.get("X-Autosave") == "1"  # the editor saves a draft every minute
    if request.method == "POST" and form.is_valid():
        services.save_narrative(form=form, by=request.user)
        if autosave:
            return JsonResponse({"saved_at": timezone.localtime().strftime("%H:%M")})
        if "save_and_submit" not in request.POST:
            messages.success(request, "已保存。")
            return redirect("reports:report-detail", pk=report.pk)
        try:
            services.transition(report=report, action=rules.SUBMIT, by=request.user)
        except (ValidationError, rules.TransitionError) as error:
            messages.error(request, "已保存，但未能提交：" + " ".join(getattr(error, "messages", [str(error)])))
            return redirect("reports:report-edit", pk=report.pk)
        messages.success(request, "已保存并提交。")
        return redirect("reports:report-detail", pk=report.pk)
    if autosave:
        return JsonResponse({"errors": {name: list(errors) for name, errors in form.errors.items()}}, status=400)
    findings_by_exam = data.report_findings(data.build_context(report))
    return render(request, "reports/edit.html", {"report": report, "form": form, "findings_by_exam": findings_by_exam})


@login_required
@require_POST
def report_transition(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    report = _report_for(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    try:
        services.transition(
            report=report, action=form.cleaned_data["action"], by=request.user, comment=form.cleaned_data["comment"]
        )
    except (ValidationError, rules.TransitionError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"已{rules.ACTION_LABELS[form.cleaned_data['action']]}。")
    return redirect("reports:report-detail", pk=report.pk)


@login_required
@require_POST
def report_render(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    report = _report_for(request, pk)
    job = services.start_render(report=report, by=request.user)
    return redirect("job-detail", pk=job.pk)


@login_required
def report_pdf(request: HttpRequest, pk: int, version: int) -> FileResponse:
    _gate(request)
    report = _report_for(request, pk)
    stored = get_object_or_404(report.pdfs, version=version)
    response = FileResponse(stored.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=services.file_name(report, stored.version)
    )
    return response


def _tracking(request: HttpRequest) -> dict:
    """The 报送情况 rows the page and its export share: filtered, counted per state, sorted."""
    semester = _current_semester(request)
    # The period defaults to school reports of the current semester, also when only ?sort= or ?size= is given.
    form = TrackingFilterForm({"kind": "school", "semester": semester.pk, **request.GET.dict()})
    kind = form.data.get("kind", "school")
    if not form.is_valid():
        kind = "school"
        filters = {}
    else:
        semester = form.cleaned_data["semester"]
        district = form.cleaned_data["district"]
        filters = {"district": district.pk if district else None, "text": form.cleaned_data["q"].strip()}
    today = timezone.localdate()
    every = tracking.filing_rows(kind=kind, semester=semester, today=today)
    in_scope = [row for row in every if tracking.row_matches(row, **filters)]
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    rows = [row for row in in_scope if tracking.row_matches(row, state=state)]
    sort = listing.sort_param(request.GET.get("sort"), allowed=tracking.SORT_KEYS, default="urgency")
    return {
        "form": form,
        "kind": kind,
        "semester": semester,
        "rows": tracking.sort_rows(rows, sort=sort, today=today),
        "every": every,
        "counts": tracking.state_counts(in_scope),
        "sort": sort,
    }


@login_required
def tracking_view(request: HttpRequest) -> HttpResponse:
    """报送情况与催报: cards per state (clicking one filters), the reports still to file first, pages."""
    _gate_bureau(request)
    found = _tracking(request)
    kind, semester, counts = found["kind"], found["semester"], found["counts"]
    deadline = tracking.deadline_of(kind=kind, semester=semester)
    cards = listing.summary_cards(
        request,
        param="state",
        states=[
            ("", "应报送", sum(counts[code] for code, _ in tracking.FILING_STATES), "primary"),
            ("overdue", "逾期未报", counts["overdue"], "danger"),
            ("unfiled", "未报送", counts["unfiled"], "warning"),
            *((code, label, counts[code], tracking.FILING_TONES[code]) for code, label in tracking.FILING_STATES),
        ],
    )
    page = listing.paginate(request, found["rows"])
    return render(
        request,
        "reports/tracking.html",
        {
            **found,
            "page": page,
            "rows": page.object_list,
            "cards": cards,
            "deadline": deadline,
            "deadline_form": DeadlineForm(initial={"kind": kind, "semester": semester.pk}),
            "batch_form": BatchForm(initial={"semester": semester.pk}),
            "overdue": sum(1 for row in found["every"] if row["state"].overdue),
            "unfiled": sum(1 for row in found["every"] if not row["filed"]),
        },
    )


@login_required
def tracking_export(request: HttpRequest) -> HttpResponse:
    """报送情况 as Excel: the same filters and order as the page."""
    _gate_bureau(request)
    found = _tracking(request)
    subject = found["kind"] == "subject"
    header = ["学校标识码", "学校", "区县", *(["学科"] if subject else []), "状态", "逾期", "撰写人", "提交时间"]
    rows = (
        [
            row["school"].code,
            row["school"].name,
            row["school"].district.name,
            *([row["subject"].name] if subject else []),
            row["state"].label,
            "是" if row["state"].overdue else "否",
            str(row["report"].author) if row["report"] and row["report"].author else "",
            timezone.localtime(row["report"].submitted_at).replace(tzinfo=None)
            if row["report"] and row["report"].submitted_at
            else "",
        ]
        for row in found["rows"]
    )
    sheet = excel.Sheet(
        title="报送情况", header=header, rows=rows, widths=[14, 30, 12, *([8] if subject else []), 12, 6, 10, 18]
    )
    return excel.export_response(f"报送情况-{found['semester']}.xlsx", [sheet])


@login_required
@require_POST
def deadline_set(request: HttpRequest) -> HttpResponse:
    _gate_bureau(request)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "截止日期设置有误，请检查。")
        return redirect("reports:tracking")
    cleaned = form.cleaned_data
    services.set_deadline(kind=cleaned["kind"], semester=cleaned["semester"], due_on=cleaned["due_on"], by=request.user)
    messages.success(request, "已设置截止日期。")
    return redirect(f"{reverse('reports:tracking')}?kind={cleaned['kind']}&semester={cleaned['semester'].pk}")


@login_required
@require_POST
def tracking_remind(request: HttpRequest) -> HttpResponse:
    _gate_bureau(request)
    form = TrackingForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    kind, semester = form.cleaned_data["kind"], form.cleaned_data["semester"]
    schools = tracking.unfiled_schools(kind=kind, semester=semester)
    sent = services.remind(kind=kind, semester=semester, schools=schools, by=request.user)
    messages.success(request, f"已向 {sent} 所学校发送催报提醒。")
    return redirect(f"{reverse('reports:tracking')}?kind={kind}&semester={semester.pk}")


@login_required
@require_POST
def batch_render(request: HttpRequest) -> HttpResponse:
    _gate_bureau(request)
    form = BatchForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    job = services.start_batch(semester=form.cleaned_data["semester"], by=request.user)
    return redirect("job-detail", pk=job.pk)


# ---- 改进措施 (the loop) ----------------------------------------------------------------------------


@login_required
@require_POST
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    report = _report_for(request, pk)
    form = MeasureForm(request.POST, report=report)
    if form.is_valid():
        services.add_measure(report=report, form=form, by=request.user)
        messages.success(request, "已添加改进措施。")
    else:
        messages.error(request, "改进措施未添加：" + "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("reports:report-detail", args=[report.pk]) + "#measures")


@login_required
@require_POST
def measure_state(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    measure = get_object_or_404(
        ImprovementMeasure.objects.select_related("report"),
        pk=pk,
        report__in=selectors.report_qs_for(user=request.user),
    )
    form = MeasureStateForm(request.POST, instance=measure)
    if form.is_valid():
        services.update_measure(measure=measure, form=form, by=request.user)
        messages.success(request, "已更新落实情况。")
    else:
        messages.error(request, "落实情况未更新：" + "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("reports:report-detail", args=[measure.report_id]) + "#measures")


@login_required
def measures_overview(request: HttpRequest) -> HttpResponse:
    """The bureau's view of the loop: per school, how last semester's measures were carried out."""
    _gate_bureau(request)
    semester = _current_semester(request)
    rows = selectors.measures_by_school(semester=semester, today=timezone.localdate())
    if request.GET.get("export") == "xlsx":
        sheet = excel.Sheet(
            title="改进措施落实",
            header=["学校", "报告数", "措施数", "已落实", "推进中", "未开始", "未落实", "已逾期"],
            rows=(
                [
                    r["school"],
                    r["reports"],
                    r["total"],
                    r["done"],
                    r["ongoing"],
                    r["planned"],
                    r["dropped"],
                    r["overdue"],
                ]
                for r in rows
            ),
            widths=[32, 8, 8, 8, 8, 8, 8, 8],
        )
        return excel.export_response(f"改进措施落实-{semester}.xlsx", [sheet])
    page = listing.paginate(request, rows)
    return render(
        request,
        "reports/measures.html",
        {"semester": semester, "semesters": Semester.objects.all(), "page": page, "rows": page.object_list},
    )
