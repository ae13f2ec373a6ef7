"""Follow-up reminders: one digest per organizer per day per channel, enforced by the database.

``ReminderDelivery`` is the digest (claimed with a conditional UPDATE before sending, retried
with backoff on failure, its error visible to staff). ``ReminderItem`` says which follow-ups a
digest carried; ``(follow_up, day, channel)`` is unique, so no follow-up is ever reminded twice on
the same day and channel — not by a second run, a second beat, nor a reassignment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class ReminderDelivery(models.Model):
    Channel = Channel

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    day = models.DateField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "channel"], name="reminder_one_per_user_day_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} reminder for {self.user_id} on {self.day} ({self.status})"


class ReminderItem(models.Model):
    delivery = models.ForeignKey(ReminderDelivery, on_delete=models.CASCADE, related_name="items")
    follow_up = models.ForeignKey(
        "contacts.FollowUp", on_delete=models.CASCADE, related_name="reminder_items"
    )
    day = models.DateField()
    channel = models.CharField(max_length=8, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "day", "channel"], name="reminder_item_once_per_day_channel"
            )
        ]

    def __str__(self) -> str:
        return f"follow-up {self.follow_up_id} reminded {self.day} by {self.channel}"
