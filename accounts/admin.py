from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Users are created by invitation (/accounts/invite/); here staff fix roles and deactivate.

    Passwords are never edited here: people choose their own through the emailed link.
    """

    list_display = ("email", "name", "role", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("invited_by", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "name", "role", "language", "is_active")}),
        (
            _("Django admin"),
            {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("History"), {"fields": ("invited_by", "date_joined", "last_login")}),
    )
    filter_horizontal = ("groups", "user_permissions")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()  # they choose one via "Forgot your password?"
        super().save_model(request, obj, form, change)
