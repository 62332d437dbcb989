"""Teaching-research pages: growth."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from eduquality.listing import paginate
from research import forms, rules, selectors, services
from research.models import GrowthRecord, GrowthTask
from research.views._common import require
from schools.models import School, Semester, Teacher
from schools.scoping import school_leader_ids_for

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
        require(bool(school_leader_ids_for(request.user)) or selectors.sees_all(request.user))
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
    require(bool(school_leader_ids_for(request.user)) or selectors.sees_all(request.user))
    year = _year(request, _default_year())
    if selectors.sees_all(request.user):
        school_ids = [int(request.GET["school"])] if request.GET.get("school", "").isdigit() else []
    else:
        school_ids = sorted(school_leader_ids_for(request.user))
    rows = selectors.school_growth_table(school_ids=school_ids, start_year=year)
    page = paginate(request, rows)
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


@login_required
def growth_material(request: HttpRequest, pk: int) -> FileResponse:
    """A 六个一 artefact, served only to those who may open the teacher's growth file (never public media)."""
    record = get_object_or_404(
        GrowthRecord.objects.filter(teacher__in=Teacher.objects.visible_to(request.user)).exclude(file=""), pk=pk
    )
    response = FileResponse(record.file.open("rb"))
    name = Path(record.file.name).name.split("-", 1)[-1]
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response
