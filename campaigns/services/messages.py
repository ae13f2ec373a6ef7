"""Event messages: the confirmation on RSVP, a reminder the day before and two hours before,
and a notice when an event is canceled or moved — by email, and by text to those who consented.

Exactly once per person, event, kind, channel and revision of the event, made so by the
database:

1. **Plan**: a message is an ``EventMessage`` row. The confirmation is written in the RSVP's
   transaction; notices in the cancel/move transaction; reminders by one set-based
   ``INSERT … SELECT … ON CONFLICT DO NOTHING`` run every five minutes (``messages_tick``). The
   unique constraint ``event_message_once`` makes a second plan, a second beat or a concurrent
   tick a no-op. A "moved" notice carries the event's revision: each move tells everyone once.
2. **Send**: a conditional UPDATE claims rows (pending, or failed and due for a retry, or stuck
   "sending" past ``SENDING_TIMEOUT`` → sending, attempts + 1); two workers or a retried task
   never both get the same row. Then, per row, one transaction marks it sent and commits only
   after the provider accepted; a provider error rolls that back and records the failure with a
   retry time (backoff with jitter, up to ``MAX_ATTEMPTS``).

The weak spot, as for follow-up reminders: a worker dying between the provider accepting and
that commit leaves the row "sending"; a later run sends it again after ``SENDING_TIMEOUT``.

Reminders are planned only for RSVPs made before the reminder's moment (someone who RSVPs an
hour before gets the confirmation, not a "tomorrow" reminder), only for scheduled events, and
never to people marked "do not contact". Texts go only to people who consented on the RSVP.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from campaigns.models import Event, EventMessage
from contacts.services.reminders import Providers, backoff

logger = logging.getLogger(__name__)

Kind = EventMessage.Kind
Channel = EventMessage.Channel
Status = EventMessage.Status

MAX_ATTEMPTS = 5
SENDING_TIMEOUT = dt.timedelta(minutes=15)
DAY_BEFORE = dt.timedelta(hours=24)
TWO_HOURS = dt.timedelta(hours=2)
SEND_BATCH = 200
SEND_BATCHES = 10  # per confirmations task (a task's time limit is two minutes)


def _enqueue(ids: list[int]) -> None:
    if not ids:
        return

    from campaigns.tasks import send_event_messages_task
    from organizer.lib.tasks import enqueue_on_commit

    # Redis down or hung: the rows stay pending and the tick sends them within five minutes.
    enqueue_on_commit(send_event_messages_task, ids)


def _confirmation_rows(*, contact, sms_consent: bool, email: str, phone: str) -> list:
    """(channel, address) of a new RSVP's confirmation: email when given, a text with consent;
    none to someone marked "do not contact"."""
    if contact.do_not_contact:
        return []
    rows = [(Channel.EMAIL, email)] if email else []
    if phone and sms_consent:
        rows.append((Channel.SMS, phone))
    return rows


_CONFIRMATION_SQL = (
    "INSERT INTO campaigns_eventmessage (event_id, contact_id, kind, channel, revision, "
    '"to", status, attempts, last_error, created_at) '
    "SELECT r.event_id, r.contact_id, %s, v.channel, 0, v.addr, 'pending', 0, '', %s "
    "FROM upserted r, (VALUES {values}) AS v (channel, addr) WHERE r.inserted "
    "ON CONFLICT (event_id, contact_id, kind, channel, revision) DO NOTHING RETURNING id"
)


def confirmation_sql(
    *, contact, sms_consent: bool, email: str, phone: str
) -> tuple[str, list] | None:
    """The confirmation rows of an RSVP as an SQL statement reading ``upserted`` (the RSVP
    being written, ``inserted`` when new), for ``insert_or_update(then=…)``: the RSVP and its
    confirmation in one round trip. ``None`` when nothing is to be sent. Pass the ids it
    returns to :func:`confirmation_planned`."""
    rows = _confirmation_rows(contact=contact, sms_consent=sms_consent, email=email, phone=phone)
    if not rows:
        return None
    values = ", ".join(["(%s, %s)"] * len(rows))
    params = [Kind.CONFIRMATION, timezone.now(), *(value for row in rows for value in row)]
    return _CONFIRMATION_SQL.format(values=values), params


# A viral link brings hundreds of RSVPs a minute: their confirmations share one send task a
# second per web process (``send_confirmations_task`` sends every confirmation waiting when it
# runs) instead of one task each — publishing a task cost a public RSVP as much CPU as all its
# SQL. A lost task changes nothing: the tick sends what is still pending within five minutes.
CONFIRMATION_DELAY = 1.0


def confirmation_planned(ids: list[int]) -> None:
    """Send the confirmation rows ``ids`` about a second after the transaction commits."""
    if ids:
        from campaigns.tasks import send_confirmations_task
        from organizer.lib.tasks import enqueue_soon_on_commit

        enqueue_soon_on_commit(send_confirmations_task, delay=CONFIRMATION_DELAY)


def confirmations_send(*, now: dt.datetime | None = None, providers: Providers | None = None):
    """Send every confirmation waiting (a batch at a time, each claimed as ``messages_send``
    claims). Returns how many were sent; what is left after ``SEND_BATCHES`` batches is queued
    again."""
    from campaigns.tasks import send_confirmations_task
    from organizer.lib.tasks import enqueue

    sent = 0
    waiting = EventMessage.objects.filter(status=Status.PENDING, kind=Kind.CONFIRMATION)
    for _batch in range(SEND_BATCHES):
        ids = list(waiting.order_by("pk").values_list("pk", flat=True)[:SEND_BATCH])
        outcomes = messages_send(ids=ids, now=now, providers=providers) if ids else {}
        sent += sum(1 for outcome in outcomes.values() if outcome == "sent")
        if len(ids) < SEND_BATCH or not outcomes:
            return sent
    enqueue(send_confirmations_task)
    return sent


# One row per going RSVP and channel: email to the primary address when email is OK, a text to
# the primary phone only with the RSVP's consent. ``%(kind)s``/``%(revision)s`` name the message.
PLAN_SQL = """
INSERT INTO campaigns_eventmessage
    (event_id, contact_id, kind, channel, revision, "to", status, attempts, last_error, created_at)
