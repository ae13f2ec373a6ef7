"""Reads for events: lists and pages for organizers (scoped through ``access``), the public
pages (public, scheduled events only), the kiosk's list, turnout and recruiters."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from campaigns.models import Event, Rsvp, Shift
from campaigns.selectors.access import events_for_user
from contacts.models import Contact, Phone
from hubs.models import Hub
from organizer.lib.inserts import model_fields

KIOSK_LIMIT = 2000  # RSVPs the kiosk loads (and so can search offline)
LIST_LIMIT = 200


def upcoming_events_for_user(user, *, now: dt.datetime | None = None) -> list[Event]:
    now = now or timezone.now()
    return list(
        events_for_user(user)
        .filter(ends_at__gte=now - dt.timedelta(days=1))
        .select_related("hub", "campaign")
        .annotate(going=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)))
        .order_by("starts_at", "pk")[:LIST_LIMIT]
    )


def past_events_for_user(user, *, now: dt.datetime | None = None) -> list[Event]:
    now = now or timezone.now()
    return list(
        events_for_user(user)
        .filter(ends_at__lt=now - dt.timedelta(days=1))
        .select_related("hub")
        .annotate(came=Count("rsvps", filter=Q(rsvps__attended_at__isnull=False)))
        .order_by("-starts_at", "-pk")[:50]
    )


def public_event(pk: int) -> Event:
    """A public event for anyone (canceled ones too, so a link says it was canceled), with
    ``full`` set on it and on each of its shifts. Two queries (the event with its hub, its
    shifts) plus one when a capacity is set, whatever the number of RSVPs: places are counted
    only up to the capacity, never the whole list."""
    qs = Event.objects.filter(is_public=True).select_related("hub", "campaign")
    event = get_object_or_404(qs.prefetch_related("shifts"), pk=pk)
    going = Rsvp.objects.filter(event=event, status=Rsvp.Status.GOING)
    event.full = event.capacity is not None and (going[: event.capacity].count() >= event.capacity)
    capped = {s.pk: s.capacity for s in event.shifts.all() if s.capacity is not None}
    taken = {}
    if capped:
        rows = going.filter(shift_id__in=capped).values("shift_id").annotate(n=Count("pk"))
        taken = {r["shift_id"]: r["n"] for r in rows}
    for shift in event.shifts.all():
        shift.full = shift.pk in capped and taken.get(shift.pk, 0) >= capped[shift.pk]
    return event


# What taking an RSVP reads of the event (``rsvp_submit``); any other field loads if touched.
SIGNUP_FIELDS = ("id", "title", "hub", "starts_at", "ends_at", "status", "capacity")
_SIGNUP_SQL = """
SELECT {columns},
       (SELECT coalesce(json_agg(json_build_object(
                   'id', s.id, 'label', s.label, 'starts_at', s.starts_at,
                   'ends_at', s.ends_at, 'capacity', s.capacity) ORDER BY s.starts_at, s.id), '[]')
        FROM campaigns_shift s WHERE s.event_id = e.id)
