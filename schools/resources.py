"""What each registry page shows: columns, filters, forms and who may open it.

The generic views in schools/views.py render every registry list, detail, form and export from
these declarations, so a column appears the same on the page and in the Excel file.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.db import models
from django.db.models import Count

from schools import codes, filters, forms, importers
from schools.models import District, School, SchoolClass, Semester, Student, Teacher, TeachingGroup, Zone
from schools.scoping import (
    can_manage_registry,
    is_bureau,
    is_inspector,
    own_school_ids,
    school_ids_for,
)


@dataclass(frozen=True)
class Viewer:
    """Who is looking, resolved once per request."""

    user: Any
    own_school_ids: frozenset[int]

    @classmethod
    def of(cls, user) -> "Viewer":
        return cls(user=user, own_school_ids=frozenset(own_school_ids(user)))

    def sees_unmasked(self, school_id: int) -> bool:
        """Minors' names and numbers are shown in full only inside their own school."""
        return school_id in self.own_school_ids


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any, Viewer], Any]
    link: bool = False  # the cell links to the object's page
    width: int = 16


def _attr(path: str) -> Callable[[Any, Viewer], Any]:
    def read(obj, viewer):
        value = obj
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        # get_<field>_display and the like: the value, not the method (whose repr names the object).
        return value() if callable(value) else value

    return read


def _bool(path: str) -> Callable[[Any, Viewer], Any]:
    read = _attr(path)
    return lambda obj, viewer: "是" if read(obj, viewer) else "否"


def _names(relation: str) -> Callable[[Any, Viewer], Any]:
    """The names of a prefetched many-to-many, joined with 、."""
    return lambda obj, viewer: "、".join(str(item) for item in getattr(obj, relation).all())


def _student_name(obj, viewer: Viewer) -> str:
    return obj.name if viewer.sees_unmasked(obj.school_id) else codes.mask_name(obj.name)


def _student_number(obj, viewer: Viewer) -> str:
    return obj.student_number if viewer.sees_unmasked(obj.school_id) else codes.mask_student_number(obj.student_number)


@dataclass(frozen=True)
class Resource:
    slug: str  # URL prefix and name stem: "school" → schools:school-list
    title: str  # 学校
    model: type[models.Model]
    filterset: type
    columns: list[Column]
    detail_fields: list[Column]
    form: type[django_forms.ModelForm] | None = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    can_list: Callable[[Any], bool] = lambda user: True
    importer: Callable[[], Any] | None = None
    import_job_kind: str = ""
    detail_template: str = ""  # an extra include on the detail page
    icon: str = "table"
    annotations: dict[str, Any] = field(default_factory=dict)
    plural: str = ""  # the URL's plural when it is not slug + "s" (class → classes)

    @property
    def url_prefix(self) -> str:
        """The list lives at /schools/<plural>/ (the school list at /schools/ itself)."""
        return "" if self.slug == "school" else f"{self.plural or self.slug + 's'}/"

    def queryset_for(self, user):
        queryset = self.model._default_manager
        queryset = queryset.visible_to(user) if hasattr(queryset, "visible_to") else queryset.all()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.annotations:
            # Aggregates drop Meta.ordering from the GROUP BY query: restore it for stable pages.
            queryset = queryset.annotate(**self.annotations).order_by(*self.model._meta.ordering)
        return queryset

    def can_manage(self, user) -> bool:
        return self.form is not None and can_manage_registry(user)


def _any_role(user) -> bool:
    return is_bureau(user) or is_inspector(user) or bool(school_ids_for(user))


def _school_people(user) -> bool:
    return is_bureau(user) or bool(school_ids_for(user))


def _student_readers(user) -> bool:
    return is_bureau(user) or bool(school_ids_for(user, "principal", "academic_lead", "group_leader"))


SCHOOL = Resource(
    slug="school",
    title="学校",
    model=School,
    filterset=filters.SchoolFilter,
    form=forms.SchoolForm,
    select_related=("school_type", "district", "zone", "urban_rural", "operator"),
    can_list=_any_role,
    importer=importers.SchoolImporter,
    import_job_kind="schools.import_schools",
    detail_template="schools/_school_detail.html",
    icon="building",
    columns=[
        Column("学校标识码", _attr("code"), width=14),
        Column("学校名称", _attr("name"), link=True, width=28),
        Column("办学类型", _attr("school_type.name")),
        Column("学校类别", _attr("category_label"), width=10),
        Column("区县", _attr("district.name")),
        Column("教研片区", _attr("zone.name")),
        Column("城乡分类", _attr("urban_rural.name")),
        Column("市直", _bool("is_city_direct"), width=8),
        Column("在办", _bool("is_active"), width=8),
    ],
    detail_fields=[
        Column("学校标识码", _attr("code")),
        Column("办学类型", _attr("school_type")),
        Column("学校类别", _attr("category_label")),
        Column("区县", _attr("district")),
        Column("教研片区", _attr("zone")),
        Column("城乡分类", _attr("urban_rural")),
        Column("办别", _attr("operator")),
        Column("市直学校", _bool("is_city_direct")),
        Column("地址", _attr("address")),
        Column("联系电话", _attr("phone")),
        Column("在办", _bool("is_active")),
    ],
)

