"""Project-wide pages: home, long-job progress, health."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from eduquality import excel, extensions, jobs
from eduquality.access_log import logs_access
from eduquality.filters import AccessLogFilter
from eduquality.jobs import job_qs_for
from eduquality.listing import paginate
from eduquality.models import AccessLog, Job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page is the apps': a greeting, then their cockpit figures, sections and cards
    (eduquality/extensions.py), then the user's own background jobs when there are any."""
    user, params = request.user, request.GET
    context = {
        "role_labels": extensions.role_labels(user),
        "heading": extensions.home_heading(user, params),
        "figures": extensions.dashboard(user, params),
        "sections": extensions.home_sections(user, params),
        "panels": extensions.home_panels(user),
        "recent_jobs": list(job_qs_for(user=user)[:5]),
    }
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


# Jobs whose result file lists students (the score import's workbook with its problems marked).
STUDENT_DATA_JOB_KINDS = ("monitoring.import_scores",)


def _student_data_download(request: HttpRequest, pk) -> str | None:
    if Job.objects.filter(pk=pk, kind__in=STUDENT_DATA_JOB_KINDS).exists():
        return f"下载含学生信息的任务结果 #{pk}"
    return None


@login_required
@logs_access(_student_data_download)
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


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """学生信息访问日志: bureau staff read who looked at minors' data; the rows cannot be changed."""
    if not extensions.oversees_city(request.user):
        raise PermissionDenied
    log_filter = AccessLogFilter(request.GET, queryset=AccessLog.objects.all())
    if request.GET.get("export") == "xlsx":
        rows = (
            [e.created_at, e.username, e.roles, e.what, e.path, e.method, "允许" if e.allowed else "拒绝", e.ip_address]
            for e in log_filter.qs.iterator(chunk_size=2000)
        )
        header = ["时间", "用户名", "角色", "访问内容", "地址", "方式", "结果", "IP 地址"]
        sheet = excel.Sheet("访问日志", header, rows, widths=[18, 12, 30, 30, 40, 6, 6, 16])
        return excel.export_response("学生信息访问日志.xlsx", [sheet])
    page = paginate(request, log_filter.qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "access_log.html", {"filter": log_filter, "page": page, "query": query.urlencode()})
