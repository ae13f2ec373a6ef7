"""Reads for walk lists: who may open a piece, and the piece's doors grouped by building.

``piece_for_user`` is the chokepoint every walk-list page and tap goes through. A walk list is
a constant number of queries whatever its size: doors with their buildings, residents, latest
results — one query each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role
from hubs.models import Building, DoorResult, HubMembership, Residence, TurfDoor, TurfPiece
from hubs.selectors.access import hub_ids_for_user

RESULT_LABELS = dict(DoorResult.Result.choices)


def pieces_for_user(user) -> QuerySet[TurfPiece]:
    """Pieces the user may walk or watch: their own, their hubs' when they are its captain,
    every piece for staff."""
    if not user.is_authenticated or not user.is_active:
        return TurfPiece.objects.none()
    pieces = TurfPiece.objects.select_related("turf__hub", "assigned_to")
    if user.role == Role.STAFF:
        return pieces
    captain_of = hub_ids_for_user(user, roles=(HubMembership.Role.CAPTAIN,))
    return pieces.filter(Q(assigned_to_id=user.pk) | Q(turf__hub_id__in=captain_of))


def piece_for_user(user, piece_id: int) -> TurfPiece:
    """The piece, or 404 when it does not exist or is neither the user's nor their hub's."""
    return get_object_or_404(pieces_for_user(user), pk=piece_id)


def door_of_piece(piece: TurfPiece, door_id: int) -> TurfDoor:
    """A door currently on ``piece`` (404 when it is elsewhere, e.g. after rebalancing)."""
    return get_object_or_404(
        TurfDoor.objects.select_related("unit__building"), pk=door_id, piece_id=piece.pk
    )


@dataclass
class Resident:
    """What a walk list shows of a person: their name, nothing else."""

    contact_id: int
    name: str


@dataclass
class DoorRow:
    door: TurfDoor
    residents: list[Resident] = field(default_factory=list)
    latest: DoorResult | None = None
    # Set by the view: the door id as text, its heading, where its results are posted.
    key: str = ""
    heading: str = ""
    tap_url: str = ""

    @property
    def unit_label(self) -> str:
        return self.door.unit.label

    @property
    def latest_label(self) -> str:
        """The latest result's label (``get_result_display()`` is slow on a 300-door page)."""
        return RESULT_LABELS.get(self.latest.result, self.latest.result) if self.latest else ""


@dataclass
class BuildingGroup:
    building: Building
    doors: list[DoorRow] = field(default_factory=list)


@dataclass
class WalkList:
    piece: TurfPiece
    buildings: list[BuildingGroup]

    @property
    def doors(self) -> list[DoorRow]:
        return [row for group in self.buildings for row in group.doors]

    @property
    def total(self) -> int:
        return sum(len(group.doors) for group in self.buildings)

    @property
    def done(self) -> int:
        return sum(1 for row in self.doors if row.latest is not None)


def _residents_by_unit(unit_ids) -> dict[int, list[Resident]]:
    rows = (
        Residence.objects.filter(unit_id__in=unit_ids)
        .order_by("contact__last_name", "contact__first_name", "contact_id")
        .values_list(
            "unit_id", "contact_id", "contact__first_name", "contact__preferred_name",
            "contact__last_name",
        )
    )  # fmt: skip
    found: dict[int, list[Resident]] = {}
    for unit_id, contact_id, first, preferred, last in rows:
        name = " ".join(part for part in (preferred or first, last) if part) or "(no name)"
        found.setdefault(unit_id, []).append(Resident(contact_id, name))
    return found


def _latest_by_door(door_ids) -> dict[int, DoorResult]:
    latest = (
        DoorResult.objects.filter(door_id__in=door_ids)
        .order_by("door_id", "-at", "-pk")
        .distinct("door_id")
        .only("id", "door_id", "result", "note", "at")
    )
    return {result.door_id: result for result in latest}


# What a walk list shows of a door, its unit and building (``only()``: a building row also
# carries its location and address keys, which no list shows).
_DOOR_FIELDS = (
    "id", "unit_id", "piece_id", "position", "unit__label", "unit__building_id",
    "unit__building__street_number", "unit__building__street", "unit__building__zip_code",
)  # fmt: skip


def walk_list(piece: TurfPiece) -> WalkList:
    """The piece's doors in walking order, grouped by building (a building appears once, where
    its first door comes), each with its residents' names and its latest result."""
    doors = (
        TurfDoor.objects.filter(piece_id=piece.pk)
        .select_related("unit__building")
        .only(*_DOOR_FIELDS)
        .order_by("position", "pk")
    )
    door_ids = TurfDoor.objects.filter(piece_id=piece.pk).values("pk")
    unit_ids = TurfDoor.objects.filter(piece_id=piece.pk).values("unit_id")
    residents = _residents_by_unit(unit_ids)
    latest = _latest_by_door(door_ids)
    groups: dict[int, BuildingGroup] = {}
    for door in doors:
        building = door.unit.building
        group = groups.setdefault(building.pk, BuildingGroup(building))
        group.doors.append(DoorRow(door, residents.get(door.unit_id, []), latest.get(door.pk)))
    return WalkList(piece, list(groups.values()))


def door_row(door: TurfDoor) -> DoorRow:
    """One door as the walk list shows it (after a tap)."""
    residents = _residents_by_unit([door.unit_id]).get(door.unit_id, [])
    return DoorRow(door, residents, _latest_by_door([door.pk]).get(door.pk))


def piece_progress(piece: TurfPiece) -> tuple[int, int]:
    """(doors with a result, doors) of the piece."""
    door_ids = TurfDoor.objects.filter(piece_id=piece.pk).values("pk")
    done = DoorResult.objects.filter(door_id__in=door_ids).values("door_id").distinct().count()
    return done, TurfDoor.objects.filter(piece_id=piece.pk).count()
