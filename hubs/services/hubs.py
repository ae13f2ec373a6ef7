"""Writes for hubs: create and edit a hub, add and remove members, promote and demote captains.

Every write runs in one transaction; member changes leave a ``ContactEvent`` on the person so
their history says who added or removed them, and when.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Role
from contacts.models import Contact, ContactEvent, HubMember
from hubs.models import Hub, HubRole

# Top-level words under /hubs/ that are pages, not hubs.
RESERVED_SLUGS = {"new", "doors", "pieces"}


class HubError(Exception):
    """A domain rule was broken; the message is shown to the user."""


class AlreadyMember(HubError):
    pass


class LastCaptain(HubError):
    pass


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:100] or "hub"
    if base in RESERVED_SLUGS:
        base = f"{base}-hub"
    taken = set(
        Hub.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def hub_create(
    *,
    by,
    name: str,
    kind: str,
    description: str = "",
    meeting_time: str = "",
    meeting_place: str = "",
    majority_threshold: int = 50,
    leader_span: int = 10,
) -> Hub:
    return Hub.objects.create(
        name=name.strip(),
        slug=unique_slug(name),
        kind=kind,
        description=description,
        meeting_time=meeting_time,
        meeting_place=meeting_place,
        majority_threshold=majority_threshold,
        leader_span=leader_span,
    )


HUB_FIELDS = {
    "name",
    "kind",
    "description",
    "meeting_time",
    "meeting_place",
    "majority_threshold",
    "leader_span",
}


@transaction.atomic
def hub_update(*, by, hub: Hub, **fields) -> Hub:
    """Update the given fields (the view decides which ones the user may change)."""
    unknown = set(fields) - HUB_FIELDS
    if unknown:
        raise ValueError(f"not hub fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(hub, name, value)
    hub.save(update_fields=list(fields))
    return hub


def _member_event(*, by, contact: Contact, summary: str, **changes) -> None:
    ContactEvent.objects.create(
        contact=contact, kind=ContactEvent.Kind.EDITED, actor=by, summary=summary, changes=changes
    )


def hub_member_add(
    *,
    by,
    hub: Hub,
    contact: Contact,
    role: str = HubMember.Role.MEMBER,
    since: dt.date | None = None,
) -> HubMember:
    since = since or timezone.localdate()
    try:
        with transaction.atomic():
            member = HubMember.objects.create(contact=contact, hub=hub, role=role, since=since)
            _member_event(
                by=by,
                contact=contact,
                summary=f"Added to hub {hub.name} as {member.get_role_display().lower()}",
                hub=hub.slug,
                role=role,
                since=since.isoformat(),
            )
    except IntegrityError as error:
        raise AlreadyMember(
            _("%(name)s is already a member of %(hub)s.")
            % {"name": contact.display_name, "hub": hub.name}
        ) from error
    return member


@transaction.atomic
def hub_member_remove(*, by, hub: Hub, member_id: int) -> Contact | None:
    """Remove a member; a member already removed is a quiet no-op (returns None)."""
    member = (
        HubMember.objects.select_for_update()
        .select_related("contact")
        .filter(pk=member_id, hub=hub)
        .first()
    )
    if member is None:
        return None
    member.delete()
    _member_event(
        by=by,
        contact=member.contact,
        summary=f"Removed from hub {hub.name}",
        hub=hub.slug,
        role=member.role,
    )
    return member.contact


@transaction.atomic
def hub_role_set(*, by, hub: Hub, user_id: int, role: str) -> HubRole:
    """Promote a hub's organizer or volunteer to co-captain, or demote a captain.

    The hub always keeps at least one captain. A user promoted to captain gets at least the
    captain's account role (so they can see their hub's people); a user demoted from their last
    captaincy goes back to organizer.
    """
    if role not in HubRole.Role.values:
        raise HubError(_("Unknown role."))
    # Lock the hub's memberships so two demotions at once cannot leave it without a captain.
    rows = list(
        HubRole.objects.select_for_update(of=("self",)).filter(hub=hub).select_related("user")
    )
    membership = next((m for m in rows if m.user_id == user_id), None)
    if membership is None:
        raise HubError(_("That user is not in this hub."))
    captains = [m for m in rows if m.role == HubRole.Role.CAPTAIN]
    demoting = membership.role == HubRole.Role.CAPTAIN and role != membership.role
    if demoting and len(captains) == 1:
        raise LastCaptain(_("A hub needs at least one captain: promote someone else first."))
    if membership.role == role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    _sync_account_role(membership.user)
    return membership


def _sync_account_role(user) -> None:
    if user.role == Role.STAFF:
        return
    is_captain = HubRole.objects.filter(user_id=user.pk, role=HubRole.Role.CAPTAIN).exists()
    if is_captain and user.role != Role.CAPTAIN:
        user.role = Role.CAPTAIN
        user.save(update_fields=["role"])
    elif not is_captain and user.role == Role.CAPTAIN:
        user.role = Role.ORGANIZER
        user.save(update_fields=["role"])
