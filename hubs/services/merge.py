"""What a merge of two people moves on the hubs side (registered with contacts' merge)."""

from __future__ import annotations

from hubs.models import DoorResult, Placement, Residence, StructureTestReach


def merge_hub_records(*, keep, remove) -> dict[str, int]:
    """Where the removed person lives, their place on a workplace map, the doors knocked for
    them and the structure tests that reached them: moved to ``keep`` (duplicates dropped).
    Runs inside ``contacts.services.people.contact_merge``'s transaction."""
    Residence.objects.filter(
        contact=remove, unit_id__in=Residence.objects.filter(contact=keep).values("unit_id")
    ).delete()
    Placement.objects.filter(
        contact=remove, hub_id__in=Placement.objects.filter(contact=keep).values("hub_id")
    ).delete()
    StructureTestReach.objects.filter(
        contact=remove,
        test_id__in=StructureTestReach.objects.filter(contact=keep).values("test_id"),
    ).delete()
    return {
        "residences": Residence.objects.filter(contact=remove).update(contact=keep),
        "placements": Placement.objects.filter(contact=remove).update(contact=keep)
        + Placement.objects.filter(organized_by=remove).update(organized_by=keep),
        "door_results": DoorResult.objects.filter(contact=remove).update(contact=keep),
        "structure_tests": StructureTestReach.objects.filter(contact=remove).update(contact=keep),
    }
