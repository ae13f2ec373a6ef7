"""Writes for accounts: inviting users, asking for a password reset, sending both emails
(the outbox), and confirming a second factor.

Invitation and reset emails go through ``AccountEmail`` rows: the request writes the row and
queues a task after commit (``organizer.lib.tasks``); the task claims the row with a
conditional UPDATE, sends, and records the outcome; a failed send is retried with backoff by
the every-minute sweep (``account_emails_sweep``), which also sends rows whose task never
reached the queue. So a mail server or Redis outage never fails the page, and nothing is lost.
The one window for a double send: a worker dying after the mail server accepted the message and
before the row is marked sent; ``SENDING_TIMEOUT`` later the sweep sends it again.

accounts is the bottom layer: it knows nothing of hubs. Placing an invitee in hubs is
``hubs.services.invites``, which calls ``user_invite`` here in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccountEmail, User
from organizer.lib.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# A row "sending" for longer than this lost its worker (the send task's time limit is far less).
SENDING_TIMEOUT = dt.timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 60 * 60
SWEEP_LIMIT = 200

Status = AccountEmail.Status
Kind = AccountEmail.Kind


class AccountError(Exception):
    """A domain error the view shows as a form error."""


def set_password_url(user: User, *, base_url: str) -> str:
    """A one-time link to choose a password: Django's reset token and confirm view."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def _base_url(base_url: str) -> str:
    return (base_url or getattr(settings, "SITE_URL", "") or "http://localhost:8000")[:200]


def user_invite(
    *,
    invited_by: User,
    email: str,
    name: str,
    role: str,
    base_url: str = "",
) -> User:
    """Create an account for ``email`` with no password and queue an email with a link to
    choose one (sent after commit; see the module note).

    ``base_url`` is the site's address for the link (the view passes the request's);
    ``settings.SITE_URL`` is used when it is empty. Raises ``AccountError`` for a taken email.
    """
    email = email.strip().lower()
    users = get_user_model()._default_manager
    if users.filter(email__iexact=email).exists():
        raise AccountError(_taken_message())
    try:
        with transaction.atomic():
            user = users.create_user(email, None, name=name.strip(), role=role)
            user.invited_by = invited_by
            user.save(update_fields=["invited_by"])
            account_email_queue(
                user=user, kind=Kind.INVITE, requested_by=invited_by, base_url=base_url
            )
    except IntegrityError as exc:  # two invites for one address at the same moment
        raise AccountError(_taken_message()) from exc
    return user


def _taken_message() -> str:
    return _("Someone already has an account with this email address.")


def invite_resend(*, user_id: int, by: User, base_url: str = "") -> AccountEmail:
    """Send the invitation again to someone who has not chosen a password yet. An invitation
    still waiting or failed is sent now (once) rather than doubled by a second row."""
    with transaction.atomic():
        user = get_user_model()._default_manager.select_for_update().filter(pk=user_id).first()
        if user is None or not user.is_active:
            raise AccountError(_("This account is deactivated."))
        if user.has_usable_password():
            raise AccountError(_("They have already chosen a password."))
        waiting = (
            AccountEmail.objects.select_for_update()
            .filter(user=user, kind=Kind.INVITE, status__in=[Status.PENDING, Status.FAILED])
            .order_by("-created_at")
            .first()
        )
        if waiting is None:
            return account_email_queue(
                user=user, kind=Kind.INVITE, requested_by=by, base_url=base_url
            )
        AccountEmail.objects.filter(pk=waiting.pk).update(
            status=Status.PENDING, next_attempt_at=None, attempts=0, last_error=""
        )
        _enqueue_send(waiting.pk)
        return waiting


def password_reset_request(*, user: User, base_url: str = "") -> AccountEmail:
    """Queue a password-reset email for ``user`` (the reset page calls this for a known,
    active address; it answers the same either way)."""
    return account_email_queue(user=user, kind=Kind.PASSWORD_RESET, base_url=base_url)


