from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(time_limit=30, soft_time_limit=25)
def heartbeat() -> None:
    """Record that beat and a worker are alive (shown on /healthz)."""
    cache.set("organizer:heartbeat", timezone.now().isoformat(), timeout=None)
