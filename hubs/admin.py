from __future__ import annotations

from django.contrib import admin

from hubs.models import (
    Department,
    Hub,
    HubRole,
    Placement,
    Shift,
    StructureTest,
    StructureTestReach,
    Worksite,
)


class HubRoleInline(admin.TabularInline):
    model = HubRole
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "meeting_time", "majority_threshold", "leader_span"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    exclude = ["area"]
    inlines = [HubRoleInline]


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


@admin.register(Worksite)
class WorksiteAdmin(admin.ModelAdmin):
    list_display = ["name", "hub", "address"]
    list_filter = ["hub"]
    inlines = [DepartmentInline, ShiftInline]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["contact", "hub", "worksite", "department", "shift", "organized_by"]
    list_filter = ["hub"]
    raw_id_fields = ["contact", "organized_by"]


class StructureTestReachInline(admin.TabularInline):
    model = StructureTestReach
    extra = 0
    raw_id_fields = ["contact", "marked_by"]


@admin.register(StructureTest)
class StructureTestAdmin(admin.ModelAdmin):
    list_display = ["name", "hub", "started_at", "deadline"]
    list_filter = ["hub"]
    inlines = [StructureTestReachInline]
