"""RSVPs from the public page and sign-in at the door (the kiosk).

The guarantee: one person is one RSVP per event, however many times and however fast they
submit. The person is matched by phone (E.164) or email through the contacts service
(``first_match``: the oldest of ``find_duplicates``) or created with ``contact_create``; two
submissions of the same new person racing each other are serialized by transaction-scoped
advisory locks on the normalized phone and email (sorted, so two locks never deadlock), and
``rsvp_one_per_person`` is the last word. The weak spot: a person created at the same moment by
another path (an import, a staff form) does not take these locks and can still become a
duplicate person — the duplicate finder and merge handle that, as for any two sources.

Sign-in is idempotent: marking someone attended twice keeps the first time, and a walk-in sent
twice from a phone that lost its signal is keyed on its ``client_token``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import signals
from campaigns.models import Event, Rsvp, Shift
from campaigns.selectors.events import signup_event_from_rows, signup_event_query
from contacts.models import Activity, Contact, HubMember
from contacts.services.ladder import activity_record
from contacts.services.people import (
    DuplicateContact,
    NewContact,
    PhoneInput,
    contact_create,
    first_match,
    first_match_after,
    normalize_email,
)
from organizer.lib.inserts import insert_or_update
from organizer.lib.phones import InvalidPhone, normalize_phone

# The consent wording is stored with each RSVP exactly as shown.
SMS_CONSENT_TEXT = gettext_lazy(
    "Yes, text me about this event and other actions. Message and data rates may apply. "
    "Reply STOP to stop."
)


class RsvpError(ValidationError):
    """A reason the RSVP cannot be taken (full, canceled, past): shown on the form."""


@dataclass
class RsvpInput:
    first_name: str
    last_name: str = ""
    phone: str = ""
    email: str = ""
    shift_id: int | None = None
    sms_consent: bool = False
    consent_text: str = ""


def _normalized(data: RsvpInput) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    phone = email = ""
    if data.phone.strip():
        try:
            phone = normalize_phone(data.phone)
        except InvalidPhone as exc:
            errors["phone"] = [str(exc)]
    if data.email.strip():
        try:
            email = normalize_email(data.email)
        except ValidationError as exc:
            errors["email"] = exc.messages
    if not errors and not (phone or email):
        errors["phone"] = [_("Enter a phone number or an email so we can reach you.")]
    if errors:
        raise ValidationError(errors)
    return phone, email


def _person_locks(*keys: str) -> tuple[str, list] | None:
    """The statement serializing everyone matching or creating a person with these phone/email
    keys: transaction-scoped advisory locks, taken in sorted order (PostgreSQL evaluates the
    select list left to right), so two never deadlock."""
    names = [f"p:{key}" for key in sorted(k for k in keys if k)]
    if not names:
        return None
    locks = ", ".join(["pg_advisory_xact_lock(hashtextextended(%s, 7))"] * len(names))
    return f"SELECT {locks}", names


def person_keys_lock(*keys: str) -> None:
    """Take the locks of :func:`_person_locks` as a statement of its own (callers that match
    with their own query afterwards, such as the API's signup helper)."""
    statement = _person_locks(*keys)
    if statement is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statement)


# What the forms read of a matched person (the rest loads if touched): a whole person is ~60
# columns to build on every RSVP.
MATCH_FIELDS = ["id", "first_name", "last_name", "preferred_name", "do_not_contact", "user_id"]


def person_match_or_create(
    *,
    first_name: str,
    last_name: str,
    phone: str,
    email: str,
    hub=None,
    hub_id: int | None = None,
    source: str,
    recruiter_id: int | None = None,
    sms_ok: bool = False,
    address: dict | None = None,
) -> tuple[Contact, bool]:
    """The person with this phone or email (the oldest when several), or a new one in ``hub``
    (or ``hub_id``). Call inside a transaction; ``phone``/``email`` are already normalized. An
    existing person's data is never changed from a public form (nobody can rewrite someone
    else's record).

    The public forms' fast path: one round trip for someone known — the advisory locks and the
    match (:func:`person_lock_and_match`) — and one more for someone new
    (:func:`person_create`). A recruiter's ladder credit adds one."""
    _rows, match = person_lock_and_match(phone, email)
    if match is not None:
        return match, False
    if hub is not None:
        hub_id = hub.pk
    return person_create(
        first_name=first_name, last_name=last_name, phone=phone, email=email, hub_id=hub_id,
        source=source, recruiter_id=recruiter_id, sms_ok=sms_ok, address=address,
    )  # fmt: skip


