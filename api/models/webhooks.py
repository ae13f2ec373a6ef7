"""Outgoing webhooks: endpoints staff register, the events they hear, and the outbox.

An event is one ``WebhookEvent`` row (what happened, its data as staff would see it, no notes),
written in the same transaction as the write that caused it, with one ``WebhookDelivery`` per
active hook subscribed to it: the outbox. A worker claims a delivery with a conditional UPDATE,
POSTs it, and logs each try as a ``WebhookAttempt`` (see ``api/webhooks/delivery.py``)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    PERSON_CREATED = "person.created", _("Person created")
    PERSON_UPDATED = "person.updated", _("Person updated")
    ONE_ON_ONE_LOGGED = "one_on_one.logged", _("One-on-one logged")
    STAGE_CHANGED = "stage.changed", _("Ladder stage changed")
    RSVP_CREATED = "rsvp.created", _("RSVP")
    ATTENDANCE_RECORDED = "attendance.recorded", _("Attendance recorded")
    SIGNATURE_CREATED = "signature.created", _("Petition signed")


PING = "ping"  # the "Send test" event, sent to one hook whatever it subscribes to
URL_MAX_LENGTH = 500


def new_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=URL_MAX_LENGTH)
    events = ArrayField(models.CharField(max_length=40, choices=Event.choices), default=list)
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class WebhookEvent(models.Model):
    event = models.CharField(max_length=40)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="api_event_created")]  # forgetting

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class WebhookDelivery(models.Model):
    """One event for one hook. ``pending`` rows are sent when ``next_attempt_at`` has come;
    ``sending`` rows are claimed by a worker (taken again when ``claimed_at`` is stale)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("sending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("gave up")

    hook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["hook", "-created_at"], name="api_delivery_hook_recent"),
            # The sweep's two questions: due retries and stale claims.
            models.Index(
                fields=["next_attempt_at"],
                name="api_delivery_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["claimed_at"],
                name="api_delivery_claimed",
                condition=models.Q(status="sending"),
            ),
        ]

    def __str__(self) -> str:
        return f"delivery #{self.pk} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back (a bounded excerpt) or what went wrong."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"attempt at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
