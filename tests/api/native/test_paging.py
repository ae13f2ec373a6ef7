"""Keyset paging: every row once, in order, in a number of queries that grows with neither the
page size nor how far a client has paged."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact, Interaction
from tests.factories import ContactFactory, EmailFactory, HubMemberFactory, PhoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(cast):
    people = []
    for i in range(30):
        person = ContactFactory(first_name=f"P{i}")
        HubMemberFactory(contact=person, hub=cast.hub_a)
        PhoneFactory(contact=person, e164=f"+1212555{i:04d}")
        EmailFactory(contact=person, address=f"p{i}@example.org")
        people.append(person)
    return people


def _pages(client, url: str):
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        yield response.json()
        url = response.json()["next"]


def test_paging_through_people_gives_everyone_once_in_id_order(cast, many, client_for):
    client = client_for(cast.organizer_a)
    ids = [
        r["id"] for page in _pages(client, "/api/v1/people/?page_size=7") for r in page["results"]
    ]
    expected = list(Contact.objects.filter(pk__in=[p.pk for p in many] + [cast.person_a.pk]))
    assert ids == sorted(p.pk for p in expected)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_page_size_or_position(cast, many, client_for):
    client = client_for(cast.organizer_a)
    small = _queries(client, "/api/v1/people/?page_size=2")
    large = _queries(client, "/api/v1/people/?page_size=25")
    pages = list(_pages(client, "/api/v1/people/?page_size=5"))
    deep = _queries(client, pages[-2]["next"])
    assert small == large == deep


def test_interactions_page_by_time_then_id_even_with_ties(cast, client_for):
    from django.utils import timezone

    at = timezone.now()
    made = [
        Interaction.objects.create(contact=cast.person_a, kind="call", happened_at=at)
        for _ in range(5)
    ]
    client = client_for(cast.organizer_a)
    url = f"/api/v1/people/{cast.person_a.pk}/interactions/?page_size=2"
    ids = [r["id"] for page in _pages(client, url) for r in page["results"]]
    assert ids == sorted((i.pk for i in made), reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": base64.urlsafe_b64encode(b"[1, 99999999999999999999]").decode()},
        {"cursor": base64.urlsafe_b64encode(b'{"a": 1}').decode()},
        {"cursor": "x" * 500},
        {"page_size": "0"},
        {"page_size": "201"},
        {"page_size": "²"},
    ],
)
def test_a_cursor_or_page_size_that_cannot_be_read_is_a_400(cast, client_for, params):
    response = client_for(cast.organizer_a).get("/api/v1/people/", params)
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize("key", [5, "abc", "2026-13-45T10:00", None, 2**70, True, 1.5, [1]])
def test_a_cursor_whose_key_is_not_a_time_is_a_400_on_a_list_ordered_by_time(cast, client_for, key):
    import json

    cursor = base64.urlsafe_b64encode(json.dumps([key, 1]).encode()).decode()
    url = f"/api/v1/people/{cast.person_a.pk}/interactions/"
    response = client_for(cast.organizer_a).get(url, {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_search_is_bounded_like_the_people_page(cast, client_for):
    client = client_for(cast.organizer_a)
    long_query = "ana " + " ".join(["x"] * 40_000)
    response = client.get("/api/v1/people/", {"q": long_query[:8000]})
    assert response.status_code == 200


LIST_URLS = {
    "follow-ups": lambda w: "/api/v1/follow-ups/?mine=false",
    "interactions": lambda w: f"/api/v1/people/{w.a.person.pk}/interactions/",
    "hub members": lambda w: f"/api/v1/hubs/{w.a.hub.slug}/members/",
    "pieces": lambda w: "/api/v1/pieces/",
    "doors": lambda w: f"/api/v1/pieces/{w.a.piece.pk}/doors/",
    "placements": lambda w: f"/api/v1/hubs/{w.a.workplace.slug}/placements/",
    "campaigns": lambda w: "/api/v1/campaigns/",
    "ladder moves": lambda w: "/api/v1/ladder/moves/",
    "call lists": lambda w: "/api/v1/call-lists/",
    "call list people": lambda w: f"/api/v1/call-lists/{w.a.call_list.pk}/targets/",
    "targets": lambda w: "/api/v1/targets/",
    "pressure actions": lambda w: "/api/v1/pressure-actions/",
}


@pytest.mark.parametrize("name", list(LIST_URLS))
def test_every_list_takes_as_many_queries_for_one_row_as_for_a_page(world, cast, client_for, name):
    from campaigns.services.calls import call_list_build
    from campaigns.services.pressure import pressure_action_record, target_save
    from contacts.services.conversations import one_on_one_log
    from hubs.models import Placement
    from tests.campaigns.calls_support import make_list
    from tests.hubs.test_walk import build_piece

    for i in range(4):  # more rows of every kind in hub A
        person = ContactFactory(first_name=f"More{i}")
        HubMemberFactory(contact=person, hub=cast.hub_a)
        HubMemberFactory(contact=person, hub=world.a.workplace)
        one_on_one_log(
            by=cast.staff, contact=world.a.person, assessment=3, follow_up_on="2026-12-30"
        )
        Placement.objects.create(
            hub=world.a.workplace, contact=person, worksite=world.a.placement.worksite
        )
        build_piece(cast.hub_a, assigned_to=cast.volunteer_a, number=10 + i, street=f"S{i} St")
        PhoneFactory(contact=person, raw=f"(718) 555-01{i:02d}", e164=f"+171855501{i:02d}")
        make_list(by=cast.staff, campaign=world.a.campaign, hub=cast.hub_a, name=f"More {i}")
        official = target_save(
            by=cast.staff, name=f"Official {i}", office="Mayor", level="city",
            campaigns=[world.a.campaign],
        )  # fmt: skip
        pressure_action_record(
            campaign=world.a.campaign, target=official, contact=person, kind="email",
            source="organizer", by=cast.staff,
        )  # fmt: skip
    call_list_build(by=cast.staff, call_list=world.a.call_list)  # the new people join
    client = client_for(cast.staff)
    url = LIST_URLS[name](world)
    joiner = "&" if "?" in url else "?"
    one = _queries(client, f"{url}{joiner}page_size=1")
    page = _queries(client, f"{url}{joiner}page_size=50")
    assert one == page, (name, one, page)


def test_past_the_limit_the_api_answers_429_with_retry_after(cast, client_for, settings):
    settings.RATELIMIT_API_PER_USER = 2
    client = client_for(cast.organizer_a)
    assert client.get("/api/v1/hubs/").status_code == 200
    assert client.get("/api/v1/hubs/").status_code == 200
    response = client.get("/api/v1/hubs/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"]
