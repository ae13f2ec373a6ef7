from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(
    acks_late=True,
    time_limit=settings.LONGEST_TASK_SECONDS,
    soft_time_limit=settings.LONGEST_TASK_SECONDS - 60,
)
def weekly_summaries_task() -> None:
    """Plan this week's summary emails and send those not sent yet. Safe to run twice or
    concurrently: each summary is claimed by one run (reports.weekly)."""
    from django.utils import timezone

    from reports.weekly import weekly_run

    weekly_run(now=timezone.now())
