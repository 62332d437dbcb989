"""Teaching-research pages: activities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from eduquality import audit
from eduquality.listing import paginate
from inspections.selectors import observation_qs_for
from research import exports, filters, forms, selectors, services
from research.models import Participation
from research.views._common import export, require, signed_in_with_role
from schools.models import School
from schools.scoping import is_bureau, school_ids_for

# ---- Activities --------------------------------------------------------------------------------------------


def _activities(request):
    return (
        selectors.activity_qs_for(user=request.user)
        .annotate(
            invited_count=Count("participations", distinct=True),
            confirmed_count=Count(
                "participations", filter=Q(participations__status=Participation.Status.CONFIRMED), distinct=True
            ),
        )
        .order_by("-starts_at", "-pk")
    )


def _activity_filter(request):
    user = request.user
    schools = School.objects.all() if selectors.sees_all(user) else School.objects.filter(pk__in=school_ids_for(user))
    return filters.ActivityFilter(request.GET, queryset=_activities(request), request=request, schools=schools)


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    require(signed_in_with_role(request.user))
    filterset = _activity_filter(request)
    page = paginate(request, filterset.qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "research/activity_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": [{"object": a, "cells": [c.value(a) for c in exports.ACTIVITY_COLUMNS]} for a in page.object_list],
            "headers": [c.header for c in exports.ACTIVITY_COLUMNS],
            "query": query.urlencode(),
            "can_organise": selectors.can_organise(request.user),
            "pending": list(selectors.pending_confirmations(user=request.user)[:10]),
            "now": timezone.now(),
        },
    )


@login_required
def activity_export(request: HttpRequest) -> HttpResponse:
    require(signed_in_with_role(request.user))
    return export("教研活动", "教研活动", exports.ACTIVITY_COLUMNS, _activity_filter(request).qs)


def _participant_ids(form) -> list[int]:
    return [teacher.pk for teacher in form.cleaned_data.get("participants") or []]


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    require(selectors.can_organise(request.user))
    initial = {}
    groups = selectors.organisable_groups(request.user)
    if not is_bureau(request.user) and groups.count() == 1:
        initial = {"level": "group", "group": groups.first()}
    form = forms.ActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data.get(name) for name in services.ACTIVITY_FIELDS}
        try:
            activity = services.save_activity(by=request.user, values=values, participant_ids=_participant_ids(form))
            messages.success(request, f"教研活动“{activity.topic}”已保存，参加人员可在手机上确认出勤。")
            return redirect("research:activity-detail", pk=activity.pk)
        except services.Refused as error:
            form.add_error(None, "；".join(error.messages))
    return render(
        request,
        "research/activity_form.html",
        {"form": form, "title": "记录教研活动"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_update(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(selectors.activity_qs_for(user=request.user), pk=pk)
    require(selectors.can_edit_activity(request.user, activity))
    form = forms.ActivityForm(request.POST or None, instance=activity, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data.get(name) for name in services.ACTIVITY_FIELDS}
        try:
            services.save_activity(
                by=request.user, values=values, participant_ids=_participant_ids(form), activity=activity
            )
            messages.success(request, "教研活动已修改。")
            return redirect("research:activity-detail", pk=pk)
        except services.Refused as error:
            form.add_error(None, "；".join(error.messages))
    return render(
        request,
        "research/activity_form.html",
        {"form": form, "title": f"修改教研活动：{activity.topic}", "activity": activity},
        status=400 if form.errors else 200,
    )


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(selectors.activity_qs_for(user=request.user), pk=pk)
    participations = list(activity.participations.select_related("teacher__school", "confirmed_by"))
    mine = next((p for p in participations if p.teacher.user_id == request.user.pk), None)
    can_edit = selectors.can_edit_activity(request.user, activity)
    observations = observation_qs_for(user=request.user).filter(
        school_id__in=selectors.participant_school_ids(activity) or []
    )
    if activity.level == "city":
        observations = observation_qs_for(user=request.user)
    links = activity.lesson_links.select_related("observation__teacher", "observation__subject", "paired_with__teacher")
    return render(
        request,
        "research/activity_detail.html",
        {
            "activity": activity,
            "participations": participations,
            "confirmed": sum(p.status == Participation.Status.CONFIRMED for p in participations),
            "mine": mine,
            "started": activity.starts_at <= timezone.now(),
            "can_edit": can_edit,
            "attachments": activity.attachments.all(),
            "attachment_form": forms.AttachmentForm(),
            "links": links,
            "link_form": forms.LessonLinkForm(observations=observations.order_by("-observed_on")[:200])
            if can_edit
            else None,
            "history": audit.history_for(activity)[:10],
        },
    )


@login_required
@require_POST
def activity_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(selectors.activity_qs_for(user=request.user), pk=pk)
    try:
        services.confirm_attendance(activity=activity, by=request.user)
        messages.success(request, f"已确认参加“{activity.topic}”，计 {activity.hours} 学时。")
    except services.Refused as error:
        messages.error(request, "；".join(error.messages))
    return redirect(request.POST.get("next") or reverse("research:activity-detail", args=[pk]))


@login_required
@require_POST
def activity_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(selectors.activity_qs_for(user=request.user), pk=pk)
    try:
        ids = [int(value) for value in request.POST.getlist("teacher")]
        changed = services.record_attendance(activity=activity, by=request.user, teacher_ids=ids)
        messages.success(request, f"已登记 {changed} 人出勤。")
    except ValueError:
        messages.error(request, "出勤名单有误，请重新选择。")
    except services.Refused as error:
        messages.error(request, "；".join(error.messages))
    return redirect("research:activity-detail", pk=pk)


@login_required
@require_POST
def activity_attach(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(selectors.activity_qs_for(user=request.user), pk=pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的附件。")
    else:
        try:
            saved = services.attach(activity=activity, files=form.cleaned_data["files"], by=request.user)
            messages.success(request, f"已上传 {len(saved)} 个附件。")
        except services.Refused as error:
            messages.error(request, "；".join(error.messages))
    return redirect("research:activity-detail", pk=pk)


@login_required
@require_POST
def activity_link(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(selectors.activity_qs_for(user=request.user), pk=pk)
    form = forms.LessonLinkForm(request.POST, observations=observation_qs_for(user=request.user))
    if not form.is_valid():
        messages.error(request, "请选择听课记录。")
    else:
        try:
            services.link_lesson(activity=activity, by=request.user, **form.cleaned_data)
            messages.success(request, "课例已关联。")
        except services.Refused as error:
            messages.error(request, "；".join(error.messages))
    return redirect("research:activity-detail", pk=pk)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(selectors.attachment_qs_for(user=request.user), pk=pk)
    response = FileResponse(attachment.file.open("rb"))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=attachment.name)
    return response
