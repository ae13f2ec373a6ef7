"""Turf pages per persona: a hub's captains and staff cut, split, assign and rebalance; everyone
else gets 404; a volunteer sees their own pieces on My day."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from hubs.models import DoorAssignment, DoorResult, Turf, TurfPiece
from hubs.selectors.turf import pieces_for_assignee, turf_progress
from hubs.services.turf import TurfCut, piece_assign, piece_rebalance, turf_create, turf_split
from tests.hubs.test_turf_services import ASTORIA, FLATBUSH, building

pytestmark = pytest.mark.django_db

SHAPE = json.dumps([list(p) for p in ASTORIA])


@pytest.fixture
def turf(cast):
    for n in (1, 3, 5, 7):
        building(str(n), "Elm St", units=("1", "2"))
    turf = turf_create(hub=cast.hub_a, name="Elm", cut=TurfCut(streets=["Elm St"]), by=None)
    turf_split(turf=turf, size=4)
    return turf


def turf_urls(turf) -> list[str]:
    slug, piece = turf.hub.slug, turf.pieces.first()
    return [
        reverse("hubs:turf_index", args=[slug]),
        reverse("hubs:turf_new", args=[slug]),
        reverse("hubs:turf_doors", args=[slug]) + "?bbox=-74,40,-73,41",
        reverse("hubs:turf_detail", args=[slug, turf.pk]),
        reverse("hubs:turf_split", args=[slug, turf.pk]),
        reverse("hubs:turf_piece_assign", args=[slug, turf.pk, piece.pk]),
        reverse("hubs:turf_piece_rebalance", args=[slug, turf.pk, piece.pk]),
    ]


def test_captain_and_staff_open_every_turf_page(cast, client_for, turf):
    for user in (cast.captain_a, cast.staff):
        client = client_for(user)
        assert [client.get(url).status_code for url in turf_urls(turf)] == [200] * 7


def test_organizers_volunteers_and_other_hubs_get_404(cast, client_for, turf):
    for user in (cast.organizer_a, cast.volunteer_a, cast.organizer_b):
        client = client_for(user)
        assert [client.get(url).status_code for url in turf_urls(turf)] == [404] * 7
        response = client.post(reverse("hubs:turf_split", args=["hub-a", turf.pk]), {"size": 1})
        assert response.status_code == 404
    assert TurfPiece.objects.filter(turf=turf).count() == 2


def test_a_captain_of_hub_b_cannot_reach_hub_a_turf_through_their_own_hub(cast, client_for, turf):
    cast.hub_b.roles.filter(user=cast.organizer_b).update(role="captain")
    client = client_for(cast.organizer_b)

    assert client.get(reverse("hubs:turf_detail", args=["hub-b", turf.pk])).status_code == 404
    assert client.get(reverse("hubs:turf_index", args=["hub-b"])).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, turf):
    response = client.get(reverse("hubs:turf_detail", args=["hub-a", turf.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_cut_page_shows_the_map_with_its_settings(cast, client_for, settings):
    settings.MAP_TILE_URL = ""
    html = client_for(cast.captain_a).get(reverse("hubs:turf_new", args=["hub-a"])).content
    html = html.decode()
    assert 'id="turf-map"' in html and 'data-tiles=""' in html
    assert "vendor/leaflet-1.9.4/leaflet.js" in html and "js/turf-map.js" in html
    assert "Finish shape" in html and "Preview count" in html


def test_the_htmx_preview_counts_doors_and_people_in_a_shape(cast, client_for):
    building("10", "31st St", units=("1", "2"))
    building("12", "31st St", at=FLATBUSH)

    response = client_for(cast.captain_a).post(
        reverse("hubs:turf_preview", args=["hub-a"]), {"area": SHAPE}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert 'id="turf-count"' in html and "<strong>2 doors</strong>" in html and "<html" not in html
    assert not Turf.objects.exists()


def test_the_preview_button_works_without_javascript(cast, client_for):
    building("10", "31st St")

    response = client_for(cast.captain_a).post(
        reverse("hubs:turf_new", args=["hub-a"]), {"zip_codes": "11103", "preview": ""}
    )

    assert "<strong>1 door</strong>" in response.content.decode()
    assert not Turf.objects.exists()


def test_saving_a_drawn_shape_creates_the_turf_and_goes_to_splitting(cast, client_for):
    building("10", "31st St", units=("1", "2"))

    response = client_for(cast.captain_a).post(
        reverse("hubs:turf_new", args=["hub-a"]), {"name": "31st", "area": SHAPE, "save": ""}
    )

    turf = Turf.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hubs:turf_split", args=["hub-a", turf.pk])
    assert (turf.hub, turf.created_by, turf.doors.count()) == (cast.hub_a, cast.captain_a, 2)


def test_a_bad_shape_or_an_empty_cut_shows_an_error(cast, client_for):
    url = reverse("hubs:turf_new", args=["hub-a"])
    client = client_for(cast.captain_a)

    bad = client.post(url, {"name": "x", "area": "[[1, 2]]", "save": ""}).content.decode()
    empty = client.post(url, {"name": "x", "save": ""}).content.decode()
    none_inside = client.post(url, {"name": "x", "zip_codes": "99999", "save": ""})

    assert "at least three corners" in bad
    assert "Draw a shape on the map or fill at least one list" in empty
    assert "No doors fall inside" in none_inside.content.decode()
    assert not Turf.objects.exists()


def test_the_doors_endpoint_returns_buildings_in_the_box(cast, client_for):
    building("10", "31st St", units=("1", "2"))
    building("12", "31st St", at=FLATBUSH)
    url = reverse("hubs:turf_doors", args=["hub-a"])
    client = client_for(cast.captain_a)

    data = client.get(url + "?bbox=-73.93,40.76,-73.91,40.78").json()

    assert data == {"doors": [[-73.92, 40.77, 2]], "capped": False}
    assert client.get(url + "?bbox=oops").status_code == 400


def test_split_assign_and_see_progress(cast, client_for, turf):
    client = client_for(cast.captain_a)
    slug = "hub-a"

    client.post(reverse("hubs:turf_split", args=[slug, turf.pk]), {"size": 2})
    pieces = list(turf.pieces.order_by("number"))
    response = client.post(
        reverse("hubs:turf_piece_assign", args=[slug, turf.pk, pieces[0].pk]),
        {"assignee": cast.volunteer_a.pk, "due_on": "2026-12-01"},
    )
    door = pieces[0].doors.order_by("position").first()
    DoorResult.objects.create(unit_id=door.unit_id, door=door, piece=pieces[0], result="signed")
    page = client.get(reverse("hubs:turf_detail", args=[slug, turf.pk])).content.decode()

    assert response.status_code == 302 and len(pieces) == 4
    assert DoorAssignment.objects.filter(assignee=cast.volunteer_a).count() == 2
    assert "Piece 1" in page and "Piece 4" in page and "due Dec 1" in page
    assert "2 doors · 1 attempted · 1 contacts made" in page
    assert "Signed: 1" in page


def test_assigning_to_someone_outside_the_hub_is_not_offered(cast, client_for, turf):
    piece = turf.pieces.first()
    url = reverse("hubs:turf_piece_assign", args=["hub-a", turf.pk, piece.pk])

    response = client_for(cast.captain_a).post(url, {"assignee": cast.organizer_b.pk})

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    piece.refresh_from_db()
    assert piece.assigned_to is None


def test_rebalancing_from_the_page_splits_the_rest_among_several(cast, client_for, turf):
    piece = turf.pieces.order_by("number").first()
    url = reverse("hubs:turf_piece_rebalance", args=["hub-a", turf.pk, piece.pk])

    response = client_for(cast.captain_a).post(
        url, {"assignees": [cast.volunteer_a.pk, cast.organizer_a.pk]}
    )

    assert response.status_code == 302
    new = TurfPiece.objects.filter(turf=turf, number__gt=2).order_by("number")
    assert {(p.assigned_to, p.doors.count()) for p in new} == {
        (cast.volunteer_a, 2),
        (cast.organizer_a, 2),
    }
    assert piece.doors.count() == 0


def test_splitting_a_turf_with_results_says_why_not(cast, client_for, turf):
    door = turf.doors.first()
    DoorResult.objects.create(unit_id=door.unit_id, door=door, result="talked")
    url = reverse("hubs:turf_split", args=["hub-a", turf.pk])

    page = client_for(cast.captain_a).get(url).content.decode()
    post = client_for(cast.captain_a).post(url, {"size": 1}).content.decode()

    assert "already has results" in page and "already has results" in post
    assert turf.pieces.count() == 2


def test_my_day_lists_only_my_pieces(cast, client_for, turf):
    mine, other = turf.pieces.order_by("number")
    piece_assign(piece=mine, assignee=cast.volunteer_a, due_on=None, by=cast.captain_a)
    piece_assign(piece=other, assignee=cast.organizer_a, due_on=None, by=cast.captain_a)

    html = client_for(cast.volunteer_a).get(reverse("contacts:my_day")).content.decode()

    assert "My turf to walk" in html
    assert "Elm · piece 1" in html and "piece 2" not in html
    assert reverse("hubs:walk_list", args=[mine.pk]) in html
    assert "My turf to walk" not in (
        client_for(cast.organizer_b).get(reverse("contacts:my_day")).content.decode()
    )


def test_a_piece_emptied_by_moving_its_remaining_doors_leaves_my_day_and_the_open_pieces(
    cast, client_for, turf
):
    emptied, _other = turf.pieces.order_by("number")
    piece_assign(piece=emptied, assignee=cast.volunteer_a, due_on=None, by=cast.captain_a)
    piece_rebalance(piece=emptied, assignees=[cast.organizer_a], due_on=None, by=cast.captain_a)
    emptied.refresh_from_db()
    assert emptied.emptied_at is not None and emptied.doors.count() == 0

    my_day = client_for(cast.volunteer_a).get(reverse("contacts:my_day")).content.decode()
    assert "My turf to walk" not in my_day
    assert reverse("hubs:walk_list", args=[emptied.pk]) not in my_day
    page = (
        client_for(cast.captain_a)
        .get(reverse("hubs:turf_detail", args=[cast.hub_a.slug, turf.pk]))
        .content.decode()
    )
    open_list, history = page.split('id="emptied-heading"')
    assert f'id="piece-{emptied.pk}"' not in open_list
    assert f'id="piece-{emptied.pk}"' in history and "emptied" in history
    assert DoorAssignment.objects.filter(piece=emptied, assignee=cast.volunteer_a).exists()


def test_a_piece_whose_unvisited_doors_move_keeps_its_results_in_the_history(cast, turf):
    piece, _other = turf.pieces.order_by("number")
    piece_assign(piece=piece, assignee=cast.volunteer_a, due_on=None, by=cast.captain_a)
    first = piece.doors.order_by("position").first()
    DoorResult.objects.create(unit=first.unit, door=first, piece=piece, result="talked")
    piece_rebalance(piece=piece, assignees=[cast.organizer_a], due_on=None, by=cast.captain_a)

    progress = turf_progress(turf)
    assert [row.piece for row in progress.emptied_pieces] == [piece]
    assert piece not in [row.piece for row in progress.open_pieces]
    assert progress.emptied_pieces[0].progress.attempted == 1
    assert list(pieces_for_assignee(cast.volunteer_a)) == []