def person_lock_and_match(
    phone: str, email: str, *, read: tuple[str, list] | None = None
) -> tuple[list[tuple], Contact | None]:
    """Take the advisory locks of this phone and email and match the person, in one message
    (one round trip): two statements (``first_match_after``; the match must be a statement of
    its own, or it would read a snapshot taken before the locks were granted and miss a
    person committed by whoever held them). ``read``: a statement sent first in the same
    message — what the caller signs up for (the event, the petition); its rows come back with
    the match. Call inside a transaction."""
    statements = [read] if read is not None else []
    locks = _person_locks(phone, email)
    if locks is not None:
        statements.append(locks)
    rows, match = first_match_after(
        statements,
        phones_e164=[phone] if phone else [],
        emails=[email] if email else [],
        fields=MATCH_FIELDS,
    )
    return (rows if read is not None else []), match


def person_create(
    *,
    first_name: str,
    last_name: str,
    phone: str,
    email: str,
    hub_id: int | None,
    source: str,
    recruiter_id: int | None = None,
    sms_ok: bool = False,
    address: dict | None = None,
) -> tuple[Contact, bool]:
    """A new person whom :func:`person_lock_and_match` did not find, under its locks: with
    their phone, email, hub membership and history in one statement, a duplicate check inside
    it (``contact_create``). Returns ``(person, True)``, or the person someone else created
    meanwhile by a path that takes no locks and ``False``."""
    extra = {"sms_ok": sms_ok} | {k: v for k, v in (address or {}).items() if v}
    if recruiter_id:
        extra["recruited_by_id"] = recruiter_id
    data = NewContact(
        first_name=first_name[:100],
        last_name=last_name[:100],
        phones=[PhoneInput(raw=phone)] if phone else [],
        emails=[email] if email else [],
        hubs=[hub_id] if hub_id is not None else [],
        extra=extra,
    )
    try:
        contact = contact_create(by=None, data=data, source=source[:120])
    except DuplicateContact:
        # Created a moment ago by a path that takes no locks (an import, a staff form): the
        # check inside the INSERT saw them. Theirs, not a second person.
        match = first_match(
            phones_e164=[phone] if phone else [], emails=[email] if email else [],
            fields=MATCH_FIELDS,
        )  # fmt: skip
        return match, False
    return contact, True


def _check_open(event: Event, now: dt.datetime) -> None:
    if event.is_canceled:
        raise RsvpError(_("This event was canceled."))
    if event.ends_at < now:
        raise RsvpError(_("This event is over."))


def _check_capacity(event: Event, shift: Shift | None, contact: Contact) -> None:
    """Capacity is checked with the event row locked, so two RSVPs never take the last place."""
    if event.capacity is None and (shift is None or shift.capacity is None):
        return
    Event.objects.select_for_update().filter(pk=event.pk).first()
    going = Rsvp.objects.filter(event=event, status=Rsvp.Status.GOING).exclude(contact=contact)
    if event.capacity is not None and going.count() >= event.capacity:
        raise RsvpError(_("Sorry, this event is full."))
    shift_capacity = shift.capacity if shift is not None else None
    if shift_capacity is not None and going.filter(shift=shift).count() >= shift_capacity:
        raise RsvpError(_("Sorry, this shift is full. Pick another one."))


def _shift(event: Event, shift_id: int | None) -> Shift | None:
    """The picked shift: one of the event's, required when it has shifts. An event without
    shifts takes none, and a shift posted anyway (a page from before they were removed) is
    ignored, as the public form always did."""
    shifts = getattr(event, "shift_list", None)  # read with the event (``signup_event_query``)
    if shifts is None:
        shifts = list(event.shifts.all())
    if not shifts:
        return None
    if shift_id is None:
        raise ValidationError({"shift": [_("Pick a shift.")]})
    shift = next((s for s in shifts if s.pk == shift_id), None)
    if shift is None:
        raise ValidationError({"shift": [_("Pick one of this event's shifts.")]})
    return shift