TEACHER = Resource(
    slug="teacher",
    title="教师",
    model=Teacher,
    filterset=filters.TeacherFilter,
    form=forms.TeacherForm,
    select_related=("school", "title"),
    prefetch_related=("subjects", "honours"),
    can_list=_any_role,
    importer=importers.TeacherImporter,
    import_job_kind="schools.import_teachers",
    detail_template="schools/_teacher_detail.html",
    icon="person-badge",
    columns=[
        Column("教师工号", _attr("staff_number"), width=12),
        Column("姓名", _attr("name"), link=True, width=10),
        Column("性别", _attr("get_gender_display"), width=6),
        Column("学校", _attr("school.name"), width=24),
        Column("职称", _attr("title.name"), width=12),
        Column("任教学科", _names("subjects"), width=16),
        Column("荣誉称号", _names("honours"), width=20),
        Column("在职", _bool("is_active"), width=6),
    ],
    detail_fields=[
        Column("教师工号", _attr("staff_number")),
        Column("性别", _attr("get_gender_display")),
        Column("学校", _attr("school")),
        Column("职称", _attr("title")),
        Column("任教学科", _names("subjects")),
        Column("荣誉称号", _names("honours")),
        Column("在职", _bool("is_active")),
    ],
)

SCHOOL_CLASS = Resource(
    slug="class",
    plural="classes",
    title="班级",
    model=SchoolClass,
    filterset=filters.SchoolClassFilter,
    form=forms.SchoolClassForm,
    select_related=("school", "head_teacher"),
    annotations={"student_count": Count("students")},
    can_list=_school_people,
    icon="people",
    columns=[
        Column("学校", _attr("school.name"), width=24),
        Column("学年", lambda obj, viewer: codes.academic_year_label(obj.start_year), width=14),
        Column("班级", _attr("name"), link=True, width=14),
        Column("班主任", _attr("head_teacher.name"), width=10),
        Column("学生数", _attr("student_count"), width=8),
    ],
    detail_fields=[
        Column("学校", _attr("school")),
        Column("学年", lambda obj, viewer: codes.academic_year_label(obj.start_year)),
        Column("年级", _attr("get_grade_display")),
        Column("班号", _attr("number")),
        Column("班主任", _attr("head_teacher")),
        Column("学生数", _attr("student_count")),
    ],
)

TEACHING_GROUP = Resource(
    slug="group",
    title="教研组",
    model=TeachingGroup,
    filterset=filters.TeachingGroupFilter,
    form=forms.TeachingGroupForm,
    select_related=("school", "subject", "leader"),
    can_list=_any_role,
    icon="diagram-3",
    columns=[
        Column("学校", _attr("school.name"), width=24),
        Column("学科", _attr("subject.name"), link=True, width=12),
        Column("教研组长", _attr("leader.name"), width=10),
    ],
    detail_fields=[
        Column("学校", _attr("school")),
        Column("学科", _attr("subject")),
        Column("教研组长", _attr("leader")),
    ],
)

STUDENT = Resource(
    slug="student",
    title="学生",
    model=Student,
    filterset=filters.StudentFilter,
    form=forms.StudentForm,
    select_related=("school", "school_class"),
    can_list=_student_readers,
    icon="mortarboard",
    columns=[
        Column("学籍号", _student_number, width=22),
        Column("姓名", _student_name, link=True, width=10),
        Column("性别", _attr("get_gender_display"), width=6),
        Column("学校", _attr("school.name"), width=24),
        Column("班级", _attr("school_class.name"), width=14),
    ],
    detail_fields=[
        Column("学籍号", _student_number),
        Column("性别", _attr("get_gender_display")),
        Column("学校", _attr("school")),
        Column("班级", _attr("school_class")),
        Column("在籍", _bool("is_active")),
    ],
)

DISTRICT = Resource(
    slug="district",
    title="区县",
    model=District,
    filterset=filters.DistrictFilter,
    form=forms.DistrictForm,
    annotations={"school_count": Count("schools")},
    can_list=_any_role,
    icon="map",
    columns=[
        Column("行政区划代码", _attr("code"), width=14),
        Column("名称", _attr("name"), link=True, width=20),
        Column("学校数", _attr("school_count"), width=8),
    ],
    detail_fields=[Column("行政区划代码", _attr("code")), Column("学校数", _attr("school_count"))],
)

ZONE = Resource(
    slug="zone",
    title="教研片区",
    model=Zone,
    filterset=filters.ZoneFilter,
    form=forms.ZoneForm,
    select_related=("district",),
    annotations={"school_count": Count("schools")},
    can_list=_any_role,
    icon="pin-map",
    columns=[
        Column("区县", _attr("district.name"), width=16),
        Column("名称", _attr("name"), link=True, width=20),
        Column("学校数", _attr("school_count"), width=8),
    ],
    detail_fields=[Column("区县", _attr("district")), Column("学校数", _attr("school_count"))],
)

SEMESTER = Resource(
    slug="semester",
    title="学期",
    model=Semester,
    filterset=filters.SemesterFilter,
    form=forms.SemesterForm,
    can_list=_any_role,
    icon="calendar3",
    columns=[
        Column("学期", lambda obj, viewer: str(obj), link=True, width=28),
        Column("开始日期", _attr("starts_on"), width=12),
        Column("结束日期", _attr("ends_on"), width=12),
        Column("当前学期", _bool("is_current"), width=10),
    ],
    detail_fields=[
        Column("开始日期", _attr("starts_on")),
        Column("结束日期", _attr("ends_on")),
        Column("当前学期", _bool("is_current")),
    ],
)

RESOURCES = [SCHOOL, TEACHER, SCHOOL_CLASS, TEACHING_GROUP, STUDENT, DISTRICT, ZONE, SEMESTER]
