"""Teaching-research pages. Thin: role gate → scoped selector/form → service → render/redirect."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from eduquality import audit, excel
from inspections.selectors import observation_qs_for
from research import exports, filters, forms, rules, selectors, services
from research.models import Activity, GrowthTask, Participation, RuleLine
from schools.models import ResearchLiaison, School, Semester, Zone, responsible_researchers
from schools.scoping import grants_of, is_bureau, is_inspector, school_ids_for, school_leader_ids_for


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _signed_in_with_role(user) -> bool:
    return bool(grants_of(user)) or is_bureau(user)


def _semester(request: HttpRequest) -> Semester:
    chosen = request.GET.get("semester")
    if chosen:
        try:
            return get_object_or_404(Semester, pk=int(chosen))
        except ValueError as error:
            raise Http404 from error
    semester = Semester.objects.filter(is_current=True).first() or Semester.objects.first()
    if semester is None:
        raise Http404("尚未设置学期")
    return semester


def _as_of(semester: Semester):
    today = timezone.localdate()
    return min(today, semester.ends_on) if semester.ends_on else today


def _export(filename: str, title: str, columns, objects) -> HttpResponse:
    sheet = excel.Sheet(
        title=title,
        header=[column.header for column in columns],
        rows=([column.value(obj) for column in columns] for obj in objects),
        widths=[column.width for column in columns],
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return excel.export_response(f"{filename}-{stamp}.xlsx", [sheet])


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
    _require(_signed_in_with_role(request.user))
    filterset = _activity_filter(request)
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
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
    _require(_signed_in_with_role(request.user))
    return _export("教研活动", "教研活动", exports.ACTIVITY_COLUMNS, _activity_filter(request).qs)


def _participant_ids(form) -> list[int]:
    return [teacher.pk for teacher in form.cleaned_data.get("participants") or []]


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_organise(request.user))
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
    _require(selectors.can_edit_activity(request.user, activity))
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


# ---- The duties' tables ------------------------------------------------------------------------------------


def _ordered_lines() -> list[RuleLine]:
    lines = {line.code: line for line in RuleLine.objects.all()}
    return [lines[code] for code in rules.RULE_CODES if code in lines]


@login_required
def my_table(request: HttpRequest) -> HttpResponse:
    """学期教研常规: a school person's own school; the bureau and researchers the city table."""
    own = sorted(school_ids_for(request.user))
    if own:
        return redirect("research:school-table", pk=own[0])
    _require(selectors.sees_all(request.user))
    return redirect("research:city-table")


@login_required
def school_table(request: HttpRequest, pk: int) -> HttpResponse:
    """One school's semester: each duty met or not, with its evidence records."""
    _require(_signed_in_with_role(request.user))
    visible = (
        School.objects.all()
        if selectors.sees_all(request.user)
        else School.objects.filter(pk__in=school_ids_for(request.user))
    )
    school = get_object_or_404(visible.select_related("district", "zone"), pk=pk)
    semester = _semester(request)
    as_of = _as_of(semester)
    rows = selectors.school_semester_table(school=school, semester=semester, as_of=as_of)
    return render(
        request,
        "research/school_table.html",
        {
            "school": school,
            "semester": semester,
            "semesters": Semester.objects.all(),
            "as_of": as_of,
            "rows": rows,
            "met": sum(row["result"].met for row in rows),
            "responsible": responsible_researchers([school.pk], on=timezone.localdate()).get(school.pk, []),
        },
    )


def _city_rows(request):
    semester = _semester(request)
    filterset = filters.CityTableFilter(request.GET, queryset=School.objects.filter(is_active=True), request=request)
    as_of = _as_of(semester)
    return semester, as_of, filterset, selectors.city_table(semester=semester, as_of=as_of, schools=filterset.qs)


@login_required
def city_table(request: HttpRequest) -> HttpResponse:
    _require(selectors.sees_all(request.user))
    semester, as_of, filterset, rows = _city_rows(request)
    lines = _ordered_lines()
    show = request.GET.get("show", "")
    if show == "behind":
        rows = [row for row in rows if row["met"] < row["total"]]
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    responsible = responsible_researchers([row["school"].pk for row in page.object_list], on=timezone.localdate())
    for row in page.object_list:
        row["responsible"] = responsible.get(row["school"].pk, [])
    totals = [sum(1 for row in rows if i < len(row["results"]) and row["results"][i].met) for i in range(len(lines))]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "research/city_table.html",
        {
            "filter": filterset,
            "semester": semester,
            "semesters": Semester.objects.all(),
            "as_of": as_of,
            "lines": lines,
            "page": page,
            "totals": list(zip(lines, totals, strict=True)),
            "count": len(rows),
            "query": query.urlencode(),
            "show": show,
            "chart": json.dumps(
                {"labels": [line.name for line in lines], "met": totals, "not_met": [len(rows) - n for n in totals]},
                ensure_ascii=False,
            ),
        },
    )


