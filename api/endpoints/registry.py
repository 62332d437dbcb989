"""学校名录: districts, schools (read; upsert by 学校标识码), semesters, subjects."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from api.pagination import CursorPagination
from api.problems import ApiProblem
from api.schemas import DistrictOut, SchoolOut, SchoolUpsertIn, SchoolUpsertOut, SemesterOut, SubjectOut
from api.security import REGISTRY_WRITE
from eduquality.excel import Table
from schools.importers import SchoolImporter
from schools.models import District, School, Semester, Subject
from schools.scoping import can_manage_registry

router = Router(tags=["学校名录"])


@router.get("/districts", response=list[DistrictOut], url_name="district-list", summary="区县")
@paginate(CursorPagination)
def district_list(request):
    return District.objects.all()


@router.get("/districts/{district_id}", response=DistrictOut, url_name="district-detail", summary="区县详情")
def district_detail(request, district_id: int):
    return get_object_or_404(District, pk=district_id)


class SchoolFilter(Schema):
    district_id: int | None = None
    code: str | None = None
    is_active: bool | None = None


@router.get("/schools", response=list[SchoolOut], url_name="school-list", summary="学校（按角色可见范围）")
@paginate(CursorPagination)
def school_list(request, filters: Query[SchoolFilter]):
    schools = School.objects.visible_to(request.user).select_related("district", "zone")
    if filters.district_id is not None:
        schools = schools.filter(district_id=filters.district_id)
    if filters.code:
        schools = schools.filter(code=filters.code)
    if filters.is_active is not None:
        schools = schools.filter(is_active=filters.is_active)
    return schools


@router.get("/schools/{school_id}", response=SchoolOut, url_name="school-detail", summary="学校详情")
def school_detail(request, school_id: int):
    return get_object_or_404(School.objects.visible_to(request.user).select_related("district", "zone"), pk=school_id)


# The JSON fields of an upserted school → the columns of the school import (one validation for both).
UPSERT_COLUMNS = {
    "code": "学校标识码",
    "name": "学校名称",
    "school_type": "办学类型",
    "district": "区县",
    "zone": "教研片区",
    "urban_rural": "城乡分类",
    "operator": "办别",
    "is_city_direct": "市直",
    "address": "地址",
    "phone": "联系电话",
}
FIELD_OF_COLUMN = {column: field for field, column in UPSERT_COLUMNS.items()}


@router.put(
    "/registry/schools",
    response=SchoolUpsertOut,
    auth=REGISTRY_WRITE,
    url_name="school-upsert",
    summary="按学校标识码新增或更新学校（全部校验通过才保存）",
)
def school_upsert(request, payload: SchoolUpsertIn):
    """The Excel school import's validation and save, fed from JSON: every school is checked first;
    one problem and nothing is saved (the answer lists every problem by row, counted from 0)."""
    if not can_manage_registry(request.user):
        raise ApiProblem(403, "只有局机关可以维护学校名录。", slug="forbidden")
    header = list(UPSERT_COLUMNS.values())
    rows = []
    for index, school in enumerate(payload.schools):
        values = school.model_dump()
        values["is_city_direct"] = "是" if values["is_city_direct"] else "否"
        rows.append((index, [values[field] for field in UPSERT_COLUMNS]))
    importer = SchoolImporter()
    cleaned, problems = importer.validate(Table(header=header, rows=rows), lambda *args: None)
    if problems:
        errors = [
            {"row": p.row, "field": FIELD_OF_COLUMN.get(p.column, p.column), "message": p.message} for p in problems
        ]
        raise ApiProblem(422, f"发现 {len(errors)} 处问题，未保存任何学校。", slug="registry-rejected", errors=errors)
    with transaction.atomic():
        outcome = importer.save(cleaned, actor=request.user)
    return {
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "summary": outcome.summary,
    }


@router.get("/semesters", response=list[SemesterOut], url_name="semester-list", summary="学期")
@paginate(CursorPagination)
def semester_list(request):
    return Semester.objects.all()


@router.get("/subjects", response=list[SubjectOut], url_name="subject-list", summary="学科")
@paginate(CursorPagination)
def subject_list(request):
    return Subject.objects.all()
