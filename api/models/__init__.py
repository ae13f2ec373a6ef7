from api.models.sync import SyncJob, SyncLink
from api.models.webhooks import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent

__all__ = ["SyncJob", "SyncLink", "Webhook", "WebhookAttempt", "WebhookDelivery", "WebhookEvent"]
