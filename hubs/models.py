from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Hub(models.Model):
    class Kind(models.TextChoices):
        NEIGHBORHOOD = "neighborhood", _("Neighborhood hub")
        WORKPLACE = "workplace", _("Workplace hub")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    meeting_time = models.CharField(_("meeting time"), max_length=120, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")

    def __str__(self) -> str:
        return self.name


class HubMembership(models.Model):
    """A user's place in a hub: what their role lets them see and do there."""

    class Role(models.TextChoices):
        CAPTAIN = "captain", _("Captain")
        ORGANIZER = "organizer", _("Organizer")
        VOLUNTEER = "volunteer", _("Volunteer")

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("hub membership")
        verbose_name_plural = _("hub memberships")
        constraints = [
            models.UniqueConstraint(fields=["hub", "user"], name="hub_membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.hub} ({self.get_role_display()})"
