"""Reads for people, scoped by role and hub. This is the access chokepoint for contacts:
pages, API, exports and search all start from ``contacts_for_user``."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role
from contacts.models import Contact, HubMember
from hubs.models import HubRole
from hubs.selectors.access import hub_ids_for_user

# A hub's people are seen by its captains and organizers. Someone who is only a volunteer in a
# hub (or was demoted to one) sees only their own people there, like the hub page says.
SEES_HUB_PEOPLE = (HubRole.Role.CAPTAIN.value, HubRole.Role.ORGANIZER.value)


def contacts_for_user(user, *, probe: bool = False) -> QuerySet[Contact]:
    """Everyone the user may see.

    - staff: the whole chapter;
    - captains and organizers: the people they own and the people of the hubs where they are a
      captain or organizer (a hub where they are only a volunteer shows them nothing more);
    - volunteers: only the people assigned to them;
    - anyone else (signed out, deactivated): nobody.

    ``probe`` writes the same rule for a query that stops after a few rows (search as you
    type): each candidate is checked against HubMember's unique (contact, hub) index. Without
    it PostgreSQL hashes every member of the user's hubs first (~100k ids for a big hub), which
    is the faster plan when a query looks at most rows (a list, its count, an export). The
    probe names the ``contacts_contact`` table, so use it as the top-level query only.

    Nothing here is cached: roles and memberships are read on every call, so a demotion or a
    removal from a hub takes effect on the user's next request.
    """
    if not user.is_authenticated or not user.is_active:
        return Contact.objects.none()
    if user.role == Role.STAFF:
        return Contact.objects.all()
    if user.role in (Role.CAPTAIN, Role.ORGANIZER):
        if probe:
            # OFFSET 0 keeps PostgreSQL from turning the EXISTS into a hashed subplan.
            in_my_hubs = RawSQL(
                "EXISTS (SELECT 1 FROM contacts_hubmember hm WHERE hm.contact_id ="
                ' "contacts_contact"."id" AND hm.hub_id IN (SELECT hub_id FROM'
                " hubs_hubrole WHERE user_id = %s AND role IN (%s, %s)) OFFSET 0)",
                [user.pk, *SEES_HUB_PEOPLE],
                output_field=BooleanField(),
            )
            return Contact.objects.filter(Q(owner_id=user.pk) | Q(in_my_hubs))
        in_my_hubs = HubMember.objects.filter(
            contact_id=OuterRef("pk"), hub_id__in=hub_ids_for_user(user, roles=SEES_HUB_PEOPLE)
        )
        return Contact.objects.filter(Q(owner_id=user.pk) | Exists(in_my_hubs))
    return Contact.objects.filter(owner_id=user.pk)


def search_scope(user) -> list[str] | None:
    """The rule of :func:`contacts_for_user` in the person-finder's terms (the scope lexemes of
    ``contacts.models.search``): ``None`` for everyone (staff), else the lexemes a visible
    person's search row carries at least one of — their organizer ``o<user>`` and, for
    captains and organizers, each of the user's hubs ``h<hub>``. An empty list: nobody."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.role == Role.STAFF:
        return None
    scope = [f"o{user.pk}"]
    if user.role in (Role.CAPTAIN, Role.ORGANIZER):
        hubs = hub_ids_for_user(user).values_list("hub_id", flat=True)
        scope += [f"h{hub_id}" for hub_id in sorted(hubs)]
    return scope


def contact_for_user(user, pk: int) -> Contact:
    """The person, or 404 when they do not exist or the user may not see them."""
    return get_object_or_404(contacts_for_user(user), pk=pk)


def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.STAFF)


def require_staff(user) -> None:
    """Staff-only pages answer 404 to everyone else, like a person outside their scope."""
    if not is_staff(user):
        raise Http404
