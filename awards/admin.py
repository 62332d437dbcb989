from django.contrib import admin

from awards.models import Campaign, CampaignType, Holiday


@admin.register(CampaignType)
class CampaignTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "nominee_kind", "group_by", "cycle_years", "max_per_school"]
    filter_horizontal = ["required_honours"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign_type", "year", "stage"]
    list_filter = ["stage", "campaign_type"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_workday"]
