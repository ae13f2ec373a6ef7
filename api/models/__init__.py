from api.models.webhooks import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent

__all__ = ["Webhook", "WebhookAttempt", "WebhookDelivery", "WebhookEvent"]
