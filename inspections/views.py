"""Inspection pages. Thin: role gate → scoped selector/form → service → render/redirect."""

import mimetypes
import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from eduquality import audit, excel, extensions, listing
from eduquality.pdf import render_template_pdf
from inspections import exports, filters, forms, rules, selectors, services
from inspections.models import (
    Criterion,
    Notice,
    Observation,
    ObservationQuota,
    ObservationScore,
    Rubric,
    Visit,
    VisitScore,
)
from schools.models import School, Semester, Teacher
from schools.scoping import grants_of, is_bureau, school_ids_for, school_leader_ids_for


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _column_sorted(request, queryset, columns):
    """`queryset` sorted by the clicked column (`?sort=key` / `-key`, see exports.Column), else as is."""
    sorts = {column.key: column.sort for column in columns if column.sort}
    asked = request.GET.get("sort", "")
    if asked.lstrip("-") not in sorts:
        return None, queryset
    sort = listing.sort_param(asked, allowed=sorts, default=asked)
    return sort, queryset.order_by(*listing.ordering(sorts[sort.key], descending=sort.descending))


def _list_page(request, *, template, filterset, columns, title, extra=None, export_name=None):
    sort, objects = _column_sorted(request, filterset.qs, columns)
    page = listing.paginate(request, objects)
    query = request.GET.copy()  # what the export link carries: the filters and the sort
    query.pop("page", None)
    query.pop("size", None)
    rows = [
        {
            "object": obj,
            "cells": [{"value": c.value(obj), "tone": c.tone(obj) if c.tone else ""} for c in columns],
        }
        for obj in page.object_list
    ]
    context = {
        "title": title,
        "filter": filterset,
        "page": page,
        "rows": rows,
        "columns": columns,
        "headers": [column.header for column in columns],
        "sort": sort,
        "query": query.urlencode(),
        "export_url": reverse(export_name) if export_name else "",
        **(extra or {}),
    }
    return render(request, template, context)


