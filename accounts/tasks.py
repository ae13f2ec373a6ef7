"""Background work for accounts: the invitation and password-reset outbox."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def account_email_send_task(email_id: int) -> None:
    """Send one queued invitation or reset email; already sent, held or gone is a no-op."""
    from accounts.services import account_email_send

    account_email_send(email_id=email_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def account_emails_sweep_task() -> None:
    """Every minute: send emails still waiting and retry failed ones whose time has come."""
    from accounts.services import account_emails_sweep

    account_emails_sweep()
