"""Follow-up reminders: one digest per organizer per day per channel, made exactly-once by the
database.

The flow, run every five minutes by ``contacts.tasks.reminders_tick`` (and by hand with
``manage.py send_reminders``), all through :func:`reminders_run`:

1. **Plan** (:func:`reminders_plan`): one set-based statement inserts a ``ReminderDelivery``
   (user, day, channel) for every active user whose hour has come today (chapter time zone) and
   who has open follow-ups due today or overdue not yet reminded today on that channel, with the
   ``ReminderItem`` rows it carries. ``ON CONFLICT DO NOTHING`` on (user, day, channel) and on
   (follow_up, day, channel) makes a second run, a second beat or a concurrent tick a no-op; a
   follow-up reassigned after it was reminded today is not reminded again today on that channel.
   A delivery's items are fixed when it is created: follow-ups that fall due after the day's
   digest was planned wait for tomorrow's (they will be overdue then).
2. **Send** (:func:`reminders_send`, :func:`reminder_send` for one): a conditional UPDATE
   claims deliveries (pending, or failed and due for a retry → sending, attempts + 1; rows another
   run holds are skipped), one query loads their digests. Then, per delivery, one transaction
   marks the row sent (which locks it) and commits only after the provider accepted; a provider
   error rolls that back and records the failure. A double send is only possible if the worker
   dies between the provider accepting and that commit (the provider call is the window). A
   worker that died earlier leaves the row "sending" with no lock: after ``SENDING_TIMEOUT`` a
   later run claims it again (attempt counted).
3. **Retry**: a failed send is ``failed`` with its error and ``next_attempt_at`` (exponential
   backoff with jitter); the next tick retries it, up to ``MAX_ATTEMPTS``. After that, or when it
   cannot succeed (no valid mobile number, texts or emails turned off since), ``next_attempt_at``
   is empty and staff see the reason at /people/reminders/ with a "Retry now" button. Nothing
   planned is dropped silently. Deliveries of a past day that never went out are closed as
   failed (today's digest lists their follow-ups again, as overdue).

Consent: email deliveries are planned only for users with ``reminder_email``; SMS deliveries only
for users with ``reminder_sms`` (texts are never planned without consent). A user who opted in
to texts but whose number is missing or invalid gets a planned SMS delivery that fails at once,
without retry, with the reason — visible to staff, never sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role
from contacts.models import FollowUp, ReminderDelivery
from contacts.selectors.access import require_staff
from contacts.selectors.conversations import SENSITIVE_FOLLOW_UP
from organizer.lib.phones import InvalidPhone, normalize_phone
from organizer.sms import Sender, get_sender

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A delivery "sending" for longer than this lost its worker (the send task's limit is far less).
SENDING_TIMEOUT = dt.timedelta(minutes=15)
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 60 * 60
SMS_ITEMS = 2
SMS_ITEM_CHARS = 40

Status = ReminderDelivery.Status
Channel = ReminderDelivery.Channel


class Undeliverable(Exception):
    """This delivery cannot succeed as things stand (retrying would not help)."""


# --- time ---------------------------------------------------------------------------------------


def chapter_moment(now: dt.datetime) -> tuple[dt.date, int]:
    """(day, hour) of ``now`` in the chapter's time zone."""
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.date(), local.hour


