"""Event messages in the background. Tasks take IDs and call one service; sending is claimed
row by row, so a task run twice (or retried) sends each message once."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(acks_late=True, soft_time_limit=110, time_limit=120, **_RETRY)
def send_event_messages_task(message_ids: list[int]) -> None:
    """Send these messages now (the ones already sent or claimed are skipped)."""
    from campaigns.services.messages import messages_send

    messages_send(ids=message_ids)


@shared_task(acks_late=True, soft_time_limit=110, time_limit=120, **_RETRY)
def send_confirmations_task() -> None:
    """Send every RSVP confirmation waiting (queued a second after an RSVP; the RSVPs of that
    second share it)."""
    from campaigns.services.messages import confirmations_send

    confirmations_send()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=270, **_RETRY)
def event_messages_tick() -> None:
    """Every five minutes: plan the reminders whose moment came, send what is due."""
    from campaigns.services.messages import messages_tick

    messages_tick()
