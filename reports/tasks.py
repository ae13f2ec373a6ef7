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

    from reports.routers import report_session
    from reports.weekly import weekly_run

    with report_session():
        weekly_run(now=timezone.now())


@shared_task(
    acks_late=True,
    time_limit=settings.LONGEST_TASK_SECONDS,
    soft_time_limit=settings.LONGEST_TASK_SECONDS - 60,
)
def person_facts_refresh_task() -> None:
    """Rewrite the precomputed person facts the depth, cohort and reach reports read (every
    15 minutes by beat, after a neighborhood import, and when staff press "Refresh now")."""
    from reports.services import person_facts_refresh

    person_facts_refresh()
