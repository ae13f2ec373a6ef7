"""Events: create, edit (a change of time or place tells everyone going), cancel, shifts; after
the event, follow-ups for first-timers; at a canvass launch, a walk-list piece in one tap."""

from __future__ import annotations

import datetime as dt
from itertools import cycle

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Event, EventMessage, RecruiterCode, Rsvp, Shift
from campaigns.services.messages import plan_notice
from contacts.models import Contact, FollowUp
from contacts.services.conversations import follow_up_create
from contacts.services.people import NewContact, contact_create
from hubs.models import HubRole, TurfPiece
from hubs.services.turf import TurfError, piece_assign

# Fields whose change is a "move": attendees are told (once per revision).
MOVE_FIELDS = ("starts_at", "ends_at", "place", "online_url")
FOLLOW_UP_AFTER_DAYS = 2


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at < starts_at:
        raise ValidationError({"ends_at": [_("The end must be after the start.")]})


def event_create(*, by, **fields) -> Event:
    _check_times(fields["starts_at"], fields["ends_at"])
    with transaction.atomic():
        event = Event(created_by=by, **fields)
        event.full_clean()
        event.save()
    return event


def event_update(*, by, event: Event, **fields) -> Event:
    """Save changes; a new time or place bumps the revision and tells everyone going."""
    _check_times(fields.get("starts_at", event.starts_at), fields.get("ends_at", event.ends_at))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        moved = any(name in fields and fields[name] != getattr(event, name) for name in MOVE_FIELDS)
        for name, value in fields.items():
            setattr(event, name, value)
        if moved:
            event.revision += 1
        event.full_clean()
        event.save()
        if moved and not event.is_canceled:
            plan_notice(event=event, kind=EventMessage.Kind.MOVED)
    return event


def event_cancel(*, by, event: Event) -> Event:
    """Cancel the event and tell everyone going, once (a second cancel does nothing)."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.is_canceled:
            return event
        event.status = Event.Status.CANCELED
        event.save(update_fields=["status", "updated_at"])
        plan_notice(event=event, kind=EventMessage.Kind.CANCELED)
    return event


def shift_add(
    *,
    by,
    event: Event,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    label: str = "",
    capacity: int | None = None,
) -> Shift:
    _check_times(starts_at, ends_at)
    shift = Shift(event=event, starts_at=starts_at, ends_at=ends_at, label=label, capacity=capacity)
    shift.full_clean()
    shift.save()
    return shift


def shift_remove(*, by, event: Event, shift_id: int) -> None:
    Shift.objects.filter(event=event, pk=shift_id).delete()


# --- after the event ----------------------------------------------------------------------------


def _hub_organizers(event: Event) -> list:
    """The hub's organizers (its captains when it has none), in a stable order: round-robin."""
    memberships = list(
        HubRole.objects.filter(
            hub_id=event.hub_id,
            role__in=(HubRole.Role.CAPTAIN, HubRole.Role.ORGANIZER),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    )
    organizers = [m.user for m in memberships if m.role == HubRole.Role.ORGANIZER]
    return organizers or [m.user for m in memberships]


def first_timer_follow_ups(*, by, event: Event, today: dt.date | None = None) -> list[FollowUp]:
    """One follow-up for every first-time attendee who has none from this event yet, spread
    across the hub's organizers (round-robin). Running it again adds only the new ones."""
    today = today or timezone.localdate()
    organizers = _hub_organizers(event)
    if not organizers:
        raise ValidationError(_("%(hub)s has no organizers to follow up.") % {"hub": event.hub})
    created = []
    with transaction.atomic():
        rsvps = list(
            Rsvp.objects.select_for_update(of=("self",))
            .filter(event=event, first_time=True, attended_at__isnull=False, follow_up__isnull=True)
            .select_related("contact")
            .order_by("pk")
        )
        for rsvp, organizer in zip(rsvps, cycle(organizers), strict=False):
            follow_up = follow_up_create(
                by=by,
                contact=rsvp.contact,
                assigned_to=organizer,
                due_on=today + dt.timedelta(days=FOLLOW_UP_AFTER_DAYS),
                what=_("First time at %(event)s: call and ask how it was") % {"event": event.title},
            )
            rsvp.follow_up = follow_up
            rsvp.save(update_fields=["follow_up"])
            created.append(follow_up)
    return created


# --- canvass launch -----------------------------------------------------------------------------


def canvass_hand_out(*, by, event: Event, rsvp: Rsvp, piece: TurfPiece) -> TurfPiece:
    """Give a checked-in volunteer a piece of the campaign's turf. They need an account in
    the hub: the piece appears on their phone's My day."""
    user = rsvp.contact.user
    if user is None:
        raise ValidationError(
            _("%(name)s has no account yet: invite them first.") % {"name": rsvp.contact}
        )
    try:
        return piece_assign(piece=piece, assignee=user, due_on=event.starts_at.date(), by=by)
    except TurfError as exc:
        raise ValidationError(str(exc)) from exc


# --- recruiter links ----------------------------------------------------------------------------


def recruiter_code_for(*, contact: Contact) -> RecruiterCode:
    """The person's personal code (made on first use)."""
    existing = RecruiterCode.objects.filter(contact=contact).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        code, _created = RecruiterCode.objects.get_or_create(
            contact=contact, defaults={"code": RecruiterCode.new_code()}
        )
    return code


def recruiter_code_for_user(*, user) -> RecruiterCode:
    """A user's code; a user with no person record gets one (the recruitment tree is of
    people)."""
    contact = Contact.objects.filter(user=user).first()
    if contact is None:
        first, _sep, last = (user.name or user.email.split("@")[0]).partition(" ")
        contact = contact_create(
            by=user,
            data=NewContact(first_name=first, last_name=last, extra={"user": user}),
            owner=user,
            allow_duplicate=True,
            source="User account",
        )
    return recruiter_code_for(contact=contact)


def recruiter_for_code(code: str) -> int | None:
    """The person behind a code from a link (``?r=``), or None for anything else."""
    code = (code or "").strip()[:16]
    if not code:
        return None
    return RecruiterCode.objects.filter(code=code).values_list("contact_id", flat=True).first()
