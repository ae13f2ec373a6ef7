"""Inviting a user into hubs: the account (``accounts.services.user_invite``, which queues the
invitation email after commit) and their hub memberships, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_invite
from hubs.models import Hub, HubRole

# The hub role that follows from a user's role. Staff see every hub and get no membership rows.
HUB_ROLE_FOR = {
    Role.CAPTAIN: HubRole.Role.CAPTAIN,
    Role.ORGANIZER: HubRole.Role.ORGANIZER,
    Role.VOLUNTEER: HubRole.Role.VOLUNTEER,
}


def user_invite_to_hubs(
    *,
    invited_by: User,
    email: str,
    name: str,
    role: str,
    hubs: Iterable[Hub] = (),
    base_url: str = "",
) -> User:
    """Invite ``email`` (see ``user_invite``; raises ``AccountError`` for a taken address) with
    a membership in each of ``hubs`` whose role follows ``role``."""
    with transaction.atomic():
        user = user_invite(
            invited_by=invited_by, email=email, name=name, role=role, base_url=base_url
        )
        hub_role = HUB_ROLE_FOR.get(role)
        if hub_role:
            HubRole.objects.bulk_create(HubRole(user=user, hub=hub, role=hub_role) for hub in hubs)
    return user
