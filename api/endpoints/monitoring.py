"""质量监测: exams with their subjects, statistics (no student rows), warnings, indicators, score upload."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from api.pagination import CursorPagination
from api.problems import ApiProblem
from api.schemas import ExamOut, IndicatorOut, IndicatorReportOut, JobOut, StatisticOut, WarningOut
from api.security import SCORES_WRITE
from monitoring import selectors, services
from monitoring.forms import ScoreUploadForm
from monitoring.models import Indicator, Level

router = Router(tags=["质量监测"])


class ExamFilter(Schema):
    semester_id: int | None = None
    grade: int | None = None
    status: str | None = None


def _exam(request, exam_id: int):
    return get_object_or_404(selectors.exam_qs_for(user=request.user), pk=exam_id)


@router.get("/exams", response=list[ExamOut], url_name="exam-list", summary="监测（含学科）")
@paginate(CursorPagination)
def exam_list(request, filters: Query[ExamFilter]):
    exams = selectors.exam_qs_for(user=request.user).prefetch_related("subjects__subject")
    if filters.semester_id is not None:
        exams = exams.filter(semester_id=filters.semester_id)
    if filters.grade is not None:
        exams = exams.filter(grade=filters.grade)
    if filters.status:
        exams = exams.filter(status=filters.status)
    return exams


@router.get("/exams/{exam_id}", response=ExamOut, url_name="exam-detail", summary="监测详情（含学科）")
def exam_detail(request, exam_id: int):
    return _exam(request, exam_id)


class StatisticFilter(Schema):
    level: Level | None = None
    subject: str | None = None
    school_id: int | None = None
    district_id: int | None = None


@router.get(
    "/exams/{exam_id}/statistics",
    response=list[StatisticOut],
    url_name="exam-statistics",
    summary="统计结果：监测 × 学科 × 层级（全市、区县、学校、班级；不含学生个人数据）",
)
@paginate(CursorPagination)
def exam_statistics(request, exam_id: int, filters: Query[StatisticFilter]):
    stats = selectors.statistics_for(user=request.user, exam=_exam(request, exam_id))
    if filters.level:
        stats = stats.filter(level=filters.level)
    if filters.subject:
        stats = stats.filter(exam_subject__subject__code=filters.subject)
    if filters.school_id is not None:
        stats = stats.filter(school_id=filters.school_id)
    if filters.district_id is not None:
        stats = stats.filter(district_id=filters.district_id)
    return stats


@router.post(
    "/exams/{exam_id}/scores",
    response={202: JobOut},
    auth=SCORES_WRITE,
    url_name="exam-score-upload",
    summary="上传成绩工作簿（与页面上传相同的后台导入任务；用 /jobs/{id} 查看进度与问题）",
)
def exam_score_upload(request, exam_id: int, file: File[UploadedFile]):
    exam = _exam(request, exam_id)
    if not selectors.can_manage_exams(request.user):
        raise ApiProblem(403, "只有局机关可以导入成绩。", slug="forbidden")
    form = ScoreUploadForm(data={}, files={"file": file})
    if not form.is_valid():
        messages = [message for errors in form.errors.values() for message in errors]
        raise ApiProblem(
            400, "；".join(messages), slug="upload-rejected", errors=[{"field": "file", "message": m} for m in messages]
        )
    return Status(202, services.start_score_import(exam=exam, upload=form.cleaned_data["file"], by=request.user))


class WarningFilter(Schema):
    exam_id: int | None = None
    school_id: int | None = None


@router.get("/warnings", response=list[WarningOut], url_name="warning-list", summary="质量预警（局机关、督学）")
@paginate(CursorPagination)
def warning_list(request, filters: Query[WarningFilter]):
    if not selectors.sees_all_schools(request.user):
        raise PermissionDenied("质量预警仅供局机关和督学查看。")
    warnings = selectors.warning_qs_for(user=request.user)
    if filters.exam_id is not None:
        warnings = warnings.filter(exam_id=filters.exam_id)
    if filters.school_id is not None:
        warnings = warnings.filter(school_id=filters.school_id)
    return warnings


@router.get("/indicators", response=list[IndicatorOut], url_name="indicator-list", summary="基本要求指标")
@paginate(CursorPagination)
def indicator_list(request):
    return Indicator.objects.all()


class IndicatorReportFilter(Schema):
    start_year: int | None = None
    school_id: int | None = None


@router.get(
    "/indicator-reports",
    response=list[IndicatorReportOut],
    url_name="indicator-report-list",
    summary="基本要求达标填报（按角色可见范围）",
)
@paginate(CursorPagination)
def indicator_report_list(request, filters: Query[IndicatorReportFilter]):
    reports = selectors.indicator_reports_for(user=request.user)
    if filters.start_year is not None:
        reports = reports.filter(start_year=filters.start_year)
    if filters.school_id is not None:
        reports = reports.filter(school_id=filters.school_id)
    return reports
