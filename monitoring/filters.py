"""List filters of quality monitoring."""

import django_filters
from django.db.models import Q

from monitoring.models import EarlyWarning, Exam, ResearchVisit
from schools.models import GRADE_CHOICES, District, Semester


class ExamFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_search")
    semester = django_filters.ModelChoiceFilter(queryset=Semester.objects.all(), label="学期")
    grade = django_filters.ChoiceFilter(choices=GRADE_CHOICES, label="年级")
    kind = django_filters.ChoiceFilter(choices=Exam.Kind.choices, label="类型")
    status = django_filters.ChoiceFilter(choices=Exam.Status.choices, label="状态")

    class Meta:
        model = Exam
        fields = ["q", "semester", "grade", "kind", "status"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value.strip()) | Q(code__icontains=value.strip()))


class WarningFilter(django_filters.FilterSet):
    exam = django_filters.ModelChoiceFilter(queryset=Exam.objects.all(), label="监测")
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.all(), field_name="school__district", label="区县"
    )
    kind = django_filters.ChoiceFilter(choices=EarlyWarning.Kind.choices, label="预警类型")
    status = django_filters.ChoiceFilter(
        choices=ResearchVisit.Status.choices, field_name="visit__status", label="调研状态"
    )
    q = django_filters.CharFilter(label="学校", method="filter_school")

    class Meta:
        model = EarlyWarning
        fields = ["exam", "district", "kind", "status", "q"]

    def filter_school(self, queryset, name, value):
        return queryset.filter(Q(school__name__icontains=value.strip()) | Q(school__code=value.strip()))
