"""Reads for people, scoped by role and hub. This is the access chokepoint for contacts:
pages, API, exports and search all start from ``contacts_for_user``."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role
from contacts.models import Contact, HubMember
from hubs.selectors.access import hub_ids_for_user


def contacts_for_user(user) -> QuerySet[Contact]:
    """Everyone the user may see.

    - staff: the whole chapter;
    - captains and organizers: the people they own and the people of their hubs;
    - volunteers: only the people assigned to them;
    - anyone else (signed out, deactivated): nobody.
    """
    if not user.is_authenticated or not user.is_active:
        return Contact.objects.none()
    if user.role == Role.STAFF:
        return Contact.objects.all()
    if user.role in (Role.CAPTAIN, Role.ORGANIZER):
        # A correlated EXISTS on HubMember's unique (contact, hub) index: a search checks only
        # its few candidates, and a page of the list only the rows it walks (measured at 1M
        # people against ``pk IN (hub members)``, which hashes ~100k ids for every query).
        in_my_hubs = HubMember.objects.filter(
            contact_id=OuterRef("pk"), hub_id__in=hub_ids_for_user(user)
        )
        return Contact.objects.filter(Q(owner_id=user.pk) | Exists(in_my_hubs))
    return Contact.objects.filter(owner_id=user.pk)


def contact_for_user(user, pk: int) -> Contact:
    """The person, or 404 when they do not exist or the user may not see them."""
    return get_object_or_404(contacts_for_user(user), pk=pk)


def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.STAFF)


def require_staff(user) -> None:
    """Staff-only pages answer 404 to everyone else, like a person outside their scope."""
    if not is_staff(user):
        raise Http404
