"""Writing events to the outbox: one ``WebhookEvent`` and one ``WebhookDelivery`` per active
hook subscribed to it, in the caller's transaction (the write and its events commit together
or not at all), then the deliveries are queued on commit.

Nothing is written when no active hook wants the event (one indexed query on a tiny table).
Bulk writes stay set-based: ``emit_sql`` turns a whole statement's rows into events and
deliveries with one ``INSERT … SELECT`` (a full ladder rescore moving 100,000 people is one
statement here too), and an import emits nothing (see the README, "Webhooks").
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from api.models import Webhook, WebhookDelivery, WebhookEvent
from api.models.webhooks import PING

# Up to this many deliveries from one transaction are queued one task each; more are left to
# a single sweep task (queued on commit), which works through them in order.
QUEUE_EACH_UP_TO = 50


def subscribed_hook_ids(event: str) -> list[int]:
    return list(
        Webhook.objects.filter(active=True, events__contains=[event]).values_list("pk", flat=True)
    )


def emit(event: str, items: list[dict], *, hook_ids: list[int] | None = None) -> list[int]:
    """Record ``items`` (each one event's data) for the hooks subscribed to ``event``
    (or exactly ``hook_ids``). Returns the new deliveries' ids."""
    hook_ids = subscribed_hook_ids(event) if hook_ids is None else hook_ids
    items = [item for item in items if item is not None]
    if not hook_ids or not items:
        return []
    now = timezone.now()
    events = WebhookEvent.objects.bulk_create(
        WebhookEvent(event=event, data=item, created_at=now) for item in items
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(hook_id=h, event=e, next_attempt_at=now, created_at=now)
        for e in events
        for h in hook_ids
    )
    ids = [d.pk for d in deliveries]
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
    SELECT h, ev.id, 'pending', 0, %(now)s, %(now)s, '' FROM ev, unnest(%(hooks)s) AS h
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