def backoff(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """Delay before retry number ``attempts``: 1, 2, 4, 8… minutes (capped at an hour), each
    between half and all of that so that failures of one outage do not retry in lockstep."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=ceiling * (rng or random).uniform(0.5, 1.0))


# --- plan ---------------------------------------------------------------------------------------

# Open follow-ups due by %(day)s of active users whose hour has come, per channel they consented
# to, not yet reminded on that channel today.
DUE_SQL = """
    SELECT f.id AS follow_up_id, f.assigned_to_id AS user_id, ch.channel, f.due_on
    FROM contacts_followup f
    JOIN accounts_user u ON u.id = f.assigned_to_id
    CROSS JOIN (VALUES ('email'), ('sms')) AS ch(channel)
    WHERE f.status = 'open' AND f.due_on <= %(day)s AND u.is_active
      AND (%(ignore_hour)s OR u.reminder_hour <= %(hour)s)
      AND ((ch.channel = 'email' AND u.reminder_email) OR (ch.channel = 'sms' AND u.reminder_sms))
      AND NOT EXISTS (
        SELECT 1 FROM contacts_reminderitem i
        WHERE i.follow_up_id = f.id AND i.day = %(day)s AND i.channel = ch.channel
      )
"""

PLAN_SQL = f"""
WITH due AS ({DUE_SQL}),
created AS (
    INSERT INTO contacts_reminderdelivery
        (user_id, day, channel, status, attempts, last_error, created_at, next_attempt_at)
    SELECT user_id, %(day)s, channel, 'pending', 0, '', %(now)s, %(now)s
    FROM (SELECT DISTINCT user_id, channel FROM due) AS wanted
    ORDER BY user_id, channel
    ON CONFLICT (user_id, day, channel) DO NOTHING
    RETURNING id, user_id, channel
),
items AS (
    INSERT INTO contacts_reminderitem (delivery_id, follow_up_id, day, channel)
    SELECT c.id, d.follow_up_id, %(day)s, c.channel
    FROM created c JOIN due d ON d.user_id = c.user_id AND d.channel = c.channel
    ORDER BY d.follow_up_id, c.channel
    ON CONFLICT (follow_up_id, day, channel) DO NOTHING
    RETURNING delivery_id
)
SELECT c.id, (SELECT count(*) FROM items i WHERE i.delivery_id = c.id) FROM created c
"""

PREVIEW_SQL = f"""
WITH due AS ({DUE_SQL})
SELECT u.id, u.email, d.channel,
       count(*) FILTER (WHERE d.due_on = %(day)s), count(*) FILTER (WHERE d.due_on < %(day)s)
FROM due d JOIN accounts_user u ON u.id = d.user_id
WHERE NOT EXISTS (
    SELECT 1 FROM contacts_reminderdelivery x
    WHERE x.user_id = d.user_id AND x.day = %(day)s AND x.channel = d.channel
)
GROUP BY u.id, u.email, d.channel
ORDER BY u.email, d.channel
"""


def _plan_params(now: dt.datetime, ignore_hour: bool) -> dict:
    day, hour = chapter_moment(now)
    return {"day": day, "hour": hour, "ignore_hour": ignore_hour, "now": now}


def reminders_plan(*, now: dt.datetime, ignore_hour: bool = False) -> list[int]:
    """Create today's deliveries (and their items) whose hour has come — all of today's with
    ``ignore_hour``. Returns the ids of the deliveries created. Safe to run any number of times,
    concurrently too: the unique constraints decide, and an existing delivery is never added to.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PLAN_SQL, _plan_params(now, ignore_hour))
        rows = cursor.fetchall()
        # Every item of a delivery may have been taken by a concurrent run (a reassigned
        # follow-up): such an empty digest is not kept.
        empty = [pk for pk, count in rows if not count]
        if empty:
            ReminderDelivery.objects.filter(pk__in=empty).delete()
    return [pk for pk, count in rows if count]


@dataclass(frozen=True)
class PreviewLine:
    user_id: int
    email: str
    channel: str
    due_today: int
    overdue: int


def reminders_preview(*, now: dt.datetime, ignore_hour: bool = False) -> list[PreviewLine]:
    """Who would get a new digest now, and how many follow-ups in it (writes nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(PREVIEW_SQL, _plan_params(now, ignore_hour))
        return [PreviewLine(*row) for row in cursor.fetchall()]


def reminders_due(*, now: dt.datetime) -> list[int]:
    """Ids of today's deliveries ready to (re)send: pending, failed and due for a retry, or stuck
    "sending" past the timeout."""
    day, _hour = chapter_moment(now)
    ready = Q(status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now)
    stuck = Q(status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
    due = ReminderDelivery.objects.filter(ready | stuck, day=day)
    return list(due.order_by("pk").values_list("pk", flat=True))


EXPIRE_SQL = """
UPDATE contacts_reminderdelivery d
SET status = 'failed', next_attempt_at = NULL,
    last_error = %(reason)s || CASE WHEN d.last_error = '' THEN '' ELSE ' Last error: '
                                     || d.last_error END
