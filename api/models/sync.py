"""Sync from Action Network (or any OSDI server): a job per run, and what it brought in.

A ``SyncJob`` keeps its cursor (the step and the next page's URL) and its counts in the same
transaction as each page's writes, so a job that stopped (a worker died, the server failed)
continues from the page it was on. ``SyncLink`` remembers which of our events and petitions a
remote one became (people carry an ``ExternalId`` instead, as imports do)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ACTION_NETWORK_URL = "https://actionnetwork.org/api/v2/"


class SyncJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to start")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("stopped")

    base_url = models.URLField(_("server"), max_length=300, default=ACTION_NETWORK_URL)
    # Kept only while the job can still run (to resume); erased when it is done. Never shown.
    api_key = models.CharField(max_length=200, blank=True)
    hub = models.ForeignKey(
        "hubs.Hub", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    since = models.DateTimeField(null=True, blank=True)  # only records changed after this
    cursor = models.JSONField(default=dict, blank=True)  # {"step": …, "next": url or None}
    progress = models.JSONField(default=dict, blank=True)  # {step: {count name: n}}
    errors = models.JSONField(default=list, blank=True)  # the first 100 problems
    error = models.CharField(max_length=500, blank=True)  # why it stopped
    attempts = models.PositiveSmallIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"sync #{self.pk} from {self.base_url} ({self.status})"


class SyncLink(models.Model):
    class Kind(models.TextChoices):
        EVENT = "event", _("event")
        PETITION = "petition", _("petition")

    base_url = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    remote_id = models.CharField(max_length=120)
    local_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["base_url", "kind", "remote_id"], name="sync_link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.remote_id} → {self.local_id}"
