"""Turf and walk lists never reach past the user's scope (issue #9, findings 1 and 2).

A ZIP code or a shape easily covers another hub's addresses. A captain's cut, its preview count
and the map's markers take only doors whose residents they may see; a walk list names only the
people its viewer may see plus the piece's own hub's people; a tap naming anyone else is refused.
A role or membership change takes effect on the next request.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Interaction
from hubs.models import DoorResult, HubRole, Residence, Turf, TurfDoor, TurfPiece
from hubs.services.hubs import hub_role_set
from hubs.services.turf import TurfCut, turf_create
from tests.factories import ContactFactory, HubMemberFactory, HubRoleFactory
from tests.hubs.test_turf_services import building

pytestmark = pytest.mark.django_db


@pytest.fixture
def block(cast):
    """One ZIP code, three buildings: hub A's person, hub B's person, and an empty house."""
    ours = building("1", "Knick Ave", units=("1",), zip_code="11237")
    theirs = building("3", "Knick Ave", units=("1",), zip_code="11237", at=(-73.921, 40.771))
    building("5", "Knick Ave", units=("1",), zip_code="11237", at=(-73.922, 40.772))
    Residence.objects.create(contact=cast.person_a, unit=ours.units.get())
    Residence.objects.create(contact=cast.person_b, unit=theirs.units.get())
    return theirs.units.get()


def cut_by_zip(client, slug="hub-a", **extra):
    data = {"zip_codes": "11237", **extra}
    return client.post(reverse("hubs:turf_new", args=[slug]), data)


def test_a_captains_cut_leaves_out_doors_where_another_hubs_person_lives(cast, client_for, block):
    response = cut_by_zip(client_for(cast.captain_a), name="Knick", save="1")
    assert response.status_code == 302
    turf = Turf.objects.get()
    assert not TurfDoor.objects.filter(turf=turf, unit=block).exists()
    assert TurfDoor.objects.filter(turf=turf).count() == 2


def test_staff_cut_every_door(cast, client_for, block):
    cut_by_zip(client_for(cast.staff), name="Knick", save="1")
    assert TurfDoor.objects.filter(unit=block).exists()
    assert TurfDoor.objects.count() == 3


def test_the_preview_counts_only_doors_and_people_the_captain_may_see(cast, client_for, block):
    captain = client_for(cast.captain_a)
    html = captain.post(reverse("hubs:turf_preview", args=["hub-a"]), {"zip_codes": "11237"})
    text = " ".join(html.content.decode().split())
    assert "2 doors" in text and "1 person lives there" in text
    html = client_for(cast.staff).post(
        reverse("hubs:turf_preview", args=["hub-a"]), {"zip_codes": "11237"}
    )
    assert "3 doors" in html.content.decode() and "2 people" in html.content.decode()
    full = captain.post(reverse("hubs:turf_new", args=["hub-a"]), {"zip_codes": "11237"})
    assert "2 doors" in " ".join(full.content.decode().split())


def test_doors_json_leaves_out_buildings_the_captain_may_not_cut(cast, client_for, block):
    url = reverse("hubs:turf_doors", args=["hub-a"]) + "?bbox=-74,40,-73,41"
    captain = client_for(cast.captain_a).get(url).json()
    assert sorted(lat for _lng, lat, _n in captain["doors"]) == [40.77, 40.772]
    staff = client_for(cast.staff).get(url).json()
    assert len(staff["doors"]) == 3


def test_a_captain_in_two_hubs_may_cut_both_hubs_doors(cast, client_for, block):
    HubRoleFactory(hub=cast.hub_b, user=cast.captain_a, role=HubRole.Role.CAPTAIN)
    cut_by_zip(client_for(cast.captain_a), name="Knick", save="1")
    assert TurfDoor.objects.filter(unit=block).exists()


def test_a_door_with_someone_nobodys_hub_knows_is_not_cut_by_a_captain(cast, client_for, block):
    stranger = ContactFactory(first_name="Stranger")
    unit = building("7", "Knick Ave", units=("1",), zip_code="11237").units.get()
    Residence.objects.create(contact=stranger, unit=unit)
    cut_by_zip(client_for(cast.captain_a), name="Knick", save="1")
    assert not TurfDoor.objects.filter(unit=unit).exists()


@pytest.fixture
def mixed_piece(cast, block):
    """A hub A piece cut by staff over the whole ZIP: hub B's person lives at one of its doors.
    (A staff cut, or a person who moved in after the cut: the list must still not name them.)"""
    turf = turf_create(hub=cast.hub_a, name="Knick", cut=TurfCut(zip_codes=["11237"]), by=None)
    piece = TurfPiece.objects.create(turf=turf, number=1, assigned_to=cast.volunteer_a)
    TurfDoor.objects.filter(turf=turf).update(piece=piece)
    return piece


@pytest.mark.parametrize("who", ["captain_a", "volunteer_a"])
def test_the_piece_page_names_no_one_the_viewer_may_not_see(cast, client_for, mixed_piece, who):
    client = client_for(getattr(cast, who))
    for page in ("walk_list", "walk_print", "walk_paper"):
        html = client.get(reverse(f"hubs:{page}", args=[mixed_piece.pk])).content.decode()
        assert "Alvarez" in html, page  # hub A's own person
        assert "Baker" not in html, page
        assert f'data-contact-id="{cast.person_b.pk}"' not in html
        assert f'value="{cast.person_b.pk}"' not in html


def test_staff_see_every_resident_on_the_piece_page(cast, client_for, mixed_piece):
    html = client_for(cast.staff).get(reverse("hubs:walk_list", args=[mixed_piece.pk]))
    assert "Baker" in html.content.decode()


@pytest.mark.parametrize("who", ["captain_a", "volunteer_a"])
def test_a_tap_naming_a_person_the_walker_may_not_see_is_refused(
    cast, client_for, mixed_piece, block, who
):
    door = TurfDoor.objects.get(unit=block)
    url = reverse("hubs:walk_result", args=[mixed_piece.pk, door.pk])
    response = client_for(getattr(cast, who)).post(
        url, {"result": "talked", "contact": cast.person_b.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Baker" not in response.content.decode()
    assert not DoorResult.objects.exists()
    assert not Interaction.objects.filter(contact=cast.person_b).exists()


def test_a_tap_without_a_person_writes_only_to_residents_the_walker_may_see(
    cast, client_for, mixed_piece, block
):
    door = TurfDoor.objects.get(unit=block)
    url = reverse("hubs:walk_result", args=[mixed_piece.pk, door.pk])
    client_for(cast.volunteer_a).post(url, {"result": "talked"})
    saved = DoorResult.objects.get()
    assert saved.contact is None and saved.interaction is None
    assert not Interaction.objects.filter(contact=cast.person_b).exists()


def test_a_new_persons_phone_never_attaches_a_resident_the_walker_may_not_see(
    cast, client_for, mixed_piece, block
):
    from tests.factories import PhoneFactory

    PhoneFactory(contact=cast.person_b, raw="212-555-0147", e164="+12125550147")
    door = TurfDoor.objects.get(unit=block)
    url = reverse("hubs:walk_result", args=[mixed_piece.pk, door.pk])
    data = {"result": "talked", "first_name": "Bea", "phone": "212-555-0147"}
    client_for(cast.volunteer_a).post(url, data)
    saved = DoorResult.objects.get()
    assert saved.contact != cast.person_b
    assert not Interaction.objects.filter(contact=cast.person_b).exists()


# --- role and membership changes take effect on the next request ------------------------------


def test_an_organizer_demoted_to_volunteer_in_a_hub_stops_seeing_its_people(cast, client_for):
    client = client_for(cast.organizer_a)
    person_url = reverse("contacts:detail", args=[cast.person_a.pk])
    api_url = f"/api/people/{cast.person_a.pk}/"
    assert client.get(person_url).status_code == 200
    assert client.get(api_url).status_code == 200
    hub_role_set(by=cast.captain_a, hub=cast.hub_a, user_id=cast.organizer_a.pk, role="volunteer")
    assert client.get(person_url).status_code == 404
    assert client.get(api_url).status_code == 404
    assert cast.person_a.pk not in [p["id"] for p in client.get("/api/people/").json()["results"]]
    assert "Alvarez" not in client.get(reverse("contacts:list")).content.decode()


def test_a_captain_demoted_to_volunteer_stops_seeing_the_hubs_people(cast, client_for):
    co_captain = HubRoleFactory(hub=cast.hub_a, role=HubRole.Role.CAPTAIN).user
    co_captain.role = "captain"
    co_captain.save()
    client = client_for(co_captain)
    person_url = reverse("contacts:detail", args=[cast.person_a.pk])
    assert client.get(person_url).status_code == 200
    hub_role_set(by=cast.staff, hub=cast.hub_a, user_id=co_captain.pk, role="volunteer")
    assert client.get(person_url).status_code == 404
    assert client.get(reverse("hubs:turf_new", args=["hub-a"])).status_code == 404


def test_a_walker_removed_from_the_hub_can_no_longer_open_or_tap_their_piece(
    cast, client_for, mixed_piece
):
    client = client_for(cast.volunteer_a)
    door = TurfDoor.objects.filter(piece=mixed_piece).first()
    assert client.get(reverse("hubs:walk_list", args=[mixed_piece.pk])).status_code == 200
    HubRole.objects.filter(user=cast.volunteer_a, hub=cast.hub_a).delete()
    for page in ("walk_list", "walk_print", "walk_paper"):
        assert client.get(reverse(f"hubs:{page}", args=[mixed_piece.pk])).status_code == 404
    url = reverse("hubs:walk_result", args=[mixed_piece.pk, door.pk])
    assert client.post(url, {"result": "not_home"}).status_code == 404
    assert not DoorResult.objects.exists()


def test_a_person_added_to_a_hub_shows_up_for_its_organizer_on_the_next_request(cast, client_for):
    client = client_for(cast.organizer_a)
    url = reverse("contacts:detail", args=[cast.person_b.pk])
    assert client.get(url).status_code == 404
    HubMemberFactory(contact=cast.person_b, hub=cast.hub_a)
    assert client.get(url).status_code == 200
