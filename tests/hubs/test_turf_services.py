"""Turf services: cutting by shape and by lists, walking order, splitting, assignment history,
progress in one query, rebalancing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hubs.models import (
    Building,
    DoorAssignment,
    DoorResult,
    Residence,
    Turf,
    TurfDoor,
    TurfPiece,
    Unit,
)
from hubs.selectors.turf import pieces_for_assignee, turf_progress
from hubs.services.turf import (
    TurfCut,
    TurfError,
    piece_assign,
    piece_rebalance,
    turf_create,
    turf_cut_count,
    turf_split,
)
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

# A box around a few blocks of Astoria, and one far away (Flatbush).
ASTORIA = [(-73.93, 40.76), (-73.91, 40.76), (-73.91, 40.78), (-73.93, 40.78)]
FLATBUSH = (-73.96, 40.64)


def building(number: str, street: str, *, units=("",), at=(-73.92, 40.77), zip_code="11103",
             **extra) -> Building:  # fmt: skip
    b = Building.objects.create(
        street_number=number,
        street=street,
        zip_code=zip_code,
        longitude=at[0],
        latitude=at[1],
        **extra,
    )
    Unit.objects.bulk_create(Unit(building=b, label=label) for label in units)
    return b


def door_labels(turf: Turf, piece: TurfPiece | None = None) -> list[str]:
    doors = TurfDoor.objects.filter(turf=turf).select_related("unit__building")
    if piece is not None:
        doors = doors.filter(piece=piece)
    return [str(d.unit) for d in doors.order_by("position")]


def result(door: TurfDoor, value: str, by=None) -> DoorResult:
    return DoorResult.objects.create(
        unit_id=door.unit_id, door=door, piece_id=door.piece_id, result=value, by=by
    )


def test_a_polygon_cut_counts_the_doors_buildings_and_people_inside(cast):
    inside = building("10", "31st St", units=("1", "2", "3"))
    building("12", "31st St", at=FLATBUSH)
    for unit in inside.units.all()[:2]:
        Residence.objects.create(contact=ContactFactory(), unit=unit)

    count = turf_cut_count(cut=TurfCut(polygon=ASTORIA), by=None)

    assert (count.doors, count.buildings, count.people) == (3, 1, 2)


def test_a_polygon_cut_saves_the_doors_inside_in_walking_order(cast):
    building("11", "31st St", units=("10", "2", "1"))
    building("12", "31st St")
    building("9", "31st St")
    building("5", "Ditmars Blvd")
    building("1", "31st St", at=FLATBUSH)

    turf = turf_create(hub=cast.hub_a, name="Astoria", cut=TurfCut(polygon=ASTORIA), by=None)

    # street, odd side up, then even side up; units in natural order within a building
    assert door_labels(turf) == [
        "9 31st St",
        "11 31st St 1",
        "11 31st St 2",
        "11 31st St 10",
        "12 31st St",
        "5 Ditmars Blvd",
    ]
    turf.refresh_from_db()
    assert turf.area == ASTORIA and turf.hub == cast.hub_a


def test_a_list_cut_narrows_by_each_filled_list(cast):
    building("1", "Main St", zip_code="11103", election_district="36-012")
    building("2", "Main St", zip_code="11105", election_district="36-012")
    building("3", "Oak St", zip_code="11103", building_ref="B-7")

    by_zip = TurfCut(zip_codes=["11103"])
    assert turf_cut_count(cut=by_zip, by=None).doors == 2
    by_street = TurfCut(zip_codes=["11103"], streets=["main st."])
    assert turf_cut_count(cut=by_street, by=None).doors == 1
    assert turf_cut_count(cut=TurfCut(election_districts=["36-012"]), by=None).doors == 2
    assert turf_cut_count(cut=TurfCut(building_refs=["B-7"]), by=None).doors == 1

    turf = turf_create(hub=cast.hub_a, name="Zip", cut=by_zip, by=cast.captain_a)
    assert turf.criteria == {"zip_codes": ["11103"]}
    assert turf.doors.count() == 2


def test_an_empty_cut_is_refused_and_saves_nothing(cast):
    building("1", "Main St", at=FLATBUSH)

    with pytest.raises(TurfError):
        turf_create(hub=cast.hub_a, name="Nothing", cut=TurfCut(polygon=ASTORIA), by=None)
    with pytest.raises(TurfError):
        turf_create(hub=cast.hub_a, name="Nothing", cut=TurfCut(), by=None)
    assert not Turf.objects.exists()


def test_splitting_keeps_each_building_in_one_piece(cast):
    building("1", "Elm St", units=("1", "2", "3"))
    building("3", "Elm St", units=("1", "2", "3"))
    building("5", "Elm St")
    building("2", "Elm St", units=("A", "B"))
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)

    pieces = turf_split(turf=turf, size=4)

    assert [p.number for p in pieces] == [1, 2, 3]
    assert door_labels(turf, pieces[0]) == ["1 Elm St 1", "1 Elm St 2", "1 Elm St 3"]
    assert door_labels(turf, pieces[1]) == ["3 Elm St 1", "3 Elm St 2", "3 Elm St 3", "5 Elm St"]
    assert door_labels(turf, pieces[2]) == ["2 Elm St A", "2 Elm St B"]


def test_splitting_again_replaces_the_pieces_of_an_untouched_turf(cast):
    for n in range(1, 11):
        building(str(n), "Elm St")
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    turf_split(turf=turf, size=2)

    pieces = turf_split(turf=turf, size=5)

    assert TurfPiece.objects.filter(turf=turf).count() == 2
    assert [p.doors.count() for p in pieces] == [5, 5]


def test_splitting_a_turf_with_results_is_refused(cast):
    building("1", "Elm St", units=("1", "2"))
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    (piece,) = turf_split(turf=turf, size=5)
    result(piece.doors.first(), DoorResult.Result.TALKED)

    with pytest.raises(TurfError, match="already has results"):
        turf_split(turf=turf, size=1)
    assert list(TurfPiece.objects.filter(turf=turf)) == [piece]


def test_assigning_a_piece_records_who_has_each_door(cast):
    building("1", "Elm St", units=("1", "2", "3"))
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    (piece,) = turf_split(turf=turf, size=10)
    due = dt.date(2026, 12, 1)

    piece_assign(piece=piece, assignee=cast.volunteer_a, due_on=due, by=cast.captain_a)

    piece.refresh_from_db()
    assert (piece.assigned_to, piece.due_on) == (cast.volunteer_a, due)
    rows = DoorAssignment.objects.filter(piece=piece)
    assert rows.count() == 3
    assert {(r.assignee_id, r.by_id, r.ended_at) for r in rows} == {
        (cast.volunteer_a.pk, cast.captain_a.pk, None)
    }
    assert list(pieces_for_assignee(cast.volunteer_a)) == [piece]
    assert list(pieces_for_assignee(cast.organizer_a)) == []


def test_reassigning_ends_the_old_history_rows(cast):
    building("1", "Elm St", units=("1", "2"))
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    (piece,) = turf_split(turf=turf, size=10)
    piece_assign(piece=piece, assignee=cast.volunteer_a, due_on=None, by=cast.captain_a)

    piece_assign(piece=piece, assignee=cast.organizer_a, due_on=None, by=cast.captain_a)

    old = DoorAssignment.objects.filter(assignee=cast.volunteer_a)
    new = DoorAssignment.objects.filter(assignee=cast.organizer_a)
    assert old.count() == 2 and all(r.ended_at for r in old)
    assert new.count() == 2 and not any(r.ended_at for r in new)


def test_a_piece_cannot_go_to_someone_outside_the_hub(cast):
    building("1", "Elm St")
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    (piece,) = turf_split(turf=turf, size=10)

    with pytest.raises(TurfError, match="not a member"):
        piece_assign(piece=piece, assignee=cast.organizer_b, due_on=None, by=cast.captain_a)
    piece.refresh_from_db()
    assert piece.assigned_to is None


def test_progress_counts_doors_attempted_contacts_and_latest_results_per_piece(cast):
    for n in (1, 3, 5, 7):
        building(str(n), "Elm St")
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    one, two = turf_split(turf=turf, size=2)
    d1, d2 = one.doors.order_by("position")
    (d3, _d4) = two.doors.order_by("position")
    result(d1, DoorResult.Result.NOT_HOME)
    result(d1, DoorResult.Result.TALKED)  # the latest result counts in the breakdown
    result(d2, DoorResult.Result.REFUSED)
    result(d3, DoorResult.Result.SIGNED)

    with CaptureQueriesContext(connection) as queries:
        progress = turf_progress(turf)

    assert len(queries) == 2  # the aggregate, and the pieces with their assignees
    total = progress.total
    assert (total.doors, total.attempted, total.contacts_made) == (4, 3, 2)
    assert total.results["talked"] == 1 and total.results["not_home"] == 0
    first, second = progress.pieces
    assert (first.progress.doors, first.progress.attempted, first.progress.contacts_made) == (
        2,
        2,
        1,
    )
    assert dict(first.progress.breakdown()) == {"Talked": 1, "Refused": 1}
    assert (second.progress.attempted, second.progress.contacts_made) == (1, 1)


def test_rebalancing_moves_only_unvisited_doors_and_keeps_the_history(cast):
    for n in (1, 3, 5, 7, 9):
        building(str(n), "Elm St")
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    (piece,) = turf_split(turf=turf, size=10)
    piece_assign(piece=piece, assignee=cast.volunteer_a, due_on=None, by=cast.captain_a)
    knocked = piece.doors.order_by("position").first()
    result(knocked, DoorResult.Result.NOT_HOME, by=cast.volunteer_a)

    new = piece_rebalance(
        piece=piece,
        assignees=[cast.organizer_a, cast.captain_a],
        due_on=dt.date(2026, 12, 5),
        by=cast.captain_a,
    )

    assert [p.number for p in new] == [2, 3]
    assert [p.assigned_to for p in new] == [cast.organizer_a, cast.captain_a]
    assert door_labels(turf, piece) == ["1 Elm St"]
    assert door_labels(turf, new[0]) == ["3 Elm St", "5 Elm St"]
    assert door_labels(turf, new[1]) == ["7 Elm St", "9 Elm St"]
    moved = TurfDoor.objects.get(turf=turf, unit__building__street_number="3")
    history = list(moved.assignments.order_by("started_at", "pk"))
    assert [(h.assignee, h.ended_at is None) for h in history] == [
        (cast.volunteer_a, False),
        (cast.organizer_a, True),
    ]
    still = DoorAssignment.objects.get(door=knocked)
    assert still.ended_at is None and still.assignee == cast.volunteer_a


def test_rebalancing_a_finished_piece_is_refused(cast):
    building("1", "Elm St")
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    (piece,) = turf_split(turf=turf, size=10)
    result(piece.doors.get(), DoorResult.Result.TALKED)

    with pytest.raises(TurfError, match="nothing to move"):
        piece_rebalance(piece=piece, assignees=[cast.organizer_a], due_on=None, by=None)
    assert TurfPiece.objects.filter(turf=turf).count() == 1


def test_pieces_for_assignee_are_one_query_and_drop_hubs_the_user_left(cast):
    building("1", "Elm St", units=("1", "2"))
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    (piece,) = turf_split(turf=turf, size=10)
    piece_assign(piece=piece, assignee=cast.volunteer_a, due_on=None, by=None)

    with CaptureQueriesContext(connection) as queries:
        pieces = list(pieces_for_assignee(cast.volunteer_a))
        assert pieces[0].door_count == 2 and pieces[0].turf.hub.name == "Hub A"
    assert len(queries) == 1

    cast.hub_a.roles.filter(user=cast.volunteer_a).delete()
    assert list(pieces_for_assignee(cast.volunteer_a)) == []
    assert list(pieces_for_assignee(UserFactory())) == []