def account_email_queue(
    *, user: User, kind: str, base_url: str = "", requested_by: User | None = None
) -> AccountEmail:
    """Write an outbox row in the caller's transaction and queue its sending after commit."""
    row = AccountEmail.objects.create(
        user=user, kind=kind, requested_by=requested_by, base_url=_base_url(base_url)
    )
    _enqueue_send(row.pk)
    return row


def _enqueue_send(email_id: int) -> None:
    from accounts.tasks import account_email_send_task

    enqueue_on_commit(account_email_send_task, email_id)


# --- sending ------------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure, capped at an hour, with jitter."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def _due(now: dt.datetime) -> Q:
    return (
        Q(status=Status.PENDING)
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
    )


def account_email_send(*, email_id: int, now: dt.datetime | None = None) -> str | None:
    """Send one outbox row if it is due; return its new status, or ``None`` when another run
    holds it, it was sent already, or it is gone (all quiet no-ops)."""
    now = now or timezone.now()
    claimed = (
        AccountEmail.objects.filter(pk=email_id)
        .filter(_due(now))
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    row = AccountEmail.objects.select_related("user", "requested_by").get(pk=email_id)
    ours = AccountEmail.objects.filter(pk=email_id, status=Status.SENDING, claimed_at=now)
    if not row.user.is_active:
        ours.update(status=Status.FAILED, next_attempt_at=None, last_error="Account deactivated")
        return Status.FAILED
    if row.kind == Kind.INVITE and row.user.has_usable_password():
        ours.update(status=Status.SENT, sent_at=now, last_error="Not sent: password chosen")
        return Status.SENT
    try:
        subject, body = _render(row)
        send_mail(subject, body, None, [row.user.email])
    except Exception as exc:  # the mail server (outside world): any failure is recorded
        retry = row.attempts < MAX_ATTEMPTS
        logger.warning(
            "Could not send %s #%s (attempt %s): %s", row.kind, row.pk, row.attempts, exc
        )
        ours.update(
            status=Status.FAILED,
            next_attempt_at=now + backoff(row.attempts) if retry else None,
            last_error=f"{type(exc).__name__}: {exc}"[:300],
        )
        return Status.FAILED
    ours.update(status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error="")
    return Status.SENT


def _render(row: AccountEmail) -> tuple[str, str]:
    user = row.user
    if row.kind == Kind.INVITE:
        context = {
            "user": user,
            "invited_by": row.requested_by or user.invited_by,
            "link": set_password_url(user, base_url=row.base_url),
        }
        names = ("accounts/emails/invite_subject.txt", "accounts/emails/invite_email.txt")
    else:
        site = urlsplit(row.base_url)
        context = {
            "user": user,
            "protocol": site.scheme or "https",
            "domain": site.netloc,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
        names = (
            "accounts/emails/password_reset_subject.txt",
            "accounts/emails/password_reset_email.txt",
        )
    subject = " ".join(render_to_string(names[0], context).split())
    return subject, render_to_string(names[1], context)


def account_emails_sweep(*, now: dt.datetime | None = None) -> int:
    """Every minute (beat): send rows still waiting (their task never ran: Redis was down),
    retry failed ones whose time has come, and take back rows whose worker died. Safe to run
    twice at once: each row is claimed by one run. Returns how many were sent."""
    now = now or timezone.now()
    ids = list(
        AccountEmail.objects.filter(_due(now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    return sum(account_email_send(email_id=pk, now=now) == Status.SENT for pk in ids)


# --- second factor ------------------------------------------------------------------------------


def totp_device_for(*, user: User) -> TOTPDevice:
    """The user's confirmed authenticator, or the pending one they are setting up."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_verify(*, user: User, device: TOTPDevice, code: str) -> bool:
    """Check ``code`` against ``device`` (throttled by django-otp); a first match confirms it."""
    verified = verify_token(user, device.persistent_id, code)
    if verified is None:
        return False
    if not verified.confirmed:
        with transaction.atomic():
            TOTPDevice.objects.filter(pk=verified.pk).update(confirmed=True)
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return True