WHERE d.id IN (
    SELECT id FROM contacts_reminderdelivery
    WHERE day < %(day)s AND (
        (status IN ('pending', 'failed') AND next_attempt_at IS NOT NULL)
        OR (status = 'sending' AND claimed_at < %(stale)s))
    FOR UPDATE SKIP LOCKED
)
"""


def reminders_expire(*, now: dt.datetime) -> int:
    """Close deliveries of past days that never went out (today's digest lists their follow-ups
    again, as overdue). Rows a live sender holds are left to it."""
    day, _hour = chapter_moment(now)
    reason = "Not sent on its day; the next day's reminder lists these follow-ups again."
    with connection.cursor() as cursor:
        cursor.execute(EXPIRE_SQL, {"day": day, "stale": now - SENDING_TIMEOUT, "reason": reason})
        return cursor.rowcount


# --- send ---------------------------------------------------------------------------------------

CLAIM_SQL = """
UPDATE contacts_reminderdelivery d
SET status = 'sending', attempts = d.attempts + 1, claimed_at = %(now)s
WHERE d.id IN (
    SELECT id FROM contacts_reminderdelivery
    WHERE id = ANY(%(ids)s) AND day = %(day)s AND (
        (status IN ('pending', 'failed') AND next_attempt_at <= %(now)s)
        OR (status = 'sending' AND claimed_at < %(stale)s))
    ORDER BY id
    FOR UPDATE SKIP LOCKED
)
RETURNING d.id
"""
SEND_BATCH = 200


@dataclass(frozen=True)
class DigestLine:
    what: str
    person: str
    due_on: dt.date
    days_late: int
    url: str

    @property
    def late(self) -> str:
        return ngettext("%(n)d day late", "%(n)d days late", self.days_late) % {"n": self.days_late}


@dataclass
class Digest:
    user: object
    day: dt.date
    my_day_url: str = ""
    settings_url: str = ""
    overdue: list[DigestLine] = field(default_factory=list)
    due_today: list[DigestLine] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due_today)

    @property
    def lines(self) -> list[DigestLine]:
        return self.overdue + self.due_today


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _hidden_from(user, is_sensitive: bool | None, author_id: int | None) -> bool:
    """A sensitive conversation's follow-up text is for its author and staff only (see
    ``contacts.selectors.conversations``), in emails and texts too."""
    return bool(is_sensitive) and author_id != user.pk and user.role != Role.STAFF


def digests_for(deliveries: list[ReminderDelivery]) -> dict[int, Digest]:
    """The digest of each delivery (one query): the follow-ups it carries that are still open
    and still assigned to its user, overdue first."""
    rows = (
        FollowUp.objects.filter(
            reminder_items__delivery__in=[d.pk for d in deliveries],
            status=FollowUp.Status.OPEN,
            assigned_to_id=F("reminder_items__delivery__user_id"),
        )
        .order_by("due_on", "pk")
        .values_list(
            "reminder_items__delivery_id",
            "what",
            "due_on",
            "contact_id",
            "contact__preferred_name",
            "contact__first_name",
            "contact__last_name",
            "interaction__is_sensitive",
            "interaction__author_id",
        )
    )
    my_day, settings_url = _fixed_urls()
    digests = {
        d.pk: Digest(user=d.user, day=d.day, my_day_url=my_day, settings_url=settings_url)
        for d in deliveries
    }
    person_url = _person_url_maker()
    for delivery_id, what, due_on, contact_id, preferred, first, last, *sensitive in rows:
        digest = digests[delivery_id]
        if _hidden_from(digest.user, *sensitive):
            what = str(SENSITIVE_FOLLOW_UP)
        # As Contact.display_name, without loading whole Contact rows.
        name = " ".join(part for part in (preferred or first, last) if part) or _("(no name)")
        line = DigestLine(
            what=what,
            person=name,
            due_on=due_on,
            days_late=(digest.day - due_on).days,
            url=person_url(contact_id),
        )
        (digest.overdue if due_on < digest.day else digest.due_today).append(line)
    return digests


def _fixed_urls() -> tuple[str, str]:
    return (
        absolute_url(reverse("contacts:my_day")),
        absolute_url(reverse("contacts:reminder_settings")),
    )


def _person_url_maker():
    marker = 987654321
    pattern = absolute_url(reverse("contacts:detail", args=[marker]))
    return lambda pk: pattern.replace(str(marker), str(pk))


def _headline(digest: Digest) -> str:
    """ "3 follow-ups due (1 overdue)"."""
    head = ngettext("%(n)d follow-up due", "%(n)d follow-ups due", digest.count) % {
        "n": digest.count
    }
    if digest.overdue:
        overdue = len(digest.overdue)
        head = ngettext("%(head)s (%(n)d overdue)", "%(head)s (%(n)d overdue)", overdue) % {
            "head": head,
            "n": overdue,
        }
    return head


def email_message(digest: Digest, *, connection=None) -> EmailMultiAlternatives:
    subject = _headline(digest)
    context = {"digest": digest, "user": digest.user}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("contacts/emails/reminder.txt", context),
        to=[digest.user.email],
        connection=connection,
    )
    html = render_to_string("contacts/emails/reminder.html", context)
    message.attach_alternative(html, "text/html")
    return message


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sms_body(digest: Digest) -> str:
    """Short: the count, the first two items, a link to My day."""
    head = _headline(digest)
    items = [_clip(f"{line.person}: {line.what}", SMS_ITEM_CHARS) for line in digest.lines]
    shown = items[:SMS_ITEMS]
    more = len(items) - SMS_ITEMS
    if more > 0:
        shown.append(_("+%(n)d more") % {"n": more})
    return _("%(head)s: %(items)s. My day: %(url)s") % {
        "head": head,
        "items": "; ".join(shown),
        "url": digest.my_day_url,
    }


def valid_mobile(user) -> str:
    """The user's number in E.164, or :class:`Undeliverable` saying why not."""
    if not user.phone:
        raise Undeliverable(_("No mobile number on the account; add one in reminder settings."))
    try:
        return normalize_phone(user.phone)
    except InvalidPhone as exc:
        raise Undeliverable(_("Invalid mobile number: %(error)s") % {"error": exc}) from None