def _export(filename: str, title: str, columns, objects) -> HttpResponse:
    sheet = excel.Sheet(
        title=title,
        header=[column.header for column in columns],
        rows=([column.value(obj) for column in columns] for obj in objects),
        widths=[column.width for column in columns],
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return excel.export_response(f"{filename}-{stamp}.xlsx", [sheet])


# ---- Rubrics ------------------------------------------------------------------------------------------


@login_required
def rubric_list(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_manage_inspections(request.user) or selectors.sees_city_ratings(request.user))
    rubrics = selectors.rubric_qs_for(user=request.user).annotate(
        criteria_count=Count("areas__criteria", distinct=True), visit_count=Count("visits", distinct=True)
    )
    return render(request, "inspections/rubric_list.html", {"rubrics": rubrics, "can_manage": is_bureau(request.user)})


@login_required
def rubric_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = get_object_or_404(selectors.rubric_qs_for(user=request.user), pk=pk)
    areas = rubric.areas.prefetch_related("criteria")
    thresholds = rules.parse_thresholds(rubric.star_thresholds)
    return render(
        request,
        "inspections/rubric_detail.html",
        {
            "rubric": rubric,
            "areas": areas,
            "thresholds": [(rules.stars(level), points) for level, points in thresholds],
            "can_manage": is_bureau(request.user),
            "history": audit.history_for(rubric)[:10],
        },
    )


@login_required
@require_POST
def rubric_copy(request: HttpRequest, pk: int) -> HttpResponse:
    _require(selectors.can_manage_inspections(request.user))
    rubric = get_object_or_404(Rubric, pk=pk)
    copy = services.copy_rubric_as_new_version(rubric=rubric, by=request.user)
    messages.success(request, f"已复制为第{copy.version}版（未发布），可在后台修改指标后发布。")
    return redirect("inspections:rubric-detail", pk=copy.pk)


@login_required
@require_POST
def rubric_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _require(selectors.can_manage_inspections(request.user))
    rubric = get_object_or_404(Rubric, pk=pk)
    try:
        services.publish_rubric(rubric=rubric, by=request.user)
        messages.success(request, f"“{rubric}”已发布并冻结，新任务将使用此版本。")
    except services.Refused as error:
        messages.error(request, "；".join(error.messages))
    return redirect("inspections:rubric-detail", pk=pk)


# ---- Campaigns and draws -----------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require(bool(grants_of(request.user)) or is_bureau(request.user))
    filterset = filters.CampaignFilter(
        request.GET,
        queryset=selectors.campaign_qs_for(user=request.user)
        .annotate(visit_count=Count("visits"))
        .order_by("-created_at"),
        request=request,
    )
    page = listing.paginate(request, filterset.qs)
    return render(
        request,
        "inspections/campaign_list.html",
        {"filter": filterset, "page": page, "can_manage": is_bureau(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_manage_inspections(request.user))
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        campaign = audit.save_form(form, actor=request.user)
        messages.success(request, f"督导任务“{campaign}”已创建，可进行双随机抽取。")
        return redirect("inspections:campaign-detail", pk=campaign.pk)
    return render(request, "inspections/form.html", {"form": form, "title": "新建督导任务"})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign and its published draw: every signed-in user sees it (双随机、一公开)."""
    campaign = get_object_or_404(selectors.campaign_qs_for(user=request.user), pk=pk)
    visits = campaign.visits.select_related("school__district").prefetch_related("inspectors").order_by("school__code")
    visible = set(selectors.visit_qs_for(user=request.user).filter(campaign=campaign).values_list("pk", flat=True))
    draw = getattr(campaign, "draw", None)
    return render(
        request,
        "inspections/campaign_detail.html",
        {
            "campaign": campaign,
            "draw": draw,
            "visits": [(visit, visit.pk in visible) for visit in visits],
            "can_draw": selectors.can_manage_inspections(request.user) and draw is None,
        },
    )


@login_required
@require_POST
def campaign_draw(request: HttpRequest, pk: int) -> HttpResponse:
    _require(selectors.can_manage_inspections(request.user))
    campaign = get_object_or_404(selectors.campaign_qs_for(user=request.user), pk=pk)
    try:
        draw = services.run_draw(campaign=campaign, by=request.user)
        messages.success(request, f"抽取完成：{len(draw.result)} 所学校，随机种子 {draw.seed}，结果已公开。")
    except services.Refused as error:
        messages.error(request, "；".join(error.messages))
    return redirect("inspections:campaign-detail", pk=pk)


@login_required
def draw_list(request: HttpRequest) -> HttpResponse:
    """双随机、一公开: every draw with who ran it, when and its seed, for every signed-in user."""
    draws = selectors.draws_public()
    return render(request, "inspections/draw_list.html", {"draws": draws})


# ---- Visits ---------------------------------------------------------------------------------------------


def _visits(request):
    return selectors.visit_qs_for(user=request.user).prefetch_related("inspectors")


def _gate_visit_lists(request) -> None:
    _require(selectors.sees_city_ratings(request.user) or bool(school_leader_ids_for(request.user)))


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    _gate_visit_lists(request)
    filterset = filters.VisitFilter(request.GET, queryset=_visits(request), request=request)
    return _list_page(
        request,
        template="inspections/visit_list.html",
        filterset=filterset,
        columns=exports.VISIT_COLUMNS,
        title="督导视导",
        export_name="inspections:visit-export",
    )


@login_required
def visit_export(request: HttpRequest) -> HttpResponse:
    _gate_visit_lists(request)
    filterset = filters.VisitFilter(request.GET, queryset=_visits(request), request=request)
    return _export(
        "督导视导", "督导视导", exports.VISIT_COLUMNS, _column_sorted(request, filterset.qs, exports.VISIT_COLUMNS)[1]
    )


def _score_rows(visit: Visit) -> list[dict]:
    scores = {score.criterion_id: score for score in VisitScore.objects.filter(visit=visit)}
    rows = []
    for area in visit.rubric.areas.prefetch_related("criteria"):
        for criterion in area.criteria.all():
            score = scores.get(criterion.pk)
            rows.append(
                {
                    "area": area.name,
                    "criterion": criterion,
                    "points": score.points if score else None,
                    "evidence": score.evidence if score else "",
                }
            )
    return rows


def _with_record_evidence(visit: Visit, rows: list[dict]) -> list[dict]:
    """Beside each criterion that names a rule, the figure computed from the school's records
    (an evidence provider registered through eduquality/extensions.py), so the score rests on evidence."""
    found = extensions.evidence(
        school=visit.school, semester=visit.semester, codes={row["criterion"].evidence_rule for row in rows}
    )
    for row in rows:
        row["record_evidence"] = found.get(row["criterion"].evidence_rule)
    return rows


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(_visits(request), pk=pk)
    return render(
        request,
        "inspections/visit_detail.html",
        {
            "visit": visit,
            "rows": _with_record_evidence(visit, _score_rows(visit)),
            "attachments": visit.attachments.all(),
            "photos": visit.photos.select_related("criterion"),
            "can_fill": selectors.can_fill_visit(request.user, visit),
            "can_order": is_bureau(request.user) and visit.is_locked,
            "stars": rules.stars(visit.star_level),
            "attachment_form": forms.AttachmentForm(),
            "orders": visit.orders.all(),
        },
    )


def _visit_payload(request: HttpRequest, visit: Visit) -> tuple[dict, dict]:
    """The scores and evidence notes typed per criterion (only the fields present are changed)."""
    ids = Criterion.objects.filter(area__rubric_id=visit.rubric_id).values_list("pk", flat=True)
    scores = {cid: request.POST.get(f"score-{cid}", "") for cid in ids if f"score-{cid}" in request.POST}
    evidence = {str(cid): request.POST.get(f"evidence-{cid}", "") for cid in ids if f"evidence-{cid}" in request.POST}
    return scores, evidence


@login_required
@require_http_methods(["GET", "POST"])
def visit_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit form, for the assigned inspectors until it is submitted. Works offline: the browser
    keeps the draft and posts it with a client UUID when the network returns (static/js/inspections.js)."""
    visit = get_object_or_404(_visits(request), pk=pk)
    if not visit.inspectors.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    header = forms.VisitHeaderForm(request.POST or None, instance=visit)
    errors: list[str] = []
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        scores, evidence = _visit_payload(request, visit)
        if header.is_valid():
            fields = {name: header.cleaned_data[name] for name in header.fields}
            try:
                visit, replayed = services.save_visit(
                    visit=visit,
                    by=request.user,
                    scores=scores,
                    evidence=evidence,
                    fields=fields,
                    submit=submit,
                    client_uuid=request.POST.get("client_uuid") or None,
                )
                message = "督导已提交并锁定。" if visit.is_locked else "草稿已保存。"
                target = reverse("inspections:visit-detail", args=[visit.pk]) if visit.is_locked else request.path
                if _wants_json(request):
                    return JsonResponse({"ok": True, "message": message, "redirect": target, "replayed": replayed})
                messages.success(request, message)
                return redirect(target)
            except services.Refused as error:
                errors = error.messages
        else:
            errors = [f"{header.fields[name].label}：{'；'.join(errs)}" for name, errs in header.errors.items()]
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": errors}, status=400)
    elif visit.is_locked:
        return redirect("inspections:visit-detail", pk=visit.pk)
    rows = _with_record_evidence(visit, _score_rows(visit))
    if request.method == "POST":  # show what was typed, not what is stored
        for row in rows:
            cid = row["criterion"].pk
            row["points"] = request.POST.get(f"score-{cid}", row["points"])
            row["evidence"] = request.POST.get(f"evidence-{cid}", row["evidence"])
    return render(
        request,
        "inspections/visit_fill.html",
        {"visit": visit, "header": header, "rows": rows, "errors": errors, "photos": visit.photos.all()},
        status=400 if errors else 200,
    )


@login_required
@require_POST
def visit_attach(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(_visits(request), pk=pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的附件。")
    else:
        try:
            saved = services.attach_to_visit(visit=visit, files=form.cleaned_data["files"], by=request.user)
            messages.success(request, f"已上传 {len(saved)} 个附件。")
        except services.Refused as error:
            messages.error(request, "；".join(error.messages))
    return redirect("inspections:visit-detail", pk=pk)


@login_required
@require_POST
def visit_photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo from the phone's camera, sent at once or later from the browser's offline queue."""
    visit = get_object_or_404(_visits(request), pk=pk)
    form = forms.VisitPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            photo, replayed = services.add_visit_photo(
                visit=visit,
                upload=form.cleaned_data["photo"],
                by=request.user,
                client_uuid=form.cleaned_data["client_uuid"] or uuid.uuid4(),
                criterion_id=form.cleaned_data["criterion"],
                taken_at=form.cleaned_data["taken_at"],
            )
        except services.Refused as error:
            errors = error.messages
        else:
            if _wants_json(request):
                url = reverse("inspections:visit-photo", args=[photo.pk])
                return JsonResponse({"ok": True, "id": photo.pk, "url": url, "replayed": replayed})
            messages.success(request, "现场照片已上传。")
            return redirect("inspections:visit-detail", pk=pk)
    else:
        errors = [message for messages_ in form.errors.values() for message in messages_]
    if _wants_json(request):
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    messages.error(request, "；".join(errors))
    return redirect("inspections:visit-detail", pk=pk)


@login_required
def visit_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A visit photo, shown inline through the scope of its visit (never as public media)."""
    photo = get_object_or_404(selectors.photo_qs_for(user=request.user), pk=pk)
    response = FileResponse(photo.file.open("rb"), content_type=mimetypes.guess_type(photo.name)[0] or "image/jpeg")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=photo.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def visit_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """督导意见书 (PDF) of a submitted visit."""
    visit = get_object_or_404(_visits(request).filter(status=Visit.Status.SUBMITTED), pk=pk)
    areas = {}
    for row in _score_rows(visit):
        areas.setdefault(row["area"], []).append(row)
    pdf = render_template_pdf(
        "inspections/pdf/letter.html",
        {
            "visit": visit,
            "areas": areas,
            "stars": rules.stars(visit.star_level),
            "inspectors": "、".join(u.display_name for u in visit.inspectors.all()),
            "today": timezone.localdate(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="visit-{visit.pk}.pdf"'
    return response


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Attachments are served only through the scope of their visit or order, never as public media."""
    attachment = get_object_or_404(selectors.attachment_qs_for(user=request.user), pk=pk)
    response = FileResponse(attachment.file.open("rb"))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=attachment.name)
    return response


# ---- Star ratings, notices -------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    years = selectors.rating_years()
    current = Semester.objects.filter(is_current=True).first()
    default = years[0] if years else (current.start_year if current else timezone.localdate().year)
    try:
        return int(request.GET.get("year") or default)
    except ValueError as error:
        raise Http404 from error


@login_required
def star_table(request: HttpRequest) -> HttpResponse:
    _require(selectors.sees_city_ratings(request.user))
    year = _year(request)
    filterset = filters.StarFilter(request.GET, queryset=selectors.star_table(start_year=year), request=request)
    below = selectors.star_table(start_year=year).filter(star_level__lt=F("target_level")).count()
    return _list_page(
        request,
        template="inspections/star_table.html",
        filterset=filterset,
        columns=exports.STAR_COLUMNS,
        title="教学常规星级学校",
        export_name="inspections:star-export",
        extra={
            "year": year,
            "year_label": rules.school_year_label(year),
            "years": selectors.rating_years(),
            "below_count": below,
            "can_notify": is_bureau(request.user) and below > 0,
            "notify_blocked": rules.notice_problem(
                year_label=rules.school_year_label(year),
                below_target=below,
                already_notified=Notice.objects.filter(start_year=year).exists(),
            ),
            "tomorrow": timezone.localdate() + timedelta(days=1),
            "notice_form": forms.NoticeForm(initial={"start_year": year}),
            "notices": selectors.notices_for_year(start_year=year),
            "year_keep": [("year", year)],
        },
    )


@login_required
def star_export(request: HttpRequest) -> HttpResponse:
    _require(selectors.sees_city_ratings(request.user))
    year = _year(request)
    filterset = filters.StarFilter(request.GET, queryset=selectors.star_table(start_year=year), request=request)
    stars = _column_sorted(request, filterset.qs, exports.STAR_COLUMNS)[1]
    return _export(f"星级学校{year}学年", "星级学校", exports.STAR_COLUMNS, stars)


@login_required
def school_history(request: HttpRequest, pk: int) -> HttpResponse:
    """A school's star levels, visits, notices, orders and sanctions: bureau, inspectors, its leaders."""
    school = get_object_or_404(School.objects.visible_to(request.user).select_related("district"), pk=pk)
    _require(selectors.sees_city_ratings(request.user) or school.pk in school_leader_ids_for(request.user))
    history = selectors.school_history(school=school)
    return render(
        request,
        "inspections/school_history.html",
        {
            "school": school,
            **history,
            "ratings": [
                (rating, rules.school_year_label(rating.start_year), rules.stars(rating.star_level))
                for rating in history["ratings"]
            ],
            "can_sanction": is_bureau(request.user),
        },
    )


@login_required
@require_POST
def notice_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_manage_inspections(request.user))
    form = forms.NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写整改期限。")
        return redirect("inspections:star-table")
    try:
        notice = services.issue_notice(
            start_year=form.cleaned_data["start_year"],
            deadline=form.cleaned_data["deadline"],
            by=request.user,
            today=timezone.localdate(),
        )
        messages.success(request, f"已发布通报，并向 {notice.schools.count()} 所学校下达整改通知。")
        return redirect("inspections:notice-detail", pk=notice.pk)
    except services.Refused as error:
        messages.error(request, "；".join(error.messages))
    return redirect(f"{reverse('inspections:star-table')}?year={form.cleaned_data['start_year']}")


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(selectors.notice_qs_for(user=request.user), pk=pk)
    return render(request, "inspections/notice_detail.html", {"notice": notice, "schools": notice.schools.all()})


# ---- Rectification -------------------------------------------------------------------------------------


def _orders(request):
    return selectors.order_qs_for(user=request.user).select_related("visit__campaign")


ORDER_TONES = {"open": "warning", "answered": "info", "verified": "success", "overdue": "danger"}


def _gate_orders(request) -> None:
    _require(selectors.sees_city_ratings(request.user) or bool(school_leader_ids_for(request.user)))


def _order_filter(request, data=None):
    return filters.OrderFilter(request.GET if data is None else data, queryset=_orders(request), request=request)


def _sorted_orders(request, filterset):
    sort = listing.sort_param(request.GET.get("sort"), allowed=selectors.ORDER_SORTS, default="urgency")
    return sort, selectors.sorted_orders(filterset.qs, sort=sort, today=timezone.localdate())


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """整改看板: cards of counts by status (clicking one filters), the orders most urgent first (or by
    a clicked column), 催办 and 延期 for the bureau on orders past their deadline."""
    _gate_orders(request)
    filterset = _order_filter(request)
    sort, orders = _sorted_orders(request, filterset)
    page = listing.paginate(request, orders.select_related("last_urged_by"))
    unfiltered = request.GET.copy()
    unfiltered.pop("status", None)
    counts = selectors.order_status_counts(_order_filter(request, unfiltered).qs)
    cards = listing.summary_cards(
        request,
        param="status",
        states=[
            ("", "全部", sum(counts.values()), "primary"),
            ("overdue", "逾期未整改", counts["overdue"], "danger"),
            ("open", "待整改", counts["open"], "warning"),
            ("answered", "已回复待核查", counts["answered"], "info"),
            ("verified", "已核查销号", counts["verified"], "success"),
        ],
    )
    today = timezone.localdate()
    can_manage = selectors.can_manage_inspections(request.user)
    rows = []
    for order in page.object_list:
        late = rules.is_late(status=order.status, deadline=order.deadline, today=today)
        rows.append(
            {
                "order": order,
                "tone": ORDER_TONES.get(order.status, "secondary"),
                "late": late,
                "days_left": rules.days_left(deadline=order.deadline, today=today),
                "overdue_days": -rules.days_left(deadline=order.deadline, today=today),
                "can_urge": can_manage and late,
                "can_extend": can_manage and order.status in ("open", "overdue"),
            }
        )
    return render(
        request,
        "inspections/order_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "cards": cards,
            "sort": sort,
            "can_manage": is_bureau(request.user),
            "urge_form": forms.UrgeForm(),
        },
    )


@login_required
def order_export(request: HttpRequest) -> HttpResponse:
    """The 整改看板 as Excel: the same filters and the same order as the page."""
    _gate_orders(request)
    _, orders = _sorted_orders(request, _order_filter(request))
    return _export("整改通知", "整改通知", exports.ORDER_COLUMNS, orders.select_related("last_urged_by"))


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(_orders(request), pk=pk)
    return render(
        request,
        "inspections/order_detail.html",
        {
            "order": order,
            "attachments": order.attachments.all(),
            "can_answer": selectors.can_answer_order(request.user, order),
            "can_verify": selectors.can_verify_order(request.user, order),
            "can_urge": selectors.can_manage_inspections(request.user)
            and rules.is_late(status=order.status, deadline=order.deadline, today=timezone.localdate()),
            "can_extend": selectors.can_manage_inspections(request.user) and order.status in ("open", "overdue"),
            "urge_form": forms.UrgeForm(),
            "extend_form": forms.ExtendForm(),
            "answer_form": forms.AnswerForm(),
            "verify_form": forms.VerifyForm(),
            "history": audit.history_for(order)[:20],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_manage_inspections(request.user))
    initial = {}
    if request.GET.get("visit"):
        visit = Visit.objects.filter(pk=request.GET["visit"], status=Visit.Status.SUBMITTED).first()
        if visit:
            initial = {"visit": visit, "school": visit.school, "items": visit.suggestions}
    form = forms.OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.create_order(
                school=form.cleaned_data["school"],
                visit=form.cleaned_data["visit"],
                items=form.cleaned_data["items"],
                deadline=form.cleaned_data["deadline"],
                by=request.user,
                today=timezone.localdate(),
            )
            messages.success(request, "整改通知已下达。")
            return redirect("inspections:order-detail", pk=order.pk)
        except services.Refused as error:
            form.add_error(None, "；".join(error.messages))
    return render(request, "inspections/form.html", {"form": form, "title": "下达整改通知"})


@login_required
@require_POST
def order_answer(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(_orders(request), pk=pk)
    form = forms.AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请填写整改情况。")
        return redirect("inspections:order-detail", pk=pk)
    try:
        services.answer_order(
            order=order, by=request.user, response=form.cleaned_data["response"], files=form.cleaned_data["files"]
        )
        messages.success(request, "整改情况已报送，等待核查。")
    except services.Refused as error:
        messages.error(request, "；".join(error.messages))
    return redirect("inspections:order-detail", pk=pk)


@login_required
@require_POST
def order_verify(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(_orders(request), pk=pk)
    form = forms.VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核查结论。")
        return redirect("inspections:order-detail", pk=pk)
    try:
        order = services.verify_order(
            order=order,
            by=request.user,
            accept=form.cleaned_data["accept"],
            note=form.cleaned_data["note"],
            today=timezone.localdate(),
        )
        messages.success(request, f"核查完成：{order.get_status_display()}。")
    except services.Refused as error:
        messages.error(request, "；".join(error.messages))
    return redirect("inspections:order-detail", pk=pk)


def _back_to(request: HttpRequest, fallback: str) -> str:
    """Where a list's inline action returns: the list page it was clicked on (same site only)."""
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else fallback


@login_required
@require_POST
def order_urge(request: HttpRequest, pk: int) -> HttpResponse:
    """催办: bureau only; the school sees it on the order and in the list."""
    _require(selectors.can_manage_inspections(request.user))
    order = get_object_or_404(_orders(request), pk=pk)
    form = forms.UrgeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        order = services.urge_order(order=order, by=request.user, note=note, today=timezone.localdate())
        messages.success(request, f"已向{order.school.name}催办（第{order.urge_count}次）。")
    except services.Refused as error:
        messages.error(request, "；".join(error.messages))
    return redirect(_back_to(request, reverse("inspections:order-detail", args=[pk])))


@login_required
@require_POST
def order_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """延期 with a required reason: bureau only; written to the order's history."""
    _require(selectors.can_manage_inspections(request.user))
    order = get_object_or_404(_orders(request), pk=pk)
    form = forms.ExtendForm(request.POST)
    form.is_valid()
    try:
        order = services.extend_order(
            order=order,
            by=request.user,
            deadline=form.cleaned_data.get("deadline"),
            reason=form.cleaned_data.get("reason", ""),
            today=timezone.localdate(),
        )
        messages.success(
            request, f"整改期限已延至{order.deadline.year}年{order.deadline.month}月{order.deadline.day}日。"
        )
    except services.Refused as error:
        messages.error(request, "延期未成功：" + "；".join(error.messages))
    return redirect("inspections:order-detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def sanction_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_manage_inspections(request.user))
    initial = {}
    if request.GET.get("school"):
        initial["school"] = School.objects.filter(pk=request.GET["school"]).first()
    form = forms.SanctionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sanction = services.record_sanction(by=request.user, **form.cleaned_data)
            messages.success(request, f"已记录处理措施：{sanction.get_kind_display()}。")
            return redirect("inspections:school-history", pk=sanction.school_id)
        except services.Refused as error:
            form.add_error(None, "；".join(error.messages))
    return render(request, "inspections/form.html", {"form": form, "title": "记录处理措施"})


# ---- Lesson observations -------------------------------------------------------------------------------------


def _observations(request):
    return selectors.observation_qs_for(user=request.user)


@login_required
def observation_list(request: HttpRequest) -> HttpResponse:
    _require(bool(grants_of(request.user)) or is_bureau(request.user))
    filterset = filters.ObservationFilter(request.GET, queryset=_observations(request), request=request)
    return _list_page(
        request,
        template="inspections/observation_list.html",
        filterset=filterset,
        columns=exports.OBSERVATION_COLUMNS,
        title="听评课记录",
        export_name="inspections:observation-export",
        extra={
            "can_observe": selectors.can_observe(request.user),
            "my_quota": selectors.my_quota(
                user=request.user, semester=Semester.objects.filter(is_current=True).first()
            ),
        },
    )


@login_required
def observation_export(request: HttpRequest) -> HttpResponse:
    _require(bool(grants_of(request.user)) or is_bureau(request.user))
    filterset = filters.ObservationFilter(request.GET, queryset=_observations(request), request=request)
    observations = _column_sorted(request, filterset.qs, exports.OBSERVATION_COLUMNS)[1]
    return _export("听评课记录", "听评课记录", exports.OBSERVATION_COLUMNS, observations)


def _observable_teachers(user):
    """Teachers a user may log an observation of: any for bureau and inspectors, else their schools'."""
    teachers = Teacher.objects.filter(is_active=True).select_related("school")
    if selectors.sees_city_ratings(user):
        return teachers
    return teachers.filter(
        school_id__in=school_ids_for(user, "principal", "vice_principal", "academic_lead", "group_leader")
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_observe(request.user))
    form_rubric = Rubric.objects.filter(kind="observation", is_current=True).first()
    semester = Semester.objects.filter(is_current=True).first()
    if form_rubric is None or semester is None:
        messages.error(request, "尚未设置当前学期或课堂教学评价表，请联系局机关。")
        return redirect("inspections:observation-list")
    criteria = list(Criterion.objects.filter(area__rubric=form_rubric).order_by("area__order", "order"))
    initial = {}
    if request.GET.get("follow_up"):
        previous = _observations(request).filter(pk=request.GET["follow_up"]).first()
        if previous:
            initial = {"follow_up_of": previous, "teacher": previous.teacher, "subject": previous.subject}
    form = forms.ObservationForm(
        request.POST or None,
        initial=initial,
        teachers=_observable_teachers(request.user),
        observations=_observations(request),
    )
    errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                observation, replayed = services.create_observation(
                    by=request.user,
                    level=rules.observer_level(
                        {grant.role for grant in grants_of(request.user)}
                        | ({"bureau"} if is_bureau(request.user) else set())
                    ),
                    values={**form.cleaned_data, "form": form_rubric, "semester": semester},
                    scores={c.pk: request.POST.get(f"score-{c.pk}", "") for c in criteria},
                    client_uuid=request.POST.get("client_uuid") or None,
                )
                target = reverse("inspections:observation-detail", args=[observation.pk])
                if _wants_json(request):
                    return JsonResponse(
                        {"ok": True, "message": "听课记录已保存。", "redirect": target, "replayed": replayed}
                    )
                messages.success(request, "听课记录已保存。")
                return redirect(target)
            except services.Refused as error:
                errors = error.messages
        else:
            errors = [
                f"{form.fields[name].label if name in form.fields else ''}：{'；'.join(errs)}".lstrip("：")
                for name, errs in form.errors.items()
            ]
            if not _wants_json(request):  # the page shows a field's error beside the field, once
                errors = list(form.non_field_errors())
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": errors}, status=400)
    rows = [{"criterion": c, "points": request.POST.get(f"score-{c.pk}", "")} for c in criteria]
    return render(
        request,
        "inspections/observation_form.html",
        {"form": form, "rows": rows, "rubric": form_rubric, "errors": errors, "semester": semester},
        status=400 if errors or form.errors else 200,
    )


@login_required
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    observation = get_object_or_404(
        _observations(request).select_related("school_class", "form", "follow_up_of"), pk=pk
    )
    scores = (
        ObservationScore.objects.filter(observation=observation)
        .select_related("criterion")
        .order_by("criterion__order")
    )
    is_teacher = observation.teacher.user_id == request.user.pk
    return render(
        request,
        "inspections/observation_detail.html",
        {
            "observation": observation,
            "scores": scores,
            "follow_ups": observation.follow_ups.all(),
            "can_reflect": is_teacher,
            "can_follow_up": observation.observer_id == request.user.pk or is_bureau(request.user),
            "reflection_form": forms.ReflectionForm(initial={"reflection": observation.reflection}),
        },
    )


@login_required
@require_POST
def observation_reflect(request: HttpRequest, pk: int) -> HttpResponse:
    observation = get_object_or_404(_observations(request), pk=pk)
    form = forms.ReflectionForm(request.POST)
    try:
        if not form.is_valid():
            raise services.Refused("请填写教学反思。")
        services.reflect(observation=observation, by=request.user, text=form.cleaned_data["reflection"])
        messages.success(request, "教学反思已保存。")
    except services.Refused as error:
        messages.error(request, "；".join(error.messages))
    return redirect("inspections:observation-detail", pk=pk)


@login_required
def teacher_file(request: HttpRequest, pk: int) -> HttpResponse:
    """课堂教学考核档案: every observation of a teacher the user may see."""
    teacher = selectors.teacher_for_file(user=request.user, pk=pk)
    observations = list(
        _observations(request)
        .filter(teacher=teacher)
        .prefetch_related(Prefetch("follow_ups", queryset=Observation.objects.only("pk", "follow_up_of_id")))
        .order_by("observed_on")
    )
    if not observations and not (
        selectors.sees_city_ratings(request.user)
        or teacher.user_id == request.user.pk
        or teacher.school_id in school_ids_for(request.user, "principal", "academic_lead", "group_leader")
    ):
        raise Http404
    totals = [o.total for o in observations]
    return render(
        request,
        "inspections/teacher_file.html",
        {
            "teacher": teacher,
            "observations": observations,
            "mean": rules.yearly_mean(totals),
            "reflected": sum(1 for o in observations if o.reflection),
            "chart": {
                "labels": [o.observed_on.isoformat() for o in observations],
                "totals": [float(t) for t in totals],
            },
        },
    )


def _quota_semester(request: HttpRequest) -> Semester | None:
    chosen = request.GET.get("semester")
    if chosen:
        if not chosen.isdigit():
            raise Http404
        return get_object_or_404(Semester, pk=chosen)
    return Semester.objects.filter(is_current=True).first()


@login_required
def quota_table(request: HttpRequest) -> HttpResponse:
    """The bureau's who-is-behind table, for any semester (the current one by default)."""
    _require(selectors.can_manage_inspections(request.user))
    semester = _quota_semester(request)
    rows = selectors.quota_table(semester=semester) if semester else []
    show = request.GET.get("show", "behind")
    shown = [row for row in rows if row["behind"]] if show == "behind" else rows
    return render(
        request,
        "inspections/quota_table.html",
        {
            "rows": shown,
            "semester": semester,
            "semesters": Semester.objects.all(),
            "show": show,
            "total": len(rows),
            "behind": sum(r["behind"] for r in rows),
        },
    )


@login_required
def quota_export(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_manage_inspections(request.user))
    semester = _quota_semester(request)
    rows = selectors.quota_table(semester=semester) if semester else []
    return _export("听课任务完成情况", "听课任务", exports.QUOTA_COLUMNS, rows)


@login_required
@require_http_methods(["GET", "POST"])
def quota_edit(request: HttpRequest) -> HttpResponse:
    """听课任务 lines: the bureau sets the city's (for every semester or one); a principal sets their
    school's own, never below the city's; and sees the school's progress by semester."""
    schools = School.objects.filter(pk__in=selectors.quota_school_ids(request.user))
    _require(selectors.can_manage_inspections(request.user) or schools.exists())
    form = forms.QuotaForm(request.POST or None, schools=None if is_bureau(request.user) else schools)
    if request.method == "POST" and form.is_valid():
        try:
            quota = services.set_quota(by=request.user, **form.cleaned_data)
            messages.success(request, f"已保存听课任务：{quota}。")
            return redirect("inspections:quota-edit")
        except services.Refused as error:
            form.add_error(None, "；".join(error.messages))
    quotas = ObservationQuota.objects.select_related("semester", "school").order_by("school__code", "role", "semester")
    if not is_bureau(request.user):
        quotas = quotas.filter(Q(school__isnull=True) | Q(school__in=schools))
    semester = _quota_semester(request)
    progress = (
        selectors.quota_table(semester=semester, school_ids=list(schools.values_list("pk", flat=True)))
        if semester and not is_bureau(request.user)
        else []
    )
    return render(
        request,
        "inspections/quota_edit.html",
        {
            "form": form,
            "quotas": quotas,
            "semester": semester,
            "semesters": Semester.objects.all(),
            "progress": progress,
        },
        status=400 if form.errors else 200,
    )
