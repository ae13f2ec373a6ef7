from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from campaigns.signals import door_signed
        from hubs.models import DoorResult

        post_save.connect(door_signed, sender=DoorResult, dispatch_uid="campaigns.door_signed")
