"""Staff's writes on hooks (the views call these; each is one transaction)."""

from __future__ import annotations

from django.db import transaction

from api.models import Webhook, WebhookDelivery
from api.models.webhooks import new_secret


def _stop_waiting(hook: Webhook) -> None:
    """A disabled hook gets nothing: what was waiting for it is given up (not sent later)."""
    WebhookDelivery.objects.filter(
        hook=hook,
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING],
    ).update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None, last_response="disabled")


@transaction.atomic
def webhook_save(*, by, hook: Webhook) -> Webhook:
    if hook.pk is None:
        hook.created_by = by
    hook.save()
    if not hook.active:
        _stop_waiting(hook)
    return hook


@transaction.atomic
def webhook_new_secret(*, by, hook: Webhook) -> Webhook:
    hook.secret = new_secret()
    hook.save(update_fields=["secret", "updated_at"])
    return hook


@transaction.atomic
def webhook_delete(*, by, hook: Webhook) -> None:
    hook.delete()
