"""Filters of the project-wide lists (the access log)."""

import django_filters
from django import forms
from django.db.models import Q

from eduquality.models import AccessLog


class AccessLogFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="用户或内容", method="filter_search")
    allowed = django_filters.ChoiceFilter(
        label="结果", choices=[("true", "允许"), ("false", "拒绝")], method="filter_allowed", empty_label="全部"
    )
    since = django_filters.DateFilter(
        label="起始日期",
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label="截止日期",
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AccessLog
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(username__icontains=value) | Q(roles__icontains=value) | Q(what__icontains=value))

    def filter_allowed(self, queryset, name, value):
        return queryset.filter(allowed=value == "true")
