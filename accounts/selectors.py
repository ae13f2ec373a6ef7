"""Reads for accounts. Only staff reach these (the views check)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from accounts.models import AccountEmail


def users_list() -> QuerySet:
    """Every user with their hub memberships and invitation emails (newest first, as
    ``invites``), for the staff users page."""
    invites = AccountEmail.objects.filter(kind=AccountEmail.Kind.INVITE).order_by("-created_at")
    return (
        get_user_model()
        ._default_manager.select_related("invited_by")
        .prefetch_related("hub_roles__hub", Prefetch("account_emails", invites, to_attr="invites"))
        .order_by("name", "email")
    )
