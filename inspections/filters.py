"""List filters of the inspection pages (django-filter)."""

import django_filters
from django.db.models import Q

from eduquality import words
from inspections.models import Campaign, Observation, RectificationOrder, StarRating, Visit
from schools.models import District, Semester, Subject


class KeywordFilterSet(django_filters.FilterSet):
    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label="关键词", method="filter_keyword")

    def filter_keyword(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)


class CampaignFilter(KeywordFilterSet):
    search_fields = ("title",)
    kind = django_filters.ChoiceFilter(label="类型", choices=Campaign.Kind.choices, empty_label="全部")
    semester = django_filters.ModelChoiceFilter(label="学期", queryset=Semester.objects.all(), empty_label="全部")

    class Meta:
        model = Campaign
        fields = ["q", "kind", "semester"]


# ★★★★★ … ★☆☆☆☆, 未达星级: the star words of eduquality/words.py, highest first.
STAR_CHOICES = [(level, words.stars(level)) for level in range(words.TOP_STAR_LEVEL, -1, -1)]


class VisitFilter(KeywordFilterSet):
    search_fields = ("school__name", "campaign__title")
    status = django_filters.ChoiceFilter(label="状态", choices=Visit.Status.choices, empty_label="全部")
    semester = django_filters.ModelChoiceFilter(label="学期", queryset=Semester.objects.all(), empty_label="全部")
    district = django_filters.ModelChoiceFilter(
        label="区县", field_name="school__district", queryset=District.objects.all(), empty_label="全部"
    )
    star_level = django_filters.ChoiceFilter(label="星级", choices=STAR_CHOICES, empty_label="全部")

    class Meta:
        model = Visit
        fields = ["q", "status", "semester", "district", "star_level"]


class StarFilter(KeywordFilterSet):
    search_fields = ("school__name", "school__code")
    star_level = django_filters.ChoiceFilter(label="星级", choices=STAR_CHOICES, empty_label="全部")
    district = django_filters.ModelChoiceFilter(
        label="区县", field_name="school__district", queryset=District.objects.all(), empty_label="全部"
    )
    below = django_filters.ChoiceFilter(
        label="达标情况", choices=[("1", "未达标"), ("0", "已达标")], method="filter_below", empty_label="全部"
    )

    class Meta:
        model = StarRating
        fields = ["q", "star_level", "district", "below"]

    def filter_below(self, queryset, name, value):
        from django.db.models import F

        below = Q(star_level__lt=F("target_level"))
        return queryset.filter(below) if value == "1" else queryset.exclude(below)


class OrderFilter(KeywordFilterSet):
    search_fields = ("school__name", "items")
    status = django_filters.ChoiceFilter(label="状态", choices=RectificationOrder.Status.choices, empty_label="全部")
    district = django_filters.ModelChoiceFilter(
        label="区县", field_name="school__district", queryset=District.objects.all(), empty_label="全部"
    )

    class Meta:
        model = RectificationOrder
        fields = ["q", "status", "district"]


class ObservationFilter(KeywordFilterSet):
    search_fields = ("teacher__name", "topic", "school__name")
    semester = django_filters.ModelChoiceFilter(label="学期", queryset=Semester.objects.all(), empty_label="全部")
    level = django_filters.ChoiceFilter(label="督导层级", choices=Observation.Level.choices, empty_label="全部")
    lesson_type = django_filters.ChoiceFilter(label="课型", choices=Observation.LessonType.choices, empty_label="全部")
    subject = django_filters.ModelChoiceFilter(label="学科", queryset=Subject.objects.all(), empty_label="全部")
    reflected = django_filters.ChoiceFilter(
        label="教学反思", choices=[("1", "已反思"), ("0", "待反思")], method="filter_reflected", empty_label="全部"
    )

    class Meta:
        model = Observation
        fields = ["q", "semester", "level", "lesson_type", "subject", "reflected"]

    def filter_reflected(self, queryset, name, value):
        return queryset.exclude(reflection="") if value == "1" else queryset.filter(reflection="")
