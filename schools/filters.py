"""List filters for the registry pages (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q

from eduquality.db import pinyin
from schools import codes
from schools.models import (
    GRADE_CHOICES,
    District,
    Honour,
    School,
    SchoolClass,
    SchoolType,
    Semester,
    Student,
    Subject,
    Teacher,
    TeacherTitle,
    TeachingGroup,
    Zone,
)

YES_NO = forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])
SORT_BY_NAME = [("name", "按名称拼音"), ("code", "按代码")]


class SearchFilterSet(django_filters.FilterSet):
    """A keyword box over `search_fields` and a sort choice, for every registry list."""

    search_fields: tuple[str, ...] = ()
    sort_fields: dict[str, tuple] = {}

    q = django_filters.CharFilter(label="关键词", method="filter_search")
    sort = django_filters.ChoiceFilter(label="排序", choices=SORT_BY_NAME, method="filter_sort", empty_label="默认排序")

    def filter_search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*self.sort_fields[value]) if value in self.sort_fields else queryset

    @property
    def qs(self):
        queryset = super().qs
        if not (self.data or {}).get("sort") and "name" in self.sort_fields:
            queryset = queryset.order_by(*self.sort_fields["name"])
        return queryset


def school_choices(request):
    return School.objects.visible_to(request.user).order_by(pinyin("name")) if request else School.objects.none()


class SchoolFilter(SearchFilterSet):
    search_fields = ("name", "code", "address")
    sort_fields = {"name": (pinyin("name"),), "code": ("code",)}

    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label="区县")
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.all(), label="教研片区")
    category = django_filters.ChoiceFilter(
        label="学校类别", choices=sorted(codes.SCHOOL_CATEGORIES.items()), method="filter_category"
    )
    school_type = django_filters.ModelChoiceFilter(
        queryset=SchoolType.objects.filter(code__regex=r"^\d{3}$"), label="办学类型"
    )
    is_city_direct = django_filters.BooleanFilter(label="市直", widget=YES_NO)
    is_active = django_filters.BooleanFilter(label="在办", widget=YES_NO)

    class Meta:
        model = School
        fields = ["q", "district", "zone", "category", "school_type", "is_city_direct", "is_active", "sort"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(school_type_id__startswith=value)


class TeacherFilter(SearchFilterSet):
    search_fields = ("name", "staff_number")
    sort_fields = {"name": (pinyin("name"),), "code": ("staff_number",)}

    school = django_filters.ModelChoiceFilter(queryset=school_choices, label="学校")
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.all(), label="区县", field_name="school__district"
    )
    subject = django_filters.ModelChoiceFilter(queryset=Subject.objects.all(), label="任教学科", field_name="subjects")
    title = django_filters.ModelChoiceFilter(queryset=TeacherTitle.objects.all(), label="职称")
    honour = django_filters.ModelChoiceFilter(
        queryset=Honour.objects.all(), label="荣誉称号", field_name="honours", distinct=True
    )
    is_active = django_filters.BooleanFilter(label="在职", widget=YES_NO)

    class Meta:
        model = Teacher
        fields = ["q", "school", "district", "subject", "title", "honour", "is_active", "sort"]


class SchoolClassFilter(SearchFilterSet):
    search_fields = ("school__name",)
    sort_fields = {"code": ("school__code", "grade", "number")}

    school = django_filters.ModelChoiceFilter(queryset=school_choices, label="学校")
    start_year = django_filters.NumberFilter(label="学年起始年份")
    grade = django_filters.ChoiceFilter(choices=GRADE_CHOICES, label="年级")

    class Meta:
        model = SchoolClass
        fields = ["q", "school", "start_year", "grade"]


class TeachingGroupFilter(SearchFilterSet):
    search_fields = ("school__name", "subject__name", "leader__name")
    school = django_filters.ModelChoiceFilter(queryset=school_choices, label="学校")
    subject = django_filters.ModelChoiceFilter(queryset=Subject.objects.all(), label="学科")

    class Meta:
        model = TeachingGroup
        fields = ["q", "school", "subject"]


class StudentFilter(SearchFilterSet):
    # Search by the full 学籍号 only: a partial match would let a user probe masked numbers.
    search_fields = ()

    q = django_filters.CharFilter(label="学籍号（完整）", method="filter_number")
    school = django_filters.ModelChoiceFilter(queryset=school_choices, label="学校")
    grade = django_filters.ChoiceFilter(choices=GRADE_CHOICES, label="年级", field_name="school_class__grade")

    class Meta:
        model = Student
        fields = ["q", "school", "grade"]

    def filter_number(self, queryset, name, value):
        return queryset.filter(student_number=value.strip().upper())


class DistrictFilter(SearchFilterSet):
    search_fields = ("name", "code")
    sort_fields = {"code": ("code",)}

    class Meta:
        model = District
        fields = ["q"]


class ZoneFilter(SearchFilterSet):
    search_fields = ("name",)
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label="区县")

    class Meta:
        model = Zone
        fields = ["q", "district"]


class SemesterFilter(SearchFilterSet):
    start_year = django_filters.NumberFilter(label="学年起始年份")
    term = django_filters.ChoiceFilter(choices=Semester.Term.choices, label="学期")

    class Meta:
        model = Semester
        fields = ["start_year", "term"]
