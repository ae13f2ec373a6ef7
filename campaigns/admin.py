from __future__ import annotations

from django.contrib import admin

from campaigns.models import Campaign, Event, EventMessage, Goal, Rsvp, Shift


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    search_fields = ["name"]
    inlines = [GoalInline]
    filter_horizontal = ["hubs"]
    raw_id_fields = ["turfs", "created_by"]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "hub", "starts_at", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    raw_id_fields = ["led_by", "organizer", "created_by", "campaign"]
    inlines = [ShiftInline]


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ["event", "contact", "status", "attended_at", "walk_in", "first_time"]
    raw_id_fields = ["event", "contact", "shift", "recruited_by", "checked_in_by", "follow_up"]


@admin.register(EventMessage)
class EventMessageAdmin(admin.ModelAdmin):
    list_display = ["event", "contact", "kind", "channel", "status", "attempts"]
    list_filter = ["kind", "channel", "status"]
    raw_id_fields = ["event", "contact"]
