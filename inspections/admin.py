"""Admin for the inspection reference data: draft rubric versions are edited here; published ones are
read-only (a change is a new version: 评估细则 page → 复制为新版本)."""

from django.contrib import admin

from inspections import models


class FrozenWhenPublished:
    """Read-only once the rubric version is published."""

    def _rubric(self, obj):
        if obj is None:
            return None
        return getattr(obj, "rubric", None) or getattr(getattr(obj, "area", None), "rubric", None) or obj

    def has_change_permission(self, request, obj=None):
        rubric = self._rubric(obj)
        if rubric is not None and getattr(rubric, "is_published", False):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        rubric = self._rubric(obj)
        if rubric is not None and getattr(rubric, "is_published", False):
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        rubric = self._rubric(obj)
        if rubric is not None and getattr(rubric, "is_published", False):
            return False
        return super().has_add_permission(request, *([obj] if obj is not None else []))


class AreaInline(FrozenWhenPublished, admin.TabularInline):
    model = models.RubricArea
    extra = 0
    show_change_link = True


class CriterionInline(FrozenWhenPublished, admin.TabularInline):
    model = models.Criterion
    extra = 0


@admin.register(models.Rubric)
class RubricAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["name", "kind", "version", "is_published", "is_current"]
    list_filter = ["kind", "is_published"]
    readonly_fields = ["is_published", "is_current"]
    inlines = [AreaInline]

    def has_add_permission(self, request, obj=None):
        return False  # new versions come from 复制为新版本


@admin.register(models.RubricArea)
class RubricAreaAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["name", "rubric", "order"]
    list_filter = ["rubric"]
    inlines = [CriterionInline]


@admin.register(models.ObservationQuota)
class ObservationQuotaAdmin(admin.ModelAdmin):
    list_display = ["role", "semester", "school", "lessons"]
    list_filter = ["role", "semester"]
