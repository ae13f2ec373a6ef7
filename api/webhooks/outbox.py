"""Writing events to the outbox: one ``WebhookEvent`` and one ``WebhookDelivery`` per active
hook subscribed to it, in the caller's transaction (the write and its events commit together
or not at all), then the deliveries are queued on commit.

Nothing is written when no active hook wants the event. Which hooks want which event is read
from an in-process copy of the (tiny) hook table (``subscribed_hook_ids``), so a public RSVP or
signature asks PostgreSQL nothing about hooks: the copy is dropped whenever a hook is saved or
deleted in this process and re-read at least every ``HOOKS_CACHE_SECONDS`` (another web worker
sees a new hook within that time). A hook switched off or deleted elsewhere a moment ago is
harmless: deliveries are written only for hooks that still exist and are active, checked in
the INSERT itself.
Bulk writes stay set-based: ``emit_sql`` turns a whole statement's rows into events and
deliveries with one ``INSERT … SELECT`` (a full ladder rescore moving 100,000 people is one
statement here too), and an import emits nothing (see the README, "Webhooks").
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.utils import timezone

from api.models import Webhook, WebhookEvent
from api.models.webhooks import PING

# Up to this many deliveries from one transaction are queued one task each; more are left to
# a single sweep task (queued on commit), which works through them in order.
QUEUE_EACH_UP_TO = 50


# How long this process trusts its copy of which hooks want which event (seconds).
HOOKS_CACHE_SECONDS = 5.0

# (read at, {event: (hook ids…)}) — replaced whole, never mutated, so threads share it safely.
_subscriptions: tuple[float, dict[str, tuple[int, ...]]] | None = None


def subscribed_hook_ids(event: str) -> list[int]:
    """The active hooks subscribed to ``event``, from this process's copy of the hook table
    (one query for every event, at most every ``HOOKS_CACHE_SECONDS``)."""
    global _subscriptions
    cached = _subscriptions
    now = time.monotonic()
    if cached is None or now - cached[0] > HOOKS_CACHE_SECONDS:
        by_event: dict[str, list[int]] = {}
        for pk, events in Webhook.objects.filter(active=True).values_list("pk", "events"):
            for name in events:
                by_event.setdefault(name, []).append(pk)
        cached = (now, {name: tuple(ids) for name, ids in by_event.items()})
        _subscriptions = cached
    return list(cached[1].get(event, ()))


def forget_subscriptions(**_kwargs) -> None:
    """Drop this process's copy (a hook was saved or deleted): the next event reads it again.
    Connected to the hook's ``post_save``/``post_delete`` (``ApiConfig.ready``), and again on
    commit so that a read made meanwhile inside the transaction does not outlive it."""
    global _subscriptions
    _subscriptions = None
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(forget_subscriptions)  # outside the block then: no further hook


# Deliveries only for hooks that still exist and want deliveries (``active`` unless a ping):
# the caller's list of hooks may be a few seconds old.
_EMIT_SQL = """
WITH ev AS (
    INSERT INTO api_webhookevent (event, data, created_at)
    SELECT %(event)s, x.data, %(now)s FROM unnest(%(items)s::jsonb[]) AS x(data)
    WHERE EXISTS (SELECT 1 FROM api_webhook h WHERE h.id = ANY(%(hooks)s) {active})
    RETURNING id
)
INSERT INTO api_webhookdelivery
    (hook_id, event_id, status, attempts, next_attempt_at, created_at, last_response)
SELECT h.id, ev.id, 'pending', 0, %(now)s, %(now)s, ''
FROM ev, api_webhook h WHERE h.id = ANY(%(hooks)s) {active}
ORDER BY ev.id, h.id
RETURNING id
"""


def emit(
    event: str, items: list[dict], *, hook_ids: list[int] | None = None, ping: bool = False
) -> list[int]:
    """Record ``items`` (each one event's data) for the hooks subscribed to ``event``
    (or exactly ``hook_ids``; ``ping``: even an inactive one). One statement. Returns the new
    deliveries' ids."""
    hook_ids = subscribed_hook_ids(event) if hook_ids is None else hook_ids
    items = [item for item in items if item is not None]
    if not hook_ids or not items:
        return []
    encode = WebhookEvent._meta.get_field("data").get_db_prep_save
    sql = _EMIT_SQL.format(active="" if ping else "AND h.active")
    params = {
        "event": event,
        "now": timezone.now(),
        "items": [encode(item, connection) for item in items],
        "hooks": list(hook_ids),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    _queue_on_commit(ids)
    return ids


def emit_sql(event: str, select_sql: str, params: dict) -> int:
    """Set-based: ``select_sql`` yields one jsonb column, each row one event's data. Returns
    how many deliveries were written."""
    hook_ids = subscribed_hook_ids(event)
    if not hook_ids:
        return 0
    sql = f"""
    WITH ev AS (
        INSERT INTO api_webhookevent (event, data, created_at)
        SELECT %(event)s, x.data, %(now)s FROM ({select_sql}) AS x(data)
        RETURNING id
    )
    INSERT INTO api_webhookdelivery
        (hook_id, event_id, status, attempts, next_attempt_at, created_at, last_response)
    SELECT h.id, ev.id, 'pending', 0, %(now)s, %(now)s, ''
    FROM ev, api_webhook h WHERE h.id = ANY(%(hooks)s) AND h.active
    RETURNING id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "event": event, "now": timezone.now(), "hooks": hook_ids})
        ids = [row[0] for row in cursor.fetchall()]
    _queue_on_commit(ids)
    return len(ids)


def ping(*, hook: Webhook, by) -> int:
    """The "Send test" button: one ``ping`` event to this hook alone."""
    with transaction.atomic():
        (delivery_id,) = emit(
            PING,
            [{"message": "A test from Organizer.", "by": by.email, "hook": hook.pk}],
            hook_ids=[hook.pk],
            ping=True,
        )
    return delivery_id


def _queue_on_commit(ids: list[int]) -> None:
    from api import tasks
    from organizer.lib.tasks import enqueue

    if not ids:
        return
    if len(ids) <= QUEUE_EACH_UP_TO:
        transaction.on_commit(lambda: [enqueue(tasks.deliver_webhook_task, i) for i in ids])
    else:
        transaction.on_commit(lambda: enqueue(tasks.webhooks_sweep_task))
