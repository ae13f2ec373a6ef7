"""Reads for hubs, scoped to what a user may see. Every hub a user asks for goes through here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role
from hubs.models import Hub, HubRole


def hub_ids_for_user(user, *, roles: tuple[str, ...] | None = None) -> QuerySet:
    """IDs of the hubs the user belongs to (optionally with one of ``roles``), as a subquery."""
    memberships = HubRole.objects.filter(user_id=user.pk)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return memberships.values("hub_id")


def hubs_for_user(user) -> QuerySet[Hub]:
    if not user.is_authenticated or not user.is_active:
        return Hub.objects.none()
    if user.role == Role.STAFF:
        return Hub.objects.all()
    return Hub.objects.filter(pk__in=hub_ids_for_user(user))


def hub_for_user(user, slug: str) -> Hub:
    """The hub, or 404 when it does not exist or the user may not see it."""
    return get_object_or_404(hubs_for_user(user), slug=slug)


def can_manage_hub(user, hub: Hub) -> bool:
    if user.role == Role.STAFF:
        return True
    return HubRole.objects.filter(user_id=user.pk, hub=hub, role=HubRole.Role.CAPTAIN).exists()


def managed_hub_for_user(user, slug: str) -> Hub:
    """The hub, when the user is one of its captains or staff (they manage its members, turf
    and map); 404 otherwise."""
    hub = hub_for_user(user, slug)
    if not can_manage_hub(user, hub):
        raise Http404
    return hub
