from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "hubs"
    verbose_name = _("Hubs")

    def ready(self) -> None:
        # Merging two people must also move their doors, residences and workplace-map places;
        # contacts may not import those models, so hubs hands contacts its merge step.
        from contacts.services.people import register_merge_step
        from hubs.services.merge import merge_hub_records

        register_merge_step(merge_hub_records)