def rsvp_submit(
    *,
    event: Event | None = None,
    event_id: int | None = None,
    data: RsvpInput,
    recruiter_id: int | None = None,
    source: str = Rsvp.Source.PUBLIC,
    now: dt.datetime | None = None,
) -> tuple[Rsvp, bool]:
    """Take an RSVP: match or create the person, record consent, plan the confirmation.
    Returns (rsvp, created). The same person twice is one RSVP (their shift and consent are
    updated; nothing else). The event is ``event``, or the public event ``event_id`` (404 when
    there is none), read in the same message as the person's locks and match.

    Round trips, in one transaction: the person's (with ``event_id``, the event, the locks and
    the match in one message; 1 for someone known, 2 for someone new) and the RSVP with, when
    it is new, its confirmation rows (one ``INSERT … ON CONFLICT DO UPDATE`` for a first RSVP
    and a second alike; the task is queued after commit). A capacity adds its check."""
    from campaigns.services.messages import confirmation_planned, confirmation_sql

    now = now or timezone.now()
    phone, email = _normalized(data)
    if event is not None:
        _check_open(event, now)
    consent_text = (data.consent_text or str(SMS_CONSENT_TEXT))[:400] if data.sms_consent else ""
    with transaction.atomic():
        if event is None:
            rows, contact = person_lock_and_match(phone, email, read=signup_event_query(event_id))
            event = signup_event_from_rows(rows)
            _check_open(event, now)
        else:
            _rows, contact = person_lock_and_match(phone, email)
        shift = _shift(event, data.shift_id)
        if contact is None:
            contact, _created = person_create(
                first_name=data.first_name.strip(),
                last_name=data.last_name.strip(),
                phone=phone,
                email=email,
                hub_id=event.hub_id,
                source=f"RSVP: {event.title}",
                recruiter_id=recruiter_id,
                sms_ok=data.sms_consent and bool(phone),
            )
        if recruiter_id == contact.pk:
            recruiter_id = None  # nobody recruits themselves
        _check_capacity(event, shift, contact)
        fields = {"shift": shift, "status": Rsvp.Status.GOING}
        if data.sms_consent and phone:
            fields |= {"sms_consent": True, "consent_text": consent_text, "consent_at": now}
        rsvp, created, message_ids = insert_or_update(
            Rsvp(
                event=event,
                contact=contact,
                source=source,
                recruited_by_id=recruiter_id,
                created_at=now,
                **fields,
            ),
            conflict=["event", "contact"],
            update=list(fields),
            then=confirmation_sql(  # written with a new RSVP, in the same statement
                contact=contact,
                sms_consent=bool(fields.get("sms_consent")),
                email=email,
                phone=phone if data.sms_consent else "",
            ),
        )
        rsvp.event, rsvp.contact = event, contact
        confirmation_planned(message_ids)
        if created:
            signals.rsvp_created.send(sender=Rsvp, rsvp_id=rsvp.pk)
    return rsvp, created


def rsvp_record(
    *, event: Event, contact: Contact, at: dt.datetime | None = None
) -> tuple[Rsvp, bool]:
    """An RSVP brought in from another tool (a sync from Action Network): once per person and
    event, no capacity check and no messages (they signed up there, maybe long ago)."""
    with transaction.atomic():
        rsvp, created = Rsvp.objects.get_or_create(
            event=event,
            contact=contact,
            defaults={
                "source": Rsvp.Source.SYNC,
                "status": Rsvp.Status.GOING,
                "created_at": at or timezone.now(),
            },
        )
        if created:
            _join_hub(contact.pk, event)
            signals.rsvp_created.send(sender=Rsvp, rsvp_id=rsvp.pk)
    return rsvp, created


# --- sign-in at the door ------------------------------------------------------------------------


def _first_time(contact_id: int, event: Event) -> bool:
    return (
        not Rsvp.objects.filter(contact_id=contact_id, attended_at__isnull=False)
        .exclude(event=event)
        .exists()
    )


