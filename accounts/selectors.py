"""Reads for accounts. Only staff reach these (the views check)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def users_list() -> QuerySet:
    """Every user with their hub memberships, for the staff users page."""
    return (
        get_user_model()
        ._default_manager.select_related("invited_by")
        .prefetch_related("hub_memberships__hub")
        .order_by("name", "email")
    )
