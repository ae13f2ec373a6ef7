"""Walk lists: who may open a piece, what the list shows, and how many queries it takes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Role
from contacts.models import Contact, HubMember, Interaction
from hubs.models import Building, DoorResult, Residence, Turf, TurfDoor, TurfPiece, Unit
from hubs.selectors.walk import piece_for_user, walk_list
from tests.factories import ContactFactory, HubRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@dataclass
class World:
    piece: TurfPiece
    doors: list[TurfDoor]
    residents: dict[int, list[Contact]]  # door pk → people living there


def build_piece(
    hub,
    *,
    assigned_to=None,
    doors: int = 4,
    per_building: int = 2,
    street: str = "Elm St",
    residents: int = 1,
    number: int = 1,
    turf: Turf | None = None,
) -> World:
    """A turf of ``hub`` with one piece of ``doors`` doors (``per_building`` units per building,
    ``residents`` people per unit), positions in walking order."""
    turf = turf or Turf.objects.create(hub=hub, name=f"{street} turf")
    piece = TurfPiece.objects.create(turf=turf, number=number, assigned_to=assigned_to)
    made, living = [], {}
    building = None
    for i in range(doors):
        if i % per_building == 0:
            building = Building.objects.create(
                street_number=str(100 + 2 * (i // per_building)), street=street, zip_code="11211"
            )
        unit = Unit.objects.create(building=building, label=f"{i % per_building + 1}A")
        door = TurfDoor.objects.create(turf=turf, unit=unit, piece=piece, position=i)
        people = [
            ContactFactory(first_name=f"Res{i}x{k}", last_name=street.split()[0])
            for k in range(residents)
        ]
        Residence.objects.bulk_create(Residence(contact=p, unit=unit) for p in people)
        # The hub's own people: the walk list names them to the piece's walker.
        HubMember.objects.bulk_create(HubMember(contact=p, hub=hub) for p in people)
        made.append(door)
        living[door.pk] = people
    return World(piece, made, living)


@pytest.fixture
def world(cast):
    return build_piece(cast.hub_a, assigned_to=cast.volunteer_a)


# --- who may open a piece ------------------------------------------------------------------------


def test_the_assignee_a_captain_of_its_hub_and_staff_open_the_walk_list(cast, world, client_for):
    for user in (cast.volunteer_a, cast.captain_a, cast.staff):
        response = client_for(user).get(f"/hubs/pieces/{world.piece.pk}/")
        assert response.status_code == 200, user
        assert "Elm St turf" in response.content.decode()


def test_it_answers_404_to_everyone_else(cast, world, client_for):
    other_volunteer = UserFactory(role=Role.VOLUNTEER)
    HubRoleFactory(hub=cast.hub_a, user=other_volunteer, role="volunteer")
    for user in (cast.organizer_a, cast.organizer_b, other_volunteer):
        assert client_for(user).get(f"/hubs/pieces/{world.piece.pk}/").status_code == 404, user
        assert client_for(user).get(f"/hubs/pieces/{world.piece.pk}/print/").status_code == 404
        assert client_for(user).get(f"/hubs/pieces/{world.piece.pk}/paper/").status_code == 404


def test_a_volunteer_sees_only_their_own_pieces(cast, world, client_for):
    other_volunteer = UserFactory(role=Role.VOLUNTEER)
    theirs = build_piece(cast.hub_a, assigned_to=other_volunteer, street="Oak St")
    client = client_for(cast.volunteer_a)
    assert client.get(f"/hubs/pieces/{theirs.piece.pk}/").status_code == 404
    door = theirs.doors[0]
    response = client.post(
        f"/hubs/pieces/{theirs.piece.pk}/doors/{door.pk}/result/", {"result": "talked"}
    )
    assert response.status_code == 404
    assert not DoorResult.objects.exists()


def test_a_captain_of_hub_a_cannot_open_hub_b_pieces(cast, client_for):
    captain_b_piece = build_piece(cast.hub_b, street="Pine St")
    client = client_for(cast.captain_a)
    assert client.get(f"/hubs/pieces/{captain_b_piece.piece.pk}/").status_code == 404
    url = f"/hubs/pieces/{captain_b_piece.piece.pk}/doors/{captain_b_piece.doors[0].pk}/result/"
    assert client.post(url, {"result": "talked"}).status_code == 404
    assert not DoorResult.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get(f"/hubs/pieces/{world.piece.pk}/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_piece_for_user_is_the_chokepoint(cast, world):
    assert piece_for_user(cast.volunteer_a, world.piece.pk) == world.piece
    with pytest.raises(Exception) as caught:
        piece_for_user(cast.organizer_a, world.piece.pk)
    assert caught.type.__name__ == "Http404"


# --- what the list shows -------------------------------------------------------------------------


def test_doors_are_grouped_by_building_in_walking_order(cast, world):
    # Reverse the positions: the second building's doors now come first.
    for position, door in enumerate(reversed(world.doors)):
        TurfDoor.objects.filter(pk=door.pk).update(position=position)
    walk = walk_list(world.piece, user=cast.staff)
    assert [str(g.building) for g in walk.buildings] == ["102 Elm St", "100 Elm St"]
    assert [row.unit_label for row in walk.buildings[0].doors] == ["2A", "1A"]
    assert walk.total == 4 and walk.done == 0


def test_the_volunteer_sees_residents_names_but_not_notes_or_assessments(cast, world, client_for):
    person = world.residents[world.doors[0].pk][0]
    Contact.objects.filter(pk=person.pk).update(preferred_name="Rosie", assessment=1)
    Interaction.objects.create(contact=person, kind="call", notes="Secret story about rent")
    html = client_for(cast.volunteer_a).get(f"/hubs/pieces/{world.piece.pk}/").content.decode()
    assert "Rosie Elm" in html
    assert "Secret story" not in html
    assert "Leader" not in html and "assessment" not in html.lower()


def test_each_door_shows_its_latest_result(cast, world, client_for):
    door = world.doors[1]
    DoorResult.objects.create(unit=door.unit, door=door, piece=world.piece, result="not_home")
    DoorResult.objects.create(
        unit=door.unit, door=door, piece=world.piece, result="signed", note="Signed the petition"
    )
    html = client_for(cast.volunteer_a).get(f"/hubs/pieces/{world.piece.pk}/").content.decode()
    fragment = html.split(f'id="door-{door.pk}"')[1].split("</li>\n")[0]
    assert "Signed the petition" in fragment and "walk-badge result-signed" in fragment
    assert "1 of 4 doors done" in html


@pytest.mark.parametrize("doors", [10, 100])
def test_the_walk_list_query_count_does_not_grow_with_doors(
    cast, client_for, django_assert_max_num_queries, doors
):
    world = build_piece(cast.hub_a, assigned_to=cast.volunteer_a, doors=doors, residents=2)
    for door in world.doors[::3]:
        DoorResult.objects.create(unit=door.unit, door=door, piece=world.piece, result="talked")
    client = client_for(cast.volunteer_a)
    with django_assert_max_num_queries(8):
        response = client.get(f"/hubs/pieces/{world.piece.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('<li id="door-') == doors
