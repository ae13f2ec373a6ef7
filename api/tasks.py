"""Background work for the API app. Tasks take IDs and call one service; a missing row is a
no-op, and running one twice is harmless (the delivery's claim)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(soft_time_limit=50, time_limit=60)
def deliver_webhook_task(delivery_id: int) -> None:
    """POST one outbox row if it is due (claimed first; see api/webhooks/delivery.py)."""
    from api.webhooks.delivery import deliver

    deliver(delivery_id=delivery_id)


@shared_task(soft_time_limit=50, time_limit=60)
def webhooks_sweep_task() -> None:
    """Every minute: queue deliveries due for a retry, and those whose worker died mid-send."""
    from api.webhooks.delivery import sweep

    sweep()


@shared_task(
    acks_late=True,
    soft_time_limit=settings.LONGEST_TASK_SECONDS - 60,
    time_limit=settings.LONGEST_TASK_SECONDS,
)
def sync_run_task(job_id: int) -> None:
    """Run (or continue) a sync from Action Network; claimed first, so running twice is safe."""
    from api.sync.run import sync_run

    sync_run(job_id=job_id)


@shared_task(soft_time_limit=50, time_limit=60)
def sync_sweep_task() -> None:
    """Every minute: queue syncs left pending (Redis was down) or whose worker died."""
    from api.sync.run import sync_sweep

    sync_sweep()
