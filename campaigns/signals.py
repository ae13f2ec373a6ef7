"""Signatures at the doors. hubs records door results and knows nothing of petitions; campaigns
listens (connected in ``CampaignsConfig.ready``): a "signed" result for a person, on turf of a
campaign with petitions, signs that person to each of the campaign's petitions, credited to
the volunteer who knocked. It runs inside the walk service's transaction, so a door result and
its signatures are saved together or not at all.

And what happens at events and on petitions, for higher apps to hear (``api`` writes webhook
outbox rows; connected in ``ApiConfig.ready``): sent by the one service that writes, inside its
transaction, with the ids written."""

from __future__ import annotations

from django.dispatch import Signal
from django.utils import timezone

from campaigns.models import Petition, Signature
from hubs.models import DoorResult

# rsvp_id: int — a new RSVP (rsvp_submit, or a walk-in added at the kiosk).
rsvp_created = Signal()
# rsvp_id: int — an RSVP marked attended (checkin_mark; once, the first time).
attendance_recorded = Signal()
# signature_id: int — a new signature on a petition (signature_record, whichever way).
signature_created = Signal()


def door_signed(sender, instance: DoorResult, created: bool, **kwargs) -> None:
    from campaigns.services.petitions import signature_record

    if not created or instance.result != DoorResult.Result.SIGNED or instance.contact is None:
        return
    if instance.piece_id is None:
        return
    petitions = Petition.objects.filter(
        campaign__turfs__pieces=instance.piece_id,
        campaign__starts_on__lte=timezone.localdate(instance.at),
        campaign__ends_on__gte=timezone.localdate(instance.at),
    ).distinct()
    for petition in petitions:
        signature_record(
            petition=petition,
            contact=instance.contact,
            source=Signature.Source.DOOR,
            by=instance.by,
            at=instance.at,
        )