@login_required
def city_export(request: HttpRequest) -> HttpResponse:
    _require(selectors.sees_all(request.user))
    semester, _, _, rows = _city_rows(request)
    return _export(f"教研常规达标{semester}", "教研常规", exports.city_columns(_ordered_lines()), rows)


# ---- Zones -------------------------------------------------------------------------------------------------


@login_required
def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A zone's schools side by side: their activities, attendance and duties met this semester."""
    _require(_signed_in_with_role(request.user))
    zone = get_object_or_404(Zone.objects.select_related("district"), pk=pk)
    schools = list(School.objects.filter(zone=zone, is_active=True).order_by("code"))
    if not selectors.sees_all(request.user) and not (school_ids_for(request.user) & {s.pk for s in schools}):
        raise Http404
    semester = _semester(request)
    as_of = _as_of(semester)
    results = selectors.semester_results(school_ids=[s.pk for s in schools], semester=semester, as_of=as_of)
    counts = {
        row["school_id"]: row
        for row in Activity.objects.filter(semester=semester, school__in=schools)
        .values("school_id")
        .annotate(
            n=Count("pk", distinct=True),
            invited=Count("participations", distinct=True),
            confirmed=Count(
                "participations", filter=Q(participations__status=Participation.Status.CONFIRMED), distinct=True
            ),
        )
    }
    zone_activities = (
        selectors.activity_qs_for(user=request.user)
        .filter(Q(zone=zone) | Q(level="inter_school", school__in=schools), semester=semester)
        .annotate(
            invited_count=Count("participations", distinct=True),
            confirmed_count=Count(
                "participations", filter=Q(participations__status=Participation.Status.CONFIRMED), distinct=True
            ),
        )
    )
    rows = []
    for school in schools:
        count = counts.get(school.pk, {})
        invited, confirmed = count.get("invited", 0), count.get("confirmed", 0)
        rows.append(
            {
                "school": school,
                "activities": count.get("n", 0),
                "invited": invited,
                "confirmed": confirmed,
                "attendance": rules.completion(confirmed, invited),
                "results": results[school.pk],
                "met": sum(r.met for r in results[school.pk]),
            }
        )
    return render(
        request,
        "research/zone_detail.html",
        {
            "zone": zone,
            "semester": semester,
            "semesters": Semester.objects.all(),
            "rows": rows,
            "lines": _ordered_lines(),
            "zone_activities": zone_activities,
            "chart": json.dumps(
                {
                    "labels": [row["school"].name for row in rows],
                    "activities": [row["activities"] for row in rows],
                    "attendance": [row["attendance"] for row in rows],
                },
                ensure_ascii=False,
            ),
        },
    )


# ---- Growth file -------------------------------------------------------------------------------------------


def _year(request, default: int) -> int:
    try:
        return int(request.GET.get("year") or default)
    except ValueError as error:
        raise Http404 from error


def _default_year() -> int:
    semester = Semester.objects.filter(is_current=True).first()
    return semester.start_year if semester else timezone.localdate().year


@login_required
def my_growth(request: HttpRequest) -> HttpResponse:
    teacher = selectors.own_teacher(request.user)
    if teacher is None:
        _require(bool(school_leader_ids_for(request.user)) or selectors.sees_all(request.user))
        return redirect("research:growth-school")
    return redirect("research:growth-detail", pk=teacher.pk)


