"""List filters of the teaching-research pages (django-filter)."""

import django_filters
from django.db.models import Q

from research.models import Activity, ActivityType
from schools.models import District, School, Semester, Subject


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_keyword")
    semester = django_filters.ModelChoiceFilter(label="学期", queryset=Semester.objects.all(), empty_label="全部")
    level = django_filters.ChoiceFilter(label="层级", choices=Activity.Level.choices, empty_label="全部")
    activity_type = django_filters.ModelChoiceFilter(
        label="类型", queryset=ActivityType.objects.all(), empty_label="全部"
    )
    subject = django_filters.ModelChoiceFilter(label="学科", queryset=Subject.objects.all(), empty_label="全部")
    school = django_filters.ModelChoiceFilter(label="学校", queryset=School.objects.none(), empty_label="全部")

    class Meta:
        model = Activity
        fields = ["q", "semester", "level", "activity_type", "subject", "school"]

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["school"].queryset = schools if schools is not None else School.objects.none()

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(topic__icontains=value) | Q(place__icontains=value) | Q(school__name__icontains=value))


class CityTableFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="学校", field_name="name", lookup_expr="icontains")
    district = django_filters.ModelChoiceFilter(label="区县", queryset=District.objects.all(), empty_label="全部")

    class Meta:
        model = School
        fields = ["q", "district"]