FROM campaigns_event e WHERE e.id = %s AND e.is_public
"""


@functools.cache
def _signup_sql() -> tuple[str, tuple[str, ...]]:
    fields = model_fields(Event, SIGNUP_FIELDS)
    columns = ", ".join(f"e.{f.column}" for f in fields)
    return _SIGNUP_SQL.format(columns=columns), tuple(f.attname for f in fields)


def signup_event_query(pk: int) -> tuple[str, list]:
    """The statement reading a public event as a POSTed RSVP needs it: a few fields and its
    shifts, where the page reads two and far more columns (its hub and campaign). Plain SQL:
    building this query through the ORM cost more than running it. ``rsvp_submit`` sends it
    in the same message as the person's locks and match; :func:`signup_event_from_rows` makes
    the event of its rows. A form with errors is shown from :func:`public_event`."""
    return _signup_sql()[0], [pk]


def signup_event_from_rows(rows: list[tuple]) -> Event:
    """The event of :func:`signup_event_query`'s rows, its shifts in ``shift_list`` (404 when
    there is none)."""
    if not rows:
        raise Http404
    row = rows[0]
    event = Event.from_db(connection.alias, _signup_sql()[1], row[:-1])
    shifts = json.loads(row[-1]) if isinstance(row[-1], str) else row[-1]
    event.shift_list = [
        Shift(
            id=shift["id"],
            event_id=event.pk,
            label=shift["label"],
            starts_at=dt.datetime.fromisoformat(shift["starts_at"]),
            ends_at=dt.datetime.fromisoformat(shift["ends_at"]),
            capacity=shift["capacity"],
        )
        for shift in shifts
    ]
    return event


def is_full(event: Event) -> bool:
    return bool(getattr(event, "full", False))


def public_hub(slug: str) -> tuple[Hub, list[Event]]:
    """A hub and its upcoming public events, for the page on its flyers (any hub: the name and
    meeting place are public; its people are not shown)."""
    hub = get_object_or_404(
        Hub.objects.only("pk", "name", "slug", "description", "meeting_time", "meeting_place"),
        slug=slug,
    )
    events = list(
        Event.objects.filter(
            hub=hub,
            is_public=True,
            status=Event.Status.SCHEDULED,
            ends_at__gte=timezone.now(),
        ).order_by("starts_at", "pk")[:50]
    )
    return hub, events


def event_rsvps(event: Event, *, limit: int = KIOSK_LIMIT) -> list[Rsvp]:
    """Everyone on the list, with their primary phone: the kiosk and the event page."""
    phones = Prefetch("contact__phones", queryset=Phone.objects.filter(is_primary=True))
    return list(
        Rsvp.objects.filter(event=event)
        .exclude(status=Rsvp.Status.CANCELED, attended_at__isnull=True)
        .select_related("contact", "shift", "recruited_by")
        .prefetch_related(phones)
        .order_by("contact__last_name", "contact__first_name", "pk")[:limit]
    )


def rsvp_matches(rsvps: list[Rsvp], query: str) -> list[Rsvp]:
    """The kiosk's search without JavaScript: name or phone digits."""
    from organizer.lib.text import fold

    query = query.strip()[:60]
    if not query:
        return rsvps
    digits = "".join(ch for ch in query if "0" <= ch <= "9")
    words = fold(query).split()

    def hit(r: Rsvp) -> bool:
        phones = [p.e164 for p in r.contact.phones.all()]
        if digits and len(digits) >= 3 and any(digits in p for p in phones):
            return True
        name = fold(r.contact.display_name + " " + r.contact.first_name)
        return bool(words) and all(w in name for w in words)

    return [r for r in rsvps if hit(r)]


@dataclass(frozen=True)
class Recruiter:
    contact: Contact
    count: int


def event_recruiters(event: Event, *, limit: int = 10) -> list[Recruiter]:
    return _recruiters(Rsvp.objects.filter(event=event), limit)


def _recruiters(rsvps: QuerySet, limit: int) -> list[Recruiter]:
    rows = list(
        rsvps.filter(recruited_by__isnull=False, status=Rsvp.Status.GOING)
        .values("recruited_by")
        .annotate(n=Count("pk"))
        .order_by("-n", "recruited_by")[:limit]
    )
    people = Contact.objects.in_bulk([r["recruited_by"] for r in rows])
    return [
        Recruiter(people[r["recruited_by"]], r["n"]) for r in rows if r["recruited_by"] in people
    ]


def campaign_recruiters(campaign, *, limit: int = 10) -> list[Recruiter]:
    return _recruiters(Rsvp.objects.filter(event__campaign=campaign), limit)


@dataclass(frozen=True)
class Turnout:
    rsvps: int
    attended: int
    no_shows: int
    walk_ins: int
    first_timers: int


def event_turnout(event: Event) -> Turnout:
    row = Rsvp.objects.filter(event=event).aggregate(
        rsvps=Count("pk", filter=Q(status=Rsvp.Status.GOING, walk_in=False)),
        attended=Count("pk", filter=Q(attended_at__isnull=False)),
        no_shows=Count(
            "pk", filter=Q(status=Rsvp.Status.GOING, walk_in=False, attended_at__isnull=True)
        ),
        walk_ins=Count("pk", filter=Q(walk_in=True, attended_at__isnull=False)),
        first_timers=Count("pk", filter=Q(first_time=True, attended_at__isnull=False)),
    )
    return Turnout(**row)


def rsvp_of_event(event: Event, pk: int) -> Rsvp:
    rsvp = Rsvp.objects.filter(event=event, pk=pk).select_related("contact__user").first()
    if rsvp is None:
        raise Http404
    return rsvp
