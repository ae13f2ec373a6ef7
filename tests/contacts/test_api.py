from __future__ import annotations

import pytest

from tests.factories import ContactFactory, HubMemberFactory, PhoneFactory


@pytest.mark.parametrize("persona", ["staff", "captain_a", "organizer_a"])
def test_hub_a_personas_read_person_a(cast, client_for, persona):
    client = client_for(getattr(cast, persona))
    data = client.get("/api/people/").json()
    assert cast.person_a.pk in [row["id"] for row in data["results"]]
    response = client.get(f"/api/people/{cast.person_a.pk}/")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Ana Alvarez"


@pytest.mark.parametrize("persona", ["organizer_b", "volunteer_a"])
def test_others_cannot_list_or_guess_person_a(cast, client_for, persona):
    client = client_for(getattr(cast, persona))
    ids = [row["id"] for row in client.get("/api/people/").json()["results"]]
    assert cast.person_a.pk not in ids
    assert client.get(f"/api/people/{cast.person_a.pk}/").status_code == 404
    assert client.get("/api/people/", {"q": "ana"}).json()["results"] == []


def test_anonymous_is_refused(client, cast):
    # 401 with WWW-Authenticate: Token since API tokens exist (api/auth.py).
    response = client.get("/api/people/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert client.get(f"/api/people/{cast.person_a.pk}/").status_code == 401


def test_the_api_uses_the_list_filters(cast, client_for):
    PhoneFactory(contact=cast.person_a)
    data = client_for(cast.staff).get("/api/people/", {"q": "(212) 555-0100"}).json()
    assert [row["id"] for row in data["results"]] == [cast.person_a.pk]
    assert data["results"][0]["phones"] == [
        {"e164": "+12125550100", "kind": "mobile", "is_primary": True}
    ]


def test_the_api_is_read_only(cast, client_for):
    client = client_for(cast.staff)
    assert client.post("/api/people/", {"first_name": "X"}).status_code == 405
    assert client.delete(f"/api/people/{cast.person_a.pk}/").status_code == 405


@pytest.mark.parametrize("rows", [3, 24])
def test_the_api_list_query_count_does_not_grow(
    cast, client_for, django_assert_max_num_queries, rows
):
    for i in range(rows):
        person = ContactFactory()
        HubMemberFactory(contact=person, hub=cast.hub_a)
        PhoneFactory(contact=person, e164=f"+1212555{i:04d}")
    client = client_for(cast.organizer_a)
    with django_assert_max_num_queries(12):
        data = client.get("/api/people/").json()
    assert data["count"] == rows + 1
