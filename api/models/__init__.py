"""The api app's models: one module per concept."""

from api.models.sync import SyncJob, SyncLink
from api.models.tokens import ApiToken
from api.models.webhooks import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent

__all__ = [
    "ApiToken",
    "SyncJob",
    "SyncLink",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
]
