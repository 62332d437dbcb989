"""The knowledge-point trees and ability levels, edited as data (registered by monitoring/admin.py)."""

from django.contrib import admin

from monitoring.items.models import AbilityLevel, KnowledgePoint


@admin.register(KnowledgePoint)
class KnowledgePointAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "subject", "district", "order"]
    list_filter = ["subject", "district"]
    search_fields = ["name"]
    list_select_related = ["parent", "subject", "district"]


@admin.register(AbilityLevel)
class AbilityLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
