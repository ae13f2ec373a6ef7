"""The demo ships doors and a cut turf: a captain's first visit has something to cut and watch,
and the demo volunteer has a piece to walk."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from contacts.models import Contact
from hubs.models import Residence, Turf, TurfDoor
from reports.management.commands.seed_demo import DEMO_PIECE_SIZE, DEMO_TURF_NAME
from tests.conftest import login

pytestmark = pytest.mark.django_db


def demo_user(email: str):
    return get_user_model().objects.get(email=email)


def test_the_demo_has_doors_for_its_people_and_a_turf_split_with_a_piece_for_the_volunteer():
    call_command("seed_demo", "--people", "80", stdout=StringIO())
    with_address = Contact.objects.exclude(street="").count()
    assert Residence.objects.values("contact").distinct().count() == with_address
    turf = Turf.objects.get(name=DEMO_TURF_NAME, hub__slug="bushwick")
    bushwick_doors = TurfDoor.objects.filter(turf=turf).count()
    assert bushwick_doors > 0
    pieces = list(turf.pieces.order_by("number"))
    assert len(pieces) >= 2 and all(p.doors.count() <= DEMO_PIECE_SIZE + 6 for p in pieces)
    volunteer = demo_user("volunteer@demo.organizer.test")
    assert pieces[0].assigned_to == volunteer and pieces[0].due_on is not None
    assert [p.assigned_to for p in pieces[1:]] == [None] * (len(pieces) - 1)


def test_a_captains_first_visit_finds_turf_and_the_volunteer_finds_a_piece(client, settings):
    settings.REQUIRE_2FA = False
    call_command("seed_demo", "--people", "80", stdout=StringIO())
    turf = Turf.objects.get(name=DEMO_TURF_NAME)
    login(client, demo_user("captain@demo.organizer.test"))
    hub_page = client.get("/hubs/bushwick/").content.decode()
    assert DEMO_TURF_NAME in hub_page and 'href="/hubs/bushwick/turf/new/"' in hub_page
    count = client.post("/hubs/bushwick/turf/preview/", {"zip_codes": "11237"}).content.decode()
    assert f"{turf.doors.count()} doors" in count

    login(client, demo_user("volunteer@demo.organizer.test"))
    my_day = client.get("/people/my-day/").content.decode()
    piece = turf.pieces.get(number=1)
    assert f'href="/hubs/pieces/{piece.pk}/"' in my_day
    assert client.get(f"/hubs/pieces/{piece.pk}/").status_code == 200


def test_a_tiny_demo_without_bushwick_people_still_loads():
    call_command("seed_demo", "--people", "1", "--seed", "3", stdout=StringIO())
    assert Contact.objects.count() == 1