SELECT r.event_id, r.contact_id, %(kind)s, ch.channel, %(revision)s, ch.addr, 'pending', 0, '',
       %(now)s
FROM campaigns_rsvp r
JOIN campaigns_event e ON e.id = r.event_id
JOIN contacts_contact c ON c.id = r.contact_id
CROSS JOIN LATERAL (
    SELECT 'email' AS channel, m.address AS addr FROM contacts_email m
    WHERE m.contact_id = c.id AND m.is_primary AND c.email_ok
    UNION ALL
    SELECT 'sms', p.e164 FROM contacts_phone p
    WHERE p.contact_id = c.id AND p.is_primary AND r.sms_consent
) ch
WHERE r.status = 'going' AND NOT c.do_not_contact AND {where}
ON CONFLICT (event_id, contact_id, kind, channel, revision) DO NOTHING
RETURNING id
"""

REMINDER_WHERE = (
    "e.status = 'scheduled' AND e.starts_at > %(now)s AND e.starts_at <= %(now)s + %(ahead)s"
    " AND e.starts_at > %(now)s + %(after)s AND r.created_at < e.starts_at - %(ahead)s"
)


def _plan(kind: str, where: str, params: dict) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(PLAN_SQL.format(where=where), params | {"kind": kind})
        return [row[0] for row in cursor.fetchall()]


def reminders_plan(*, now: dt.datetime) -> list[int]:
    """Plan the day-before and two-hours-before reminders whose moment has come."""
    with transaction.atomic():
        ids = _plan(
            Kind.DAY_BEFORE,
            REMINDER_WHERE,
            {"now": now, "ahead": DAY_BEFORE, "after": TWO_HOURS, "revision": 0},
        )
        ids += _plan(
            Kind.TWO_HOURS,
            REMINDER_WHERE,
            {"now": now, "ahead": TWO_HOURS, "after": dt.timedelta(0), "revision": 0},
        )
    return ids


def plan_notice(*, event: Event, kind: str, now: dt.datetime | None = None) -> list[int]:
    """Tell everyone going that the event was canceled or moved (once per revision); in the
    caller's transaction, sent after commit."""
    ids = _plan(
        kind,
        "r.event_id = %(event)s",
        {"event": event.pk, "revision": event.revision, "now": now or timezone.now()},
    )
    _enqueue(ids)
    return ids


# --- sending ------------------------------------------------------------------------------------

CLAIM_SQL = """
UPDATE campaigns_eventmessage SET status = 'sending', attempts = attempts + 1, claimed_at = %(now)s
WHERE id = ANY(%(ids)s) AND (
    status = 'pending'
    OR (status = 'failed' AND next_attempt_at IS NOT NULL AND next_attempt_at <= %(now)s)
    OR (status = 'sending' AND claimed_at < %(stale)s)
)
RETURNING id
"""