@login_required
def growth_detail(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = selectors.teacher_for_growth(user=request.user, pk=pk)
    year = _year(request, _default_year())
    data = selectors.growth_file(teacher=teacher, start_year=year, as_of=timezone.localdate())
    is_own = teacher.user_id == request.user.pk
    tasks = [(value, label, data["records"].get(value)) for value, label in GrowthTask.choices]
    return render(
        request,
        "research/growth_detail.html",
        {
            "teacher": teacher,
            "year": year,
            "year_label": f"{year}—{year + 1}学年",
            "tasks": tasks,
            "is_own": is_own,
            "record_form": forms.GrowthRecordForm() if is_own else None,
            "reading_form": forms.ReadingForm() if is_own else None,
            "completion": rules.completion(data["done"], len(GrowthTask.choices)),
            **data,
        },
    )


@login_required
@require_POST
def growth_record(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = selectors.teacher_for_growth(user=request.user, pk=pk)
    year = _year(request, _default_year())
    form = forms.GrowthRecordForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择任务并填写说明。")
    else:
        try:
            services.save_growth_record(
                teacher=teacher,
                by=request.user,
                start_year=year,
                task=form.cleaned_data["task"],
                description=form.cleaned_data["description"],
                upload=form.cleaned_data.get("file"),
            )
            messages.success(request, "六个一已保存。")
        except services.Refused as error:
            messages.error(request, "；".join(error.messages))
    return redirect(f"{reverse('research:growth-detail', args=[pk])}?year={year}")


@login_required
@require_POST
def growth_reading(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = selectors.teacher_for_growth(user=request.user, pk=pk)
    year = _year(request, _default_year())
    form = forms.ReadingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写读完日期。")
    else:
        try:
            services.add_reading(
                teacher=teacher, by=request.user, start_year=year, today=timezone.localdate(), **form.cleaned_data
            )
            messages.success(request, "读书记录已保存。")
        except services.Refused as error:
            messages.error(request, "；".join(error.messages))
    return redirect(f"{reverse('research:growth-detail', args=[pk])}?year={year}")


@login_required
def growth_school(request: HttpRequest) -> HttpResponse:
    """The school's teachers' growth files: completion of 六个一, books, hours."""
    _require(bool(school_leader_ids_for(request.user)) or selectors.sees_all(request.user))
    year = _year(request, _default_year())
    if selectors.sees_all(request.user):
        school_ids = [int(request.GET["school"])] if request.GET.get("school", "").isdigit() else []
    else:
        school_ids = sorted(school_leader_ids_for(request.user))
    rows = selectors.school_growth_table(school_ids=school_ids, start_year=year)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "research/growth_school.html",
        {
            "page": page,
            "year": year,
            "year_label": f"{year}—{year + 1}学年",
            "schools": School.objects.filter(is_active=True) if selectors.sees_all(request.user) else [],
            "school_ids": school_ids,
            "complete": sum(1 for row in rows if row["completion"] >= 100),
            "count": len(rows),
        },
    )


# ---- Researcher liaison ------------------------------------------------------------------------------------


@login_required
def liaison_list(request: HttpRequest) -> HttpResponse:
    _require(selectors.sees_all(request.user) or bool(school_leader_ids_for(request.user)))
    liaisons = selectors.liaison_qs_for(user=request.user)
    page = Paginator(liaisons, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "research/liaison_list.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "form": forms.LiaisonForm() if is_bureau(request.user) else None,
        },
    )


@login_required
@require_POST
def liaison_create(request: HttpRequest) -> HttpResponse:
    _require(is_bureau(request.user))
    form = forms.LiaisonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[n].label}：{'；'.join(e)}" for n, e in form.errors.items()))
    else:
        try:
            liaison = services.assign_liaison(by=request.user, **form.cleaned_data)
            messages.success(request, f"已分配：{liaison}。")
        except services.Refused as error:
            messages.error(request, "；".join(error.messages))
    return redirect("research:liaison-list")


@login_required
def my_schools(request: HttpRequest) -> HttpResponse:
    """教研员's own schools: their duties this semester, recent activities, and where their warnings are."""
    _require(is_inspector(request.user))
    semester = _semester(request)
    as_of = _as_of(semester)
    schools = selectors.my_liaison_schools(user=request.user, on=timezone.localdate())
    results = selectors.semester_results(school_ids=[s.pk for s in schools], semester=semester, as_of=as_of)
    subjects = {}
    for liaison in (
        ResearchLiaison.objects.on(timezone.localdate()).filter(researcher=request.user).select_related("subject")
    ):
        subjects.setdefault(liaison.school_id, []).append(liaison.subject.name if liaison.subject_id else "全校")
    recent = {
        school.pk: list(Activity.objects.filter(school=school, semester=semester).select_related("activity_type")[:3])
        for school in schools
    }
    names = {line.code: line.name for line in _ordered_lines()}
    rows = [
        {
            "school": school,
            "missing": [names.get(r.code, r.code) for r in results[school.pk] if not r.met],
            "subjects": "、".join(subjects.get(school.pk, [])),
            "results": results[school.pk],
            "met": sum(r.met for r in results[school.pk]),
            "recent": recent[school.pk],
        }
        for school in schools
    ]
    return render(
        request,
        "research/my_schools.html",
        {"rows": rows, "semester": semester, "lines": _ordered_lines()},
    )
