"""Registry pages. Thin: role gate → scoped queryset/form → service → render/redirect.

One set of views serves every resource declared in schools/resources.py; the URL conf passes the
resource in.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from eduquality import audit, excel, jobs
from eduquality.access_log import logs_access
from eduquality.listing import paginate
from schools import codes
from schools.forms import UploadForm
from schools.resources import Resource, Viewer


def _gate(request: HttpRequest, resource: Resource) -> None:
    if not resource.can_list(request.user):
        raise PermissionDenied


def _gate_manage(request: HttpRequest, resource: Resource) -> None:
    if not resource.can_manage(request.user):
        raise PermissionDenied


def _filtered(request: HttpRequest, resource: Resource):
    return resource.filterset(request.GET, queryset=resource.queryset_for(request.user), request=request)


def _student_data(label: str):
    """The access-log label of a registry view when it shows students (None for other resources)."""

    def what(request: HttpRequest, resource: Resource, pk: int | None = None) -> str | None:
        if resource.slug != "student":
            return None
        return f"{label} #{pk}" if pk else label

    return what


def _rows(resource: Resource, objects, viewer: Viewer) -> list[dict]:
    return [
        {"object": obj, "cells": [(column, column.value(obj, viewer)) for column in resource.columns]}
        for obj in objects
    ]


@login_required
@logs_access(_student_data("学生名单"))
def list_view(request: HttpRequest, resource: Resource) -> HttpResponse:
    _gate(request, resource)
    filterset = _filtered(request, resource)
    page = paginate(request, filterset.qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "schools/list.html",
        {
            "resource": resource,
            "filter": filterset,
            "page": page,
            "rows": _rows(resource, page.object_list, Viewer.of(request.user)),
            "query": query.urlencode(),
            "can_manage": resource.can_manage(request.user),
        },
    )


@login_required
@logs_access(_student_data("导出学生名单"))
def export_view(request: HttpRequest, resource: Resource) -> HttpResponse:
    _gate(request, resource)
    viewer = Viewer.of(request.user)
    objects = _filtered(request, resource).qs
    sheet = excel.Sheet(
        title=resource.title,
        header=[column.header for column in resource.columns],
        rows=([column.value(obj, viewer) for column in resource.columns] for obj in objects.iterator(chunk_size=2000)),
        widths=[column.width for column in resource.columns],
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return excel.export_response(f"{resource.title}名单-{stamp}.xlsx", [sheet])


@login_required
@logs_access(_student_data("学生详情"))
def detail_view(request: HttpRequest, resource: Resource, pk: int) -> HttpResponse:
    _gate(request, resource)
    obj = get_object_or_404(resource.queryset_for(request.user), pk=pk)
    viewer = Viewer.of(request.user)
    fields = [(column.header, column.value(obj, viewer)) for column in resource.detail_fields]
    heading = next((value for column, value in _rows(resource, [obj], viewer)[0]["cells"] if column.link), str(obj))
    return render(
        request,
        "schools/detail.html",
        {
            "resource": resource,
            "object": obj,
            "heading": heading,
            "fields": fields,
            "can_manage": resource.can_manage(request.user),
            "history": audit.history_for(obj)[:20] if resource.can_manage(request.user) else [],
            "extra": _detail_extra(request, resource, obj),
        },
    )


def _detail_extra(request: HttpRequest, resource: Resource, obj) -> dict:
    """Related lists shown under a school or a teacher, scoped like everything else."""
    from schools.models import SchoolClass, Teacher, TeachingGroup

    user = request.user
    if resource.slug == "school":
        return {
            "teacher_count": Teacher.objects.visible_to(user).filter(school=obj, is_active=True).count(),
            "student_count": obj.students.filter(is_active=True).count(),
            "classes": SchoolClass.objects.visible_to(user)
            .filter(school=obj)
            .order_by("-start_year", "grade", "number")[:60],
            "groups": TeachingGroup.objects.visible_to(user).filter(school=obj).select_related("subject", "leader"),
        }
    if resource.slug == "teacher":
        return {
            "led_groups": obj.led_groups.select_related("school", "subject"),
            "honour_records": obj.honour_records.select_related("honour"),
        }
    return {}


@login_required
@logs_access(_student_data("编辑学生"))
@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, resource: Resource, pk: int | None = None) -> HttpResponse:
    _gate_manage(request, resource)
    instance = get_object_or_404(resource.queryset_for(request.user), pk=pk) if pk else None
    form = resource.form(request.POST or None, instance=instance)
    object_label = None
    if (
        instance is not None
        and resource.slug == "student"
        and not Viewer.of(request.user).sees_unmasked(instance.school_id)
    ):
        # Outside the student's school the full name and 学籍号 are not shown, not even to edit.
        for name in ("name", "student_number"):
            form.fields.pop(name, None)
        object_label = codes.mask_name(instance.name)
    if request.method == "POST" and form.is_valid():
        saved = audit.save_form(form, actor=request.user)
        messages.success(request, f"{resource.title}“{object_label or saved}”已保存。")
        return redirect(f"schools:{resource.slug}-detail", pk=saved.pk)
    return render(
        request,
        "schools/form.html",
        {"resource": resource, "form": form, "object": instance, "object_label": object_label},
    )


@login_required
def import_template_view(request: HttpRequest, resource: Resource) -> HttpResponse:
    _gate_manage(request, resource)
    importer = resource.importer()
    return excel.xlsx_response(f"{importer.title}.xlsx", importer.template())


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, resource: Resource) -> HttpResponse:
    _gate_manage(request, resource)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.start_job(
            owner=request.user,
            kind=resource.import_job_kind,
            title=f"导入{resource.title}：{form.cleaned_data['file'].name}",
            input_file=form.cleaned_data["file"],
        )
        return redirect("job-detail", pk=job.pk)
    return render(
        request,
        "schools/import.html",
        {
            "resource": resource,
            "form": form,
            "template_url": reverse(f"schools:{resource.slug}-import-template"),
            "columns": resource.importer().columns,
        },
    )