def event_url(event: Event) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("public_event", args=[event.pk])


def _when(event: Event) -> str:
    return formats.date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")


def message_text(message: EventMessage) -> tuple[str, str]:
    """(subject, body) of a message, in the active language."""
    event = message.event
    names = {"title": event.title, "when": _when(event), "place": event.place or event.online_url}
    subject = {
        Kind.CONFIRMATION: _("You're going: %(title)s"),
        Kind.DAY_BEFORE: _("Tomorrow: %(title)s"),
        Kind.TWO_HOURS: _("Starting soon: %(title)s"),
        Kind.CANCELED: _("Canceled: %(title)s"),
        Kind.MOVED: _("New time or place: %(title)s"),
    }[message.kind] % names
    lead = {
        Kind.CONFIRMATION: _("Thanks for signing up. %(when)s at %(place)s."),
        Kind.DAY_BEFORE: _("See you tomorrow: %(when)s at %(place)s."),
        Kind.TWO_HOURS: _("See you soon: %(when)s at %(place)s."),
        Kind.CANCELED: _("Sorry: this event is canceled. It was to be %(when)s."),
        Kind.MOVED: _("The event changed: now %(when)s at %(place)s."),
    }[message.kind] % names
    return subject, f"{subject}\n{lead}\n{event_url(event)}"


def _deliver(message: EventMessage, providers: Providers) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = message_text(message)
        if message.channel == Channel.EMAIL:
            EmailMessage(subject, body, to=[message.to], connection=providers.email).send()
        else:
            providers.sender.send(to=message.to, body=body[:320])


def _fail(ours, attempts: int, now: dt.datetime, error: str) -> str:
    if attempts < MAX_ATTEMPTS:
        ours.update(status=Status.FAILED, next_attempt_at=now + backoff(attempts), last_error=error)
        return "failed"
    ours.update(status=Status.FAILED, next_attempt_at=None, last_error=f"Gave up: {error}")
    return "gave_up"


def _send_claimed(message: EventMessage, now: dt.datetime, providers: Providers) -> str:
    ours = EventMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at
    )
    try:
        with transaction.atomic():
            if not ours.update(
                status=Status.SENT, sent_at=now, next_attempt_at=None, last_error=""
            ):
                return "not_claimed"
            _deliver(message, providers)
    except Exception as exc:  # the provider is the outside world: any error
        logger.warning("event message %s not sent: %s", message.pk, exc)
        return _fail(ours, message.attempts, now, f"{type(exc).__name__}: {exc}")
    return "sent"


def messages_send(
    *, ids: list[int], now: dt.datetime | None = None, providers: Providers | None = None
) -> dict[int, str]:
    """Claim what can be claimed of ``ids`` and send each once. Outcomes by id."""
    now = now or timezone.now()
    with connection.cursor() as cursor:  # autocommit: the claim and its attempt stick
        cursor.execute(CLAIM_SQL, {"ids": list(ids), "now": now, "stale": now - SENDING_TIMEOUT})
        claimed = [row[0] for row in cursor.fetchall()]
    if not claimed:
        return {}
    own = providers is None
    providers = providers or Providers()
    try:
        messages = EventMessage.objects.filter(pk__in=claimed).select_related("event")
        return {m.pk: _send_claimed(m, now, providers) for m in messages}
    finally:
        if own:
            providers.close()


def messages_due(*, now: dt.datetime) -> list[int]:
    due = (
        Q(status=Status.PENDING)
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
    )
    return list(EventMessage.objects.filter(due).values_list("pk", flat=True)[:SEND_BATCH])


def messages_tick(*, now: dt.datetime | None = None, providers: Providers | None = None) -> int:
    """Plan the reminders whose moment has come, then send everything due. Returns sent count."""
    now = now or timezone.now()
    reminders_plan(now=now)
    outcomes = messages_send(ids=messages_due(now=now), now=now, providers=providers)
    return sum(1 for o in outcomes.values() if o == "sent")


def message_retry(*, message: EventMessage) -> str:
    """Staff's "Retry now": a failed message is due at once."""
    EventMessage.objects.filter(pk=message.pk, status=Status.FAILED).update(
        next_attempt_at=timezone.now()
    )
    return messages_send(ids=[message.pk]).get(message.pk, "not_claimed")
