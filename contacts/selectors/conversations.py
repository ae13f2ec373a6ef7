"""Reads for conversations, follow-ups, My day and a person's timeline — always scoped.

Every follow-up a user acts on is loaded through ``follow_up_for_user`` (404 to outsiders), and
every list starts from ``contacts_for_user``. Reads use a fixed number of queries whatever the
number of rows shown (prefetches, never a query per row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Role
from contacts.models import (
    Assessment,
    Contact,
    ContactEvent,
    FollowUp,
    HubMember,
    Interaction,
    LadderMove,
    Phone,
)
from contacts.selectors.access import contacts_for_user
from contacts.selectors.search import find_people
from hubs.models import DoorResult, HubRole

UPCOMING_DAYS = 14
STALE_AFTER_DAYS = 30
STALE_SHOWN = 20  # My day lists this many; "see all" leads to the filtered people list
TIMELINE_LIMIT = 200


def _primary_phone(lookup: str = "phones") -> Prefetch:
    """Prefetch a person's primary phone as ``primary_phones`` (a list of zero or one)."""
    return Prefetch(
        lookup, queryset=Phone.objects.filter(is_primary=True), to_attr="primary_phones"
    )


def can_read_sensitive(user, interaction: Interaction) -> bool:
    """A sensitive note is for its author and staff only."""
    if not interaction.is_sensitive:
        return True
    return user.role == Role.STAFF or interaction.author_id == user.pk


# --- sensitive follow-ups -------------------------------------------------------------------
# A follow-up set while logging a sensitive conversation is as sensitive as its notes, its ask
# and its commitment: its text is for the conversation's author and staff only. Everyone else
# who may see the person (the owner of the follow-up too, after a reassignment) sees that there
# is a follow-up and when, not what it says.

SENSITIVE_FOLLOW_UP = gettext_lazy("Follow-up from a sensitive conversation")


