"""Reads for walk lists: who may open a piece, and the piece's doors grouped by building.

``piece_for_user`` is the chokepoint every walk-list page and tap goes through. A walk list is
a constant number of queries whatever its size: doors with their buildings, residents, latest
results — one query each.

Who is shown at a door (``residents_for_user``): the people the viewer may see
(``contacts_for_user``) plus the people of the piece's own hub — the captain handed the piece to
its walker to knock on those doors. Doors are chapter-wide, so a door may also house someone of
another hub or of no hub: such a person is never named on the list, never counted, and a tap
cannot name them (the tap service checks the same rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role
from contacts.models import Contact, HubMember
from contacts.selectors.access import contacts_for_user
from hubs.models import Building, DoorResult, HubRole, Residence, TurfDoor, TurfPiece
from hubs.selectors.access import hub_ids_for_user

RESULT_LABELS = dict(DoorResult.Result.choices)


def pieces_for_user(user) -> QuerySet[TurfPiece]:
    """Pieces the user may walk or watch: their own while they still belong to the piece's hub,
    their hubs' when they are its captain, every piece for staff.

    Read from the memberships on every request: someone removed from a hub stops opening and
    tapping the pieces still assigned to them at once."""
    if not user.is_authenticated or not user.is_active:
        return TurfPiece.objects.none()
    pieces = TurfPiece.objects.select_related("turf__hub", "assigned_to")
    if user.role == Role.STAFF:
        return pieces
    member_of = hub_ids_for_user(user)
    captain_of = hub_ids_for_user(user, roles=(HubRole.Role.CAPTAIN,))
    return pieces.filter(
        Q(assigned_to_id=user.pk, turf__hub_id__in=member_of) | Q(turf__hub_id__in=captain_of)
    )


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


def residents_for_user(user, piece: TurfPiece) -> QuerySet[Contact]:
    """The people a walk list of ``piece`` may name to ``user``: those the user may see, and the
    people of the piece's hub (see the module note). Staff: everyone."""
    if not user.is_authenticated or not user.is_active:
        return Contact.objects.none()
    if user.role == Role.STAFF:
        return Contact.objects.all()
    in_piece_hub = HubMember.objects.filter(contact_id=OuterRef("pk"), hub_id=piece.turf.hub_id)
    return Contact.objects.filter(
        Q(pk__in=contacts_for_user(user).values("pk")) | Exists(in_piece_hub)
    )


def _residents_by_unit(unit_ids, visible: QuerySet[Contact]) -> dict[int, list[Resident]]:
    rows = (
        Residence.objects.filter(unit_id__in=unit_ids, contact_id__in=visible.values("pk"))
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


def walk_list(piece: TurfPiece, *, user) -> WalkList:
    """The piece's doors in walking order, grouped by building (a building appears once, where
    its first door comes), each with the names of the residents ``user`` may be shown
    (:func:`residents_for_user`) and its latest result."""
    doors = (
        TurfDoor.objects.filter(piece_id=piece.pk)
        .select_related("unit__building")
        .only(*_DOOR_FIELDS)
        .order_by("position", "pk")
    )
    door_ids = TurfDoor.objects.filter(piece_id=piece.pk).values("pk")
    unit_ids = TurfDoor.objects.filter(piece_id=piece.pk).values("unit_id")
    residents = _residents_by_unit(unit_ids, residents_for_user(user, piece))
    latest = _latest_by_door(door_ids)
    groups: dict[int, BuildingGroup] = {}
    for door in doors:
        building = door.unit.building
        group = groups.setdefault(building.pk, BuildingGroup(building))
        group.doors.append(DoorRow(door, residents.get(door.unit_id, []), latest.get(door.pk)))
    return WalkList(piece, list(groups.values()))


def door_row(door: TurfDoor, *, user, piece: TurfPiece) -> DoorRow:
    """One door as the walk list shows it to ``user`` (after a tap)."""
    visible = residents_for_user(user, piece)
    residents = _residents_by_unit([door.unit_id], visible).get(door.unit_id, [])
    return DoorRow(door, residents, _latest_by_door([door.pk]).get(door.pk))


def piece_progress(piece: TurfPiece) -> tuple[int, int]:
    """(doors with a result, doors) of the piece."""
    door_ids = TurfDoor.objects.filter(piece_id=piece.pk).values("pk")
    done = DoorResult.objects.filter(door_id__in=door_ids).values("door_id").distinct().count()
    return done, TurfDoor.objects.filter(piece_id=piece.pk).count()