def _ladder_for_attendance(rsvp: Rsvp, event: Event) -> None:
    """Showing up counts on the ladder: attended, a shift worked, and the event led."""
    activity_record(
        contact_id=rsvp.contact_id,
        kind=Activity.Kind.EVENT_ATTENDED,
        source="rsvp",
        source_id=rsvp.pk,
        occurred_at=event.starts_at,
    )
    if rsvp.shift_id:
        activity_record(
            contact_id=rsvp.contact_id,
            kind=Activity.Kind.SHIFT,
            source="rsvp",
            source_id=rsvp.pk,
            occurred_at=event.starts_at,
        )
    leader_id = event.led_by_id or (
        Contact.objects.filter(user_id=event.organizer_id).values_list("pk", flat=True).first()
        if event.organizer_id
        else None
    )
    if leader_id:
        activity_record(
            contact_id=leader_id,
            kind=Activity.Kind.EVENT_LED,
            source="event",
            source_id=event.pk,
            occurred_at=event.starts_at,
        )


def _join_hub(contact_id: int, event: Event) -> None:
    """Someone who came to a hub's event belongs to the hub (so its organizers see them)."""
    HubMember.objects.get_or_create(contact_id=contact_id, hub_id=event.hub_id)


def checkin_mark(*, by, event: Event, rsvp_id: int, now: dt.datetime | None = None) -> Rsvp:
    """Mark an RSVP attended (once: the first time stays)."""
    now = now or timezone.now()
    with transaction.atomic():
        rsvp = Rsvp.objects.select_for_update().filter(event=event, pk=rsvp_id).first()
        if rsvp is None:
            raise ValidationError(_("This person has no RSVP for this event."))
        if rsvp.attended_at is None:
            rsvp.attended_at = now
            rsvp.checked_in_by = by
            rsvp.status = Rsvp.Status.GOING
            rsvp.first_time = _first_time(rsvp.contact_id, event)
            rsvp.save(update_fields=["attended_at", "checked_in_by", "status", "first_time"])
            _join_hub(rsvp.contact_id, event)
            _ladder_for_attendance(rsvp, event)
            signals.attendance_recorded.send(sender=Rsvp, rsvp_id=rsvp.pk)
    return rsvp


def checkin_undo(*, by, event: Event, rsvp_id: int) -> Rsvp:
    from contacts.services.ladder import activity_remove

    with transaction.atomic():
        rsvp = Rsvp.objects.select_for_update().filter(event=event, pk=rsvp_id).first()
        if rsvp is None:
            raise ValidationError(_("This person has no RSVP for this event."))
        if rsvp.attended_at is not None:
            rsvp.attended_at = None
            rsvp.first_time = False
            rsvp.save(update_fields=["attended_at", "first_time"])
            for kind in (Activity.Kind.EVENT_ATTENDED, Activity.Kind.SHIFT):
                activity_remove(kind=kind, source="rsvp", source_id=rsvp.pk)
    return rsvp


def walk_in_add(
    *,
    by,
    event: Event,
    first_name: str,
    last_name: str = "",
    phone: str = "",
    email: str = "",
    client_token: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> Rsvp:
    """Someone came without an RSVP: match or create them, and sign them in. Sent twice with
    the same ``client_token`` (a phone that lost its signal), it records once."""
    now = now or timezone.now()
    if client_token:
        existing = Rsvp.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing
    if not (first_name.strip() or last_name.strip()):
        raise ValidationError({"first_name": [_("Enter their name.")]})
    phone_e164, email_n = _normalized(
        RsvpInput(first_name=first_name, last_name=last_name, phone=phone, email=email)
    )
    try:
        with transaction.atomic():
            contact, _new = person_match_or_create(
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                phone=phone_e164,
                email=email_n,
                hub=event.hub,
                source=f"Walk-in: {event.title}",
            )
            rsvp = Rsvp.objects.filter(event=event, contact=contact).first()
            if rsvp is None:
                rsvp = Rsvp.objects.create(
                    event=event,
                    contact=contact,
                    source=Rsvp.Source.KIOSK,
                    walk_in=True,
                    client_token=client_token,
                    created_at=now,
                )
                signals.rsvp_created.send(sender=Rsvp, rsvp_id=rsvp.pk)
            elif rsvp.client_token is None and client_token:
                rsvp.client_token = client_token
                rsvp.save(update_fields=["client_token"])
            return checkin_mark(by=by, event=event, rsvp_id=rsvp.pk, now=now)
    except IntegrityError:
        existing = Rsvp.objects.filter(client_token=client_token).first() if client_token else None
        if existing is None:
            raise
        return existing
