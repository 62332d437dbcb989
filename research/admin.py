from django.contrib import admin

from research import models


@admin.register(models.ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]


@admin.register(models.RuleLine)
class RuleLineAdmin(admin.ModelAdmin):
    list_display = ["code", "requirement", "threshold", "unit", "source"]


@admin.register(models.Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "order"]


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["topic", "level", "activity_type", "school", "starts_at", "hours"]
    list_filter = ["level", "activity_type", "semester"]
    search_fields = ["topic", "school__name"]
    raw_id_fields = ["school", "group", "lead_teacher", "organiser"]
