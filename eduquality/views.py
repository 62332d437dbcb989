"""Project-wide pages: home, long-job progress, health."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from eduquality import jobs
from eduquality.extensions import home_panels
from eduquality.models import Job
from schools.models import Role, School, Semester, Student, Teacher
from schools.scoping import grants_of, is_bureau, school_ids_for


def job_qs_for(*, user):
    """A job is seen by the person who started it."""
    return Job.objects.filter(owner=user)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    grants = grants_of(user)
    role_labels = sorted({Role(grant.role).label for grant in grants if grant.role in Role.values})
    my_schools = School.objects.filter(pk__in=school_ids_for(user)).select_related("district", "school_type")
    context = {
        "role_labels": role_labels,
        "my_schools": [
            {
                "school": school,
                "roles": sorted(Role(g.role).label for g in grants if g.school_id == school.pk),
            }
            for school in my_schools
        ],
        "current_semester": Semester.objects.filter(is_current=True).first(),
        "recent_jobs": job_qs_for(user=user)[:5],
        "is_bureau": is_bureau(user),
    }
    if context["is_bureau"]:
        context["city"] = {
            **School.objects.aggregate(
                schools=Count("pk", filter=Q(is_active=True)),
                districts=Count("district", distinct=True),
                city_direct=Count("pk", filter=Q(is_city_direct=True)),
            ),
            "teachers": Teacher.objects.filter(is_active=True).count(),
            "students": Student.objects.filter(is_active=True).count(),
        }
    teacher = getattr(user, "teacher", None) if hasattr(user, "teacher") else None
    context["teacher_record"] = teacher
    context["panels"] = home_panels(user)
    return render(request, "home.html", context)


@login_required
def job_detail(request: HttpRequest, pk) -> HttpResponse:
    job = get_object_or_404(job_qs_for(user=request.user), pk=pk)
    return render(request, "jobs/detail.html", {"job": job, "retryable": jobs.is_retryable(job)})


@login_required
def job_status(request: HttpRequest, pk) -> JsonResponse:
    job = get_object_or_404(job_qs_for(user=request.user), pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "message": job.message,
            "finished": job.is_finished,
            "problem_count": len(job.problems),
            "has_file": bool(job.result_file),
        }
    )


@login_required
def job_download(request: HttpRequest, pk) -> FileResponse:
    job = get_object_or_404(job_qs_for(user=request.user), pk=pk)
    if not job.result_file:
        raise Http404
    response = FileResponse(job.result_file.open("rb"))
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=job.result_name or job.result_file.name.rsplit("/", 1)[-1]
    )
    return response


@login_required
@require_POST
def job_retry(request: HttpRequest, pk) -> HttpResponse:
    job = get_object_or_404(job_qs_for(user=request.user), pk=pk)
    if jobs.is_retryable(job):
        jobs.retry_job(job)
    return redirect("job-detail", pk=job.pk)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
