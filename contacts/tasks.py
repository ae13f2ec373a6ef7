"""Background work for people. Tasks take IDs and call one service; a missing row is a no-op."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from contacts.services.imports import import_run, imports_sweep


@shared_task(acks_late=True, time_limit=settings.LONGEST_TASK_SECONDS)
def import_contacts_task(job_id: str) -> None:
    """Run an import or its preview (a dry run). Safe to run twice: the service claims the job
    first, and takes up a job again only when its worker's heartbeat stopped."""
    import_run(job_id=job_id)


@shared_task(soft_time_limit=50, time_limit=60)
def imports_sweep_task() -> None:
    """Every minute: queue imports left pending (Redis was down) or whose worker died."""
    imports_sweep()


# --- ladder ---
# Each task takes IDs and calls one service in contacts.services.ladder. The work itself is
# recorded in PostgreSQL (needs_rescore, RescoreJob rows), so these tasks are an accelerator;
# the every-minute beat tasks are the guarantee. Retries are narrow: a database outage only.

_LADDER_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(soft_time_limit=50, time_limit=60, **_LADDER_RETRY)
def ladder_rescore_contact_task(contact_id: int) -> None:
    """Rescore one person now (a missing person scores nobody)."""
    from contacts.services.ladder import ladder_rescore

    ladder_rescore(contact_ids=[contact_id])


@shared_task(soft_time_limit=60 * 4, time_limit=60 * 5, **_LADDER_RETRY)
def ladder_catch_up_task() -> None:
    """Every minute: rescore everyone marked ``needs_rescore`` (claimed, SKIP LOCKED)."""
    from contacts.services.ladder import ladder_catch_up

    ladder_catch_up()


@shared_task(
    soft_time_limit=settings.LONGEST_TASK_SECONDS - 120,
    time_limit=settings.LONGEST_TASK_SECONDS - 60,
    **_LADDER_RETRY,
)
def ladder_rescore_job_task(job_id: int) -> None:
    """Run a full-rescore job; a job already claimed, finished or deleted is a no-op."""
    from contacts.services.ladder import rescore_job_run

    rescore_job_run(job_id=job_id)


@shared_task(
    soft_time_limit=settings.LONGEST_TASK_SECONDS - 120,
    time_limit=settings.LONGEST_TASK_SECONDS - 60,
    **_LADDER_RETRY,
)
def ladder_jobs_sweep_task() -> None:
    """Every minute: run full-rescore jobs still waiting (their message was never queued)."""
    from contacts.services.ladder import rescore_jobs_sweep

    rescore_jobs_sweep()


@shared_task(
    soft_time_limit=settings.LONGEST_TASK_SECONDS - 120,
    time_limit=settings.LONGEST_TASK_SECONDS - 60,
    **_LADDER_RETRY,
)
def ladder_nightly_task() -> None:
    """At 03:00: rescore the people whose crossing time has passed (decay moves them down)."""
    from contacts.services.ladder import rescore_nightly

    rescore_nightly()


# --- reminders ---


@shared_task(
    acks_late=True,
    time_limit=settings.LONGEST_TASK_SECONDS,
    soft_time_limit=settings.LONGEST_TASK_SECONDS - 60,
)
def reminders_tick() -> None:
    """Every five minutes (beat): plan today's reminders whose hour has come, send them, retry
    failed ones. Safe to run twice or concurrently: each delivery is claimed by one run."""
    from django.utils import timezone

    from contacts.services.reminders import reminders_run

    reminders_run(now=timezone.now())