class Providers:
    """The email connection and SMS sender of one run, made on first use."""

    def __init__(self, *, sender: Sender | None = None, email_connection=None) -> None:
        self._sender = sender
        self._email = email_connection

    @property
    def sender(self) -> Sender:
        if self._sender is None:
            self._sender = get_sender()
        return self._sender

    @property
    def email(self):
        if self._email is None:
            self._email = get_connection()
            try:
                self._email.open()  # one SMTP session for the whole run when it can
            except Exception:  # each send then connects and records its own error
                logger.warning("could not open the email connection; sending one by one")
        return self._email

    def close(self) -> None:
        if self._email is not None:
            try:
                self._email.close()
            except Exception:
                logger.warning("could not close the email connection", exc_info=True)


def _deliver(delivery: ReminderDelivery, digest: Digest, providers: Providers) -> None:
    """Hand the digest to the provider; raise :class:`Undeliverable` or the provider's error."""
    user = delivery.user
    # Reasons for not sending are for staff (stored on the delivery): in the run's language,
    # not the recipient's.
    if not user.is_active:
        raise Undeliverable(_("The account is deactivated."))
    if delivery.channel == Channel.EMAIL and not user.reminder_email:
        raise Undeliverable(_("Not sent: they turned email reminders off."))
    if delivery.channel != Channel.EMAIL and not user.reminder_sms:
        raise Undeliverable(_("Not sent: they turned text reminders off."))
    with translation.override(user.language or settings.LANGUAGE_CODE):
        if delivery.channel == Channel.EMAIL:
            email_message(digest, connection=providers.email).send()
        else:
            providers.sender.send(to=valid_mobile(user), body=sms_body(digest))


@dataclass(frozen=True)
class Outcome:
    status: str  # sent / failed / gave_up / not_claimed / nothing_left
    error: str = ""


def reminder_send(
    *,
    delivery_id: int,
    now: dt.datetime | None = None,
    sender: Sender | None = None,
    providers: Providers | None = None,
) -> Outcome:
    """Claim the delivery and send it once. Returns quietly (``not_claimed``) when the row is
    gone, already sent, being sent, or not due yet."""
    outcomes = reminders_send(
        delivery_ids=[delivery_id], now=now, sender=sender, providers=providers
    )
    return outcomes.get(delivery_id, Outcome("not_claimed"))


def reminders_send(
    *,
    delivery_ids: list[int],
    now: dt.datetime | None = None,
    sender: Sender | None = None,
    providers: Providers | None = None,
) -> dict[int, Outcome]:
    """Claim what can be claimed of ``delivery_ids`` (one UPDATE; rows another run holds are
    skipped), load their digests (one query) and send each once. Outcomes by delivery id."""
    now = now or timezone.now()
    day, _hour = chapter_moment(now)
    with connection.cursor() as cursor:  # autocommit: the claim and its attempt stick
        params = {"ids": list(delivery_ids), "day": day, "now": now}
        cursor.execute(CLAIM_SQL, params | {"stale": now - SENDING_TIMEOUT})
        claimed = sorted(row[0] for row in cursor.fetchall())
    if not claimed:
        return {}
    deliveries = list(ReminderDelivery.objects.filter(pk__in=claimed).select_related("user"))
    digests = digests_for(deliveries)
    own = providers is None
    providers = providers or Providers(sender=sender)
    try:
        return {d.pk: _send_claimed(d, digests[d.pk], now, providers) for d in deliveries}
    finally:
        if own:
            providers.close()


