from __future__ import annotations

from django.contrib import admin

from reports.models import Neighborhood, WeeklySummary


@admin.register(Neighborhood)
class NeighborhoodAdmin(admin.ModelAdmin):
    list_display = ["name", "residents"]
    search_fields = ["name"]


@admin.register(WeeklySummary)
class WeeklySummaryAdmin(admin.ModelAdmin):
    list_display = ["user", "week", "status", "sent_at"]
    list_filter = ["status"]
