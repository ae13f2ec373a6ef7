from __future__ import annotations

from django.contrib import admin

from contacts.models import (
    Contact,
    ContactEvent,
    Email,
    ExportLog,
    ExternalId,
    HubMember,
    Issue,
    Phone,
    Tag,
)


class PhoneInline(admin.TabularInline):
    model = Phone
    extra = 0


class EmailInline(admin.TabularInline):
    model = Email
    extra = 0


class ExternalIdInline(admin.TabularInline):
    model = ExternalId
    extra = 0


class HubMemberInline(admin.TabularInline):
    model = HubMember
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "membership_status", "owner", "assessment", "last_contacted_at"]
    list_filter = ["membership_status", "do_not_contact", "tags"]
    search_fields = ["last_name", "first_name", "preferred_name", "phones__e164", "emails__address"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "user", "recruited_by", "created_by", "updated_by"]
    filter_horizontal = ["tags", "issues"]
    readonly_fields = ["assessment", "last_contacted_at", "created_at", "updated_at"]
    inlines = [PhoneInline, EmailInline, ExternalIdInline, HubMemberInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ContactEvent)
class ContactEventAdmin(admin.ModelAdmin):
    list_display = ["at", "contact", "kind", "actor", "summary"]
    list_filter = ["kind"]
    raw_id_fields = ["contact", "actor"]


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "what", "row_count", "query"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