def _send_claimed(
    delivery: ReminderDelivery, digest: Digest, now: dt.datetime, providers: Providers
) -> Outcome:
    """Send one claimed delivery. The row is marked sent (and so locked) first, but that only
    commits after the provider accepted: a provider error rolls it back and records the failure;
    a worker dying mid-call leaves it "sending" for a later run. Only a death between the
    provider accepting and the commit can send twice."""
    ours = ReminderDelivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, claimed_at=delivery.claimed_at
    )
    if not digest.count:
        note = "Nothing left to send: every follow-up was closed first."
        ours.update(status=Status.SENT, sent_at=now, next_attempt_at=None, last_error=note)
        return Outcome("nothing_left")
    try:
        with transaction.atomic():
            if not ours.update(
                status=Status.SENT, sent_at=now, next_attempt_at=None, last_error=""
            ):
                return Outcome("not_claimed")  # reclaimed by another run after a long pause
            _deliver(delivery, digest, providers)
    except Undeliverable as exc:
        _fail(ours, delivery.attempts, now, str(exc), retry=False)
        return Outcome("gave_up", str(exc))
    except Exception as exc:  # the provider is the outside world: any error
        logger.warning("reminder %s not sent: %s", delivery.pk, exc, exc_info=True)
        error = f"{type(exc).__name__}: {exc}"
        retry = delivery.attempts < MAX_ATTEMPTS
        _fail(ours, delivery.attempts, now, error, retry=retry)
        return Outcome("failed" if retry else "gave_up", error)
    return Outcome("sent")


def _fail(ours, attempts: int, now: dt.datetime, error: str, *, retry: bool) -> None:
    if retry:
        ours.update(status=Status.FAILED, next_attempt_at=now + backoff(attempts), last_error=error)
        return
    if attempts >= MAX_ATTEMPTS:
        error = f"Gave up after {attempts} attempts. {error}"
    ours.update(status=Status.FAILED, next_attempt_at=None, last_error=error)


# --- the run ------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    planned: int = 0
    expired: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return self.outcomes.get(status, 0)


def reminders_run(
    *,
    now: dt.datetime | None = None,
    ignore_hour: bool = False,
    sender: Sender | None = None,
    email_connection=None,
) -> RunSummary:
    """Plan what is due now and send every delivery ready to go (new ones, retries, stuck
    ones). Two runs at once share the work: each delivery is claimed by exactly one."""
    now = now or timezone.now()
    started = time.monotonic()
    summary = RunSummary(expired=reminders_expire(now=now))
    summary.planned = len(reminders_plan(now=now, ignore_hour=ignore_hour))
    providers = Providers(sender=sender, email_connection=email_connection)
    try:
        due = reminders_due(now=now)
        for start in range(0, len(due), SEND_BATCH):
            # The clock moves on during a long run (claims record when they really happened).
            at = now + dt.timedelta(seconds=time.monotonic() - started)
            batch = due[start : start + SEND_BATCH]
            for outcome in reminders_send(delivery_ids=batch, now=at, providers=providers).values():
                summary.outcomes[outcome.status] = summary.outcomes.get(outcome.status, 0) + 1
    finally:
        providers.close()
    return summary


def reminder_retry(
    *, by, delivery_id: int, now: dt.datetime | None = None, sender: Sender | None = None
) -> Outcome:
    """Staff: send a failed delivery of today again, now (one more attempt, even past the
    maximum)."""
    require_staff(by)
    now = now or timezone.now()
    delivery = get_object_or_404(ReminderDelivery, pk=delivery_id)
    updated = ReminderDelivery.objects.filter(
        pk=delivery.pk, status=Status.FAILED, day=chapter_moment(now)[0]
    ).update(next_attempt_at=now)
    if not updated:
        raise ValidationError(_("Only today's failed reminders can be retried."))
    return reminder_send(delivery_id=delivery.pk, now=now, sender=sender)


# --- a user's own settings ----------------------------------------------------------------------


def reminder_settings_update(*, user, hour: int, email: bool, sms: bool, phone: str) -> None:
    """Save the user's reminder hour and channels. Texts need a valid mobile number (E.164)."""
    if not 0 <= hour <= 23:
        raise ValidationError({"hour": _("Pick an hour of the day.")})
    if phone:
        try:
            phone = normalize_phone(phone)
        except InvalidPhone as exc:
            raise ValidationError({"phone": str(exc)}) from None
    if sms and not phone:
        raise ValidationError({"phone": _("Add a mobile number to get texts.")})
    user.reminder_hour, user.reminder_email, user.reminder_sms, user.phone = hour, email, sms, phone
    user.save(update_fields=["reminder_hour", "reminder_email", "reminder_sms", "phone"])
