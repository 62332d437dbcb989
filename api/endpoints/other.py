"""星级学校 (inspections), 质量分析报告的状态 (reports), and the caller's background jobs."""

from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from api.pagination import CursorPagination
from api.schemas import JobOut, ReportOut, StarRatingOut
from eduquality.jobs import job_qs_for
from inspections import selectors as inspection_selectors
from reports import selectors as report_selectors

router = Router()


class StarFilter(Schema):
    start_year: int | None = None
    school_id: int | None = None


@router.get(
    "/star-ratings",
    response=list[StarRatingOut],
    url_name="star-rating-list",
    summary="教学常规星级（局机关、督学：全市；学校领导：本校）",
    tags=["督导评估"],
)
@paginate(CursorPagination)
def star_rating_list(request, filters: Query[StarFilter]):
    ratings = inspection_selectors.star_rating_qs_for(user=request.user)
    if filters.start_year is not None:
        ratings = ratings.filter(start_year=filters.start_year)
    if filters.school_id is not None:
        ratings = ratings.filter(school_id=filters.school_id)
    return ratings


class ReportFilter(Schema):
    kind: str | None = None
    status: str | None = None
    start_year: int | None = None
    school_id: int | None = None


@router.get(
    "/reports", response=list[ReportOut], url_name="report-list", summary="质量分析报告的状态", tags=["质量分析报告"]
)
@paginate(CursorPagination)
def report_list(request, filters: Query[ReportFilter]):
    reports = report_selectors.report_qs_for(user=request.user)
    for field in ("kind", "status", "start_year", "school_id"):
        value = getattr(filters, field)
        if value is not None and value != "":
            reports = reports.filter(**{field: value})
    return reports


@router.get(
    "/reports/{report_id}", response=ReportOut, url_name="report-detail", summary="报告状态", tags=["质量分析报告"]
)
def report_detail(request, report_id: int):
    return get_object_or_404(report_selectors.report_qs_for(user=request.user), pk=report_id)


@router.get(
    "/jobs/{job_id}",
    response=JobOut,
    url_name="job-detail",
    summary="后台任务的状态、进度与问题清单（本人发起的任务）",
    tags=["后台任务"],
)
def job_detail(request, job_id: UUID):
    return get_object_or_404(job_qs_for(user=request.user), pk=job_id)
