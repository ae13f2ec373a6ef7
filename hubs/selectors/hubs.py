"""Reads for the hub list, the hub page and members management.

Access: ``hub_for_user`` (hubs.selectors.access) answers 404 to outsiders; inside a hub, the
people (members, follow-ups) are shown only to its captains and organizers and to staff
(``can_see_people``), members management only to its captains and staff (``managed_hub_for_user``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from contacts.models import Contact, FollowUp, HubMember, LadderStage
from contacts.selectors.access import contacts_for_user
from contacts.selectors.conversations import follow_up_hidden, hide_sensitive_follow_ups
from contacts.selectors.search import find_people
from hubs.models import Hub, HubRole, Turf, TurfPiece
from hubs.selectors.access import can_manage_hub, hubs_for_user
from hubs.selectors.turf import CONTACT_MADE

NEW_MEMBER_DAYS = 30
QUIET_DAYS = 60
FOLLOW_UP_LIMIT = 50


def _captains() -> Prefetch:
    return Prefetch(
        "roles",
        queryset=HubRole.objects.filter(role=HubRole.Role.CAPTAIN)
        .select_related("user")
        .order_by("user__name", "user__email"),
        to_attr="captain_roles",
    )


def hubs_overview(user) -> QuerySet[Hub]:
    """The hubs the user may see, with member counts and captains (two queries in all)."""
    return (
        hubs_for_user(user)
        .annotate(member_count=Count("members", distinct=True))
        .prefetch_related(_captains())
        .order_by("name")
    )


def can_see_people(user, hub: Hub) -> bool:
    """Captains and organizers of the hub, and staff, see its people; volunteers do not."""
    if user.role == Role.STAFF:
        return True
    return HubRole.objects.filter(
        user_id=user.pk,
        hub=hub,
        role__in=(HubRole.Role.CAPTAIN, HubRole.Role.ORGANIZER),
    ).exists()


# --- members by stage -----------------------------------------------------------------------


@dataclass
class Stage:
    key: str
    label: str
    members: list[HubMember] = field(default_factory=list)


def hub_members(hub: Hub) -> list[HubMember]:
    """The hub's members with their person, in name order (one query)."""
    return list(
        HubMember.objects.filter(hub=hub)
        .select_related("contact")
        .order_by("contact__last_name", "contact__first_name", "contact_id")
    )


def members_by_stage(hub: Hub, members: list[HubMember] | None = None) -> list[Stage]:
    """The hub's members grouped by ladder stage, the top of the ladder first (one query for
    the stages; ``key`` picks a colour: "1" for the top stage … "5", "none" for no stage)."""
    members = hub_members(hub) if members is None else members
    ladder = list(LadderStage.objects.order_by("-position"))
    stages = {
        stage.pk: Stage(str(min(index + 1, 5)), stage.name) for index, stage in enumerate(ladder)
    }
    unstaged = Stage("none", _("No stage yet"))
    for member in members:
        stages.get(member.contact.ladder_stage_id, unstaged).members.append(member)
    return [*stages.values(), unstaged]


# --- the hub page ---------------------------------------------------------------------------


@dataclass
class TurfProgress:
    turf: Turf
    doors: int
    attempted: int
    contacts_made: int
    pieces: int

    @property
    def percent(self) -> int:
        return round(100 * self.attempted / self.doors) if self.doors else 0


@dataclass
class HubPage:
    hub: Hub
    captains: list[HubRole]
    can_manage: bool
    can_see_people: bool
    member_count: int = 0
    stages: list[Stage] = field(default_factory=list)
    new_members: list[HubMember] = field(default_factory=list)
    quiet_members: list[HubMember] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    turfs: list[TurfProgress] = field(default_factory=list)
    events: list = field(default_factory=list)  # campaigns (a later issue) bring events


def turf_progress(hub: Hub) -> list[TurfProgress]:
    """Doors, doors attempted and doors where someone talked or signed, for every turf of the
    hub in one query (same definitions as ``hubs.selectors.turf.turf_progress``, which details
    one turf per piece)."""
    made = CONTACT_MADE
    turfs = Turf.objects.filter(hub=hub).annotate(
        door_count=Count("doors", distinct=True),
        attempted_count=Count("doors", filter=Q(doors__results__isnull=False), distinct=True),
        made_count=Count("doors", filter=Q(doors__results__result__in=made), distinct=True),
        piece_count=Coalesce(
            Subquery(
                TurfPiece.objects.filter(turf=OuterRef("pk"))
                .values("turf")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        ),
    )
    return [
        TurfProgress(t, t.door_count, t.attempted_count, t.made_count, t.piece_count) for t in turfs
    ]


def open_follow_ups(user, hub: Hub, *, limit: int = FOLLOW_UP_LIMIT) -> list[FollowUp]:
    """The hub's open follow-ups; the text of a sensitive one only for its author and staff."""
    return hide_sensitive_follow_ups(
        FollowUp.objects.filter(
            status=FollowUp.Status.OPEN,
            contact_id__in=HubMember.objects.filter(hub=hub).values("contact_id"),
        )
        .select_related("contact", "assigned_to")
        .annotate(what_hidden=follow_up_hidden(user))
        .order_by("due_on", "pk")[:limit]
    )


def hub_page(user, hub: Hub, *, now: dt.datetime | None = None) -> HubPage:
    """Everything the hub page shows, in a fixed number of queries whatever the hub's size."""
    now = now or timezone.now()
    captains = list(
        HubRole.objects.filter(hub=hub, role=HubRole.Role.CAPTAIN)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    page = HubPage(
        hub=hub,
        captains=captains,
        can_manage=can_manage_hub(user, hub),
        can_see_people=can_see_people(user, hub),
        turfs=turf_progress(hub),
    )
    if not page.can_see_people:
        return page
    members = hub_members(hub)
    new_since = timezone.localdate(now) - dt.timedelta(days=NEW_MEMBER_DAYS)
    quiet_before = now - dt.timedelta(days=QUIET_DAYS)
    page.member_count = len(members)
    page.stages = members_by_stage(hub, members)
    page.new_members = [m for m in members if m.since >= new_since]
    page.quiet_members = [
        m
        for m in members
        if m.contact.last_contacted_at is None or m.contact.last_contacted_at < quiet_before
    ]
    page.follow_ups = open_follow_ups(user, hub)
    return page


# --- members management ---------------------------------------------------------------------


def member_candidates(user, hub: Hub, query: str) -> list[Contact]:
    """People the user may see, matching ``query``, who are not members of the hub yet."""
    if not query.strip():
        return []
    members = {m.contact_id for m in HubMember.objects.filter(hub=hub).only("contact_id")}
    return [c for c in find_people(user, query) if c.pk not in members][:8]


def addable_contact_for_user(user, pk: int) -> Contact:
    """A person the user may add to a hub (404 outside the user's scope)."""
    contact = contacts_for_user(user).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def hub_roles(hub: Hub) -> list[HubRole]:
    """The hub's users and their roles (captains, organizers, volunteers), captains first."""
    order = {HubRole.Role.CAPTAIN: 0, HubRole.Role.ORGANIZER: 1}
    rows = list(HubRole.objects.filter(hub=hub).select_related("user"))
    return sorted(rows, key=lambda m: (order.get(m.role, 2), m.user.name or m.user.email))