def follow_up_hidden(user):
    """An expression for a follow-up query: true when ``user`` may not read its text."""
    if user.role == Role.STAFF and user.is_active:
        return Value(False)
    return Case(
        When(Q(interaction__is_sensitive=True, interaction__author_id=user.pk), then=Value(False)),
        When(interaction__is_sensitive=True, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def hide_sensitive_follow_ups(follow_ups):
    """Replace, in memory only, the text of the follow-ups annotated ``what_hidden`` (by
    :func:`follow_up_hidden`). The rows are for display: never save them."""
    for follow_up in follow_ups:
        if getattr(follow_up, "what_hidden", False):
            follow_up.what = str(SENSITIVE_FOLLOW_UP)
    return follow_ups


def follow_up_text(user, follow_up: FollowUp) -> str:
    """What ``user`` may read of one follow-up's text (for messages and single pages)."""
    if follow_up.interaction_id is None:
        return follow_up.what
    interaction = Interaction.objects.only("is_sensitive", "author_id").get(
        pk=follow_up.interaction_id
    )
    return follow_up.what if can_read_sensitive(user, interaction) else str(SENSITIVE_FOLLOW_UP)


# --- picking a person ---------------------------------------------------------------------------


def people_matching(user, query: str, *, limit: int = 8) -> list[Contact]:
    """The person-finder under its older name (kept for branches in flight): use
    ``contacts.selectors.search.find_people``."""
    return find_people(user, query, limit=limit)


# --- follow-ups ---------------------------------------------------------------------------------


def follow_ups_for_user(user) -> QuerySet[FollowUp]:
    """Follow-ups about the people the user may see."""
    return FollowUp.objects.filter(contact_id__in=contacts_for_user(user).values("pk"))


def follow_up_for_user(user, pk: int, *, for_update: bool = False) -> FollowUp:
    """The follow-up, or 404 when it does not exist or its person is out of the user's scope."""
    qs = follow_ups_for_user(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return get_object_or_404(qs.select_related("contact", "assigned_to"), pk=pk)


def assignable_users(contact: Contact) -> QuerySet:
    """Users who may see ``contact`` (and so may own a follow-up about them): staff, the
    person's organizer, and captains/organizers of the person's hubs."""
    hubs = HubMember.objects.filter(contact_id=contact.pk).values("hub_id")
    in_hubs = HubRole.objects.filter(hub_id__in=hubs).values("user_id")
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(
        Q(role=Role.STAFF)
        | Q(pk=contact.owner_id, role__in=[Role.CAPTAIN, Role.ORGANIZER, Role.VOLUNTEER])
        | Q(role__in=[Role.CAPTAIN, Role.ORGANIZER], pk__in=in_hubs)
    ).order_by("name", "email")


@dataclass
class MyDay:
    today: dt.date
    due: list[FollowUp] = field(default_factory=list)
    upcoming: list[FollowUp] = field(default_factory=list)
    recent: list[Interaction] = field(default_factory=list)
    stale: list[Contact] = field(default_factory=list)
    team: list[FollowUp] | None = None
    stale_more: bool = False  # more than ``stale`` are not contacted in 30+ days

    @property
    def due_count(self) -> int:
        return len(self.due)


def sees_team_follow_ups(user) -> bool:
    return user.role in (Role.STAFF, Role.CAPTAIN)


# What a follow-up row shows (``only()``: a person row has many columns My day never shows).
_ROW_FIELDS = ("id", "contact_id", "assigned_to_id", "due_on", "what", "status")
_ROW_CONTACT_FIELDS = (
    "contact__first_name",
    "contact__preferred_name",
    "contact__last_name",
    "contact__do_not_call",  # the Call button is left off for them
)


def my_follow_ups(user, *, today: dt.date) -> tuple[list[FollowUp], list[FollowUp]]:
    """(due today or overdue, upcoming in the next two weeks) — open, assigned to the user."""
    rows = list(
        follow_ups_for_user(user)
        .filter(
            assigned_to_id=user.pk,
            status=FollowUp.Status.OPEN,
            due_on__lte=today + dt.timedelta(days=UPCOMING_DAYS),
        )
        .select_related("contact")
        .only(*_ROW_FIELDS, *_ROW_CONTACT_FIELDS)
        .annotate(what_hidden=follow_up_hidden(user))
        .prefetch_related(_primary_phone("contact__phones"))
        .order_by("due_on", "pk")[:300]
    )
    hide_sensitive_follow_ups(rows)
    return [f for f in rows if f.due_on <= today], [f for f in rows if f.due_on > today]


def team_follow_ups(user, *, today: dt.date, assignee_id: int | None = None) -> list[FollowUp]:
    """Open follow-ups about the people in a captain's or staff member's scope, owned by
    others (or by ``assignee_id``), overdue or due in the next two weeks."""
    qs = follow_ups_for_user(user).filter(
        status=FollowUp.Status.OPEN, due_on__lte=today + dt.timedelta(days=UPCOMING_DAYS)
    )
    qs = qs.filter(assigned_to_id=assignee_id) if assignee_id else qs.exclude(assigned_to=user)
    rows = list(
        qs.select_related("contact", "assigned_to")
        .only(*_ROW_FIELDS, *_ROW_CONTACT_FIELDS, "assigned_to__name", "assigned_to__email")
        .annotate(what_hidden=follow_up_hidden(user))
        .prefetch_related(_primary_phone("contact__phones"))
        .order_by("due_on", "pk")[:100]
    )
    return hide_sensitive_follow_ups(rows)


def my_day(user) -> MyDay:
    today = timezone.localdate()
    due, upcoming = my_follow_ups(user, today=today)
    scope = contacts_for_user(user)
    recent = list(
        Interaction.objects.filter(author_id=user.pk, contact_id__in=scope.values("pk"))
        .select_related("contact")
        .order_by("-happened_at", "-pk")[:10]
    )
    cutoff = timezone.now() - dt.timedelta(days=STALE_AFTER_DAYS)
    stale = list(
        scope.filter(owner_id=user.pk)
        .filter(Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=cutoff))
        .prefetch_related(_primary_phone())
        .order_by(F("last_contacted_at").asc(nulls_first=True), "last_name", "pk")[
            : STALE_SHOWN + 1
        ]
    )
    team = team_follow_ups(user, today=today) if sees_team_follow_ups(user) else None
    return MyDay(
        today=today, due=due, upcoming=upcoming, recent=recent, stale=stale[:STALE_SHOWN],
        team=team, stale_more=len(stale) > STALE_SHOWN,
    )  # fmt: skip


# --- a person's timeline ------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    kind: str  # interaction / assessment / follow_up / event / ladder_move / door_result
    at: dt.datetime
    who: object | None
    item: object
    hidden: bool = False


def person_timeline(user, contact) -> list[TimelineEntry]:
    """Everything that happened with ``contact`` that ``user`` may see, newest first.

    Seven queries whatever the length. Sensitive interactions come back ``hidden`` (their content
    must not be shown) unless the user is their author or staff.
    """
    interactions = (
        Interaction.objects.filter(contact_id=contact.pk)
        .select_related("author")
        .prefetch_related("issues")
        .order_by("-happened_at", "-pk")[:TIMELINE_LIMIT]
    )
    assessments = (
        Assessment.objects.filter(contact_id=contact.pk)
        .select_related("assessed_by")
        .order_by("-assessed_at", "-pk")[:TIMELINE_LIMIT]
    )
    follow_ups = hide_sensitive_follow_ups(
        FollowUp.objects.filter(contact_id=contact.pk)
        .select_related("created_by", "assigned_to", "completed_by")
        .annotate(what_hidden=follow_up_hidden(user))
        .order_by("-created_at", "-pk")[:TIMELINE_LIMIT]
    )
    events = (
        ContactEvent.objects.filter(contact_id=contact.pk)
        .select_related("actor")
        .order_by("-at", "-pk")[:TIMELINE_LIMIT]
    )
    entries = [
        TimelineEntry(
            "interaction", i.happened_at, i.author, i, hidden=not can_read_sensitive(user, i)
        )
        for i in interactions
    ]
    entries += [TimelineEntry("assessment", a.assessed_at, a.assessed_by, a) for a in assessments]
    entries += [TimelineEntry("follow_up", f.created_at, f.created_by, f) for f in follow_ups]
    entries += [TimelineEntry("event", e.at, e.actor, e) for e in events]
    moves = (
        LadderMove.objects.filter(contact_id=contact.pk)
        .select_related("by", "from_stage", "to_stage")
        .order_by("-at", "-pk")[:TIMELINE_LIMIT]
    )
    entries += [TimelineEntry("ladder_move", m.at, m.by, m) for m in moves]
    # Doors knocked where they live (results tapped on a walk list), whoever answered.
    doors = (
        DoorResult.objects.filter(unit__residences__contact_id=contact.pk)
        .select_related("by", "unit__building")
        .order_by("-at", "-pk")[:TIMELINE_LIMIT]
    )
    entries += [TimelineEntry("door_result", d.at, d.by, d) for d in doors]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:TIMELINE_LIMIT]


def saved_client_tokens(user, *, limit: int = 20) -> list[str]:
    """The client tokens of the user's latest logs: the draft script clears a draft whose token
    is already saved."""
    tokens = (
        Interaction.objects.filter(author_id=user.pk, client_token__isnull=False)
        .order_by("-created_at")
        .values_list("client_token", flat=True)[:limit]
    )
    return [str(token) for token in tokens]
