"""Sending outbox rows: claimed, signed, POSTed, logged, retried.

The guarantee: a delivery that succeeded (a 2xx) is never sent again, and two workers never
send the same delivery at once. A worker claims the row with one conditional UPDATE (pending
and due, or ``sending`` with a claim older than ``STALE_AFTER``: its worker died mid-send),
which also counts the attempt; only the worker whose claim still holds (same ``attempts``)
may write the outcome. A failure is retried with exponential backoff and jitter, ``MAX_ATTEMPTS``
times over about a day; the every-minute sweep sends what is due and takes up stale claims.

The weak spot: a worker that dies after the receiver answered 2xx but before the outcome is
written leaves a stale claim, and the delivery is sent again ``STALE_AFTER`` later. That is
why every request carries ``X-Organizer-Delivery``: receivers dedupe on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from api.models import WebhookAttempt, WebhookDelivery
from api.webhooks.safety import url_problem

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8
STALE_AFTER = dt.timedelta(minutes=5)
EXCERPT = 500  # characters of a response kept with each attempt
# Seconds before the next try after attempt n fails (n = 1..7): ~22.5 hours in all.
BACKOFF = [60, 5 * 60, 30 * 60, 60 * 60, 3 * 3600, 6 * 3600, 12 * 3600]
SWEEP_BATCH = 2000
USER_AGENT = "Organizer-Webhooks/1"


def retry_delay(attempts: int) -> dt.timedelta:
    """After ``attempts`` failed tries: the backoff step, ±20 % jitter (so hooks that failed
    together do not all come back in the same second)."""
    base = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    return dt.timedelta(seconds=base * random.uniform(0.8, 1.2))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``"<timestamp>.<body>"`` with the hook's secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def body_of(delivery: WebhookDelivery) -> bytes:
    event = delivery.event
    payload = {
        "id": delivery.pk,
        "event": event.event,
        "created_at": event.created_at,
        "data": event.data,
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


_CLAIM = """
UPDATE api_webhookdelivery d
SET status = 'sending', claimed_at = %(now)s, attempts = d.attempts + 1
FROM api_webhook h
WHERE d.id = %(id)s AND h.id = d.hook_id AND h.active
  AND ((d.status = 'pending' AND d.next_attempt_at <= %(now)s)
       OR (d.status = 'sending' AND d.claimed_at < %(stale)s))
RETURNING d.attempts
"""


def _claim(delivery_id: int, now: dt.datetime) -> int | None:
    """Claim the delivery (autocommitted); the claim's ``attempts``, or None if not ours."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM, {"id": delivery_id, "now": now, "stale": now - STALE_AFTER})
        row = cursor.fetchone()
    return row[0] if row else None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer, not an address to follow (SSRF)


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass
class Outcome:
    status_code: int | None = None
    response: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _excerpt(raw: bytes) -> str:
    return raw[: EXCERPT * 4].decode("utf-8", "replace")[:EXCERPT]


def post(*, url: str, secret: str, event: str, delivery_id: int, body: bytes) -> Outcome:
    problem = url_problem(url)
    if problem:
        return Outcome(error=problem[:300])
    timestamp = str(int(time.time()))
    # The scheme and address were just checked (url_problem: http(s) only, public hosts).
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Organizer-Event": event,
            "X-Organizer-Delivery": str(delivery_id),
            "X-Organizer-Timestamp": timestamp,
            "X-Organizer-Signature": sign(secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Outcome(response.status, _excerpt(response.read(EXCERPT * 4)))
    except urllib.error.HTTPError as exc:
        try:
            raw = exc.read(EXCERPT * 4)
        except OSError:
            raw = b""
        return Outcome(exc.code, _excerpt(raw))
    except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(error=f"{type(exc).__name__}: {reason}"[:300])


def deliver(*, delivery_id: int, now: dt.datetime | None = None) -> str | None:
    """Send one delivery if it is due (or its claim is stale). Returns its new status, or
    None when there was nothing to do (delivered, not due, claimed by a live worker, gone)."""
    now = now or timezone.now()
    attempts = _claim(delivery_id, now)
    if attempts is None:
        return None
    delivery = (
        WebhookDelivery.objects.select_related("hook", "event").filter(pk=delivery_id).first()
    )
    if delivery is None:  # the hook was deleted in between
        return None
    started = time.monotonic()
    outcome = post(
        url=delivery.hook.url,
        secret=delivery.hook.secret,
        event=delivery.event.event,
        delivery_id=delivery.pk,
        body=body_of(delivery),
    )
    took = int((time.monotonic() - started) * 1000)
    done = timezone.now()
    if outcome.ok:
        fields = {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": done}
    elif attempts >= MAX_ATTEMPTS:
        fields = {"status": WebhookDelivery.Status.FAILED, "next_attempt_at": None}
    else:
        fields = {
            "status": WebhookDelivery.Status.PENDING,
            "next_attempt_at": done + retry_delay(attempts),
        }
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery_id=delivery.pk,
            at=done,
            status_code=outcome.status_code,
            response=outcome.response,
            error=outcome.error,
            duration_ms=took,
        )
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.SENDING, attempts=attempts
        ).update(
            last_status_code=outcome.status_code,
            last_response=(outcome.response or outcome.error)[:EXCERPT],
            **fields,
        )
    return fields["status"]


def due_ids(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Deliveries to send now: pending and due, or claimed by a worker that went quiet."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            (SELECT d.id FROM api_webhookdelivery d JOIN api_webhook h ON h.id = d.hook_id
             WHERE d.status = 'pending' AND d.next_attempt_at <= %(now)s AND h.active
             ORDER BY d.next_attempt_at LIMIT %(limit)s)
            UNION ALL
            (SELECT d.id FROM api_webhookdelivery d JOIN api_webhook h ON h.id = d.hook_id
             WHERE d.status = 'sending' AND d.claimed_at < %(stale)s AND h.active
             ORDER BY d.claimed_at LIMIT %(limit)s)
            """,
            {"now": now, "stale": now - STALE_AFTER, "limit": limit},
        )
        return [row[0] for row in cursor.fetchall()]


def sweep(*, now: dt.datetime | None = None) -> int:
    """Every minute (beat): queue each due delivery (a task each, so one slow receiver holds up
    one worker slot, not the sweep). Returns how many were queued."""
    from api import tasks
    from organizer.lib.tasks import enqueue

    ids = due_ids(now=now)
    for delivery_id in ids:
        enqueue(tasks.deliver_webhook_task, delivery_id)
    forget_old(now=now)
    return len(ids)


KEEP_DAYS = 30
FORGET_BATCH = 5000


def forget_old(*, now: dt.datetime | None = None) -> int:
    """Delete events older than ``KEEP_DAYS`` whose every delivery is finished (delivered or
    given up), with their deliveries and attempts; a batch per sweep keeps each one short."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH old AS (
                SELECT e.id FROM api_webhookevent e
                WHERE e.created_at < %(cutoff)s
                  AND NOT EXISTS (SELECT 1 FROM api_webhookdelivery d
                                  WHERE d.event_id = e.id
                                    AND d.status IN ('pending', 'sending'))
                LIMIT %(limit)s
            ), attempts AS (
                DELETE FROM api_webhookattempt a USING api_webhookdelivery d, old
                WHERE a.delivery_id = d.id AND d.event_id = old.id
            ), deliveries AS (
                DELETE FROM api_webhookdelivery d USING old WHERE d.event_id = old.id
            )
            DELETE FROM api_webhookevent e USING old WHERE e.id = old.id
            """,
            {"cutoff": cutoff, "limit": FORGET_BATCH},
        )
        return cursor.rowcount
