"""Every native endpoint, every persona: the API never shows more than the pages would.

Hub A and hub B each hold one of everything (``world``). For each endpoint the table says
which side each persona may see; lists must hold exactly those sides' rows, and asking for
the other side by id is a 404 (a 403 only where the page shows the thing but not its people).
"""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PERSONAS = ["staff", "captain_a", "organizer_a", "organizer_b", "volunteer_a"]

PEOPLE = {
    "staff": "ab",
    "captain_a": "a",
    "organizer_a": "a",
    "organizer_b": "b",
    "volunteer_a": "",
}
HUB = {**PEOPLE, "volunteer_a": "a"}
MANAGED = {"staff": "ab", "captain_a": "a", "organizer_a": "", "organizer_b": "", "volunteer_a": ""}
PIECES = {**MANAGED, "volunteer_a": "a"}
WORKPLACE = {**PEOPLE, "captain_a": ""}
CAMPAIGNS = PEOPLE
# Call lists: staff, the hub's captains, and the callers (each side's organizer and walker).
CALL_LISTS = {**PEOPLE, "volunteer_a": "a"}

# (url for a side, who sees which side)
DETAILS = {
    "person": (lambda s: f"people/{s.person.pk}/", PEOPLE),
    "interactions": (lambda s: f"people/{s.person.pk}/interactions/", PEOPLE),
    "assessments": (lambda s: f"people/{s.person.pk}/assessments/", PEOPLE),
    "person moves": (lambda s: f"people/{s.person.pk}/ladder-moves/", PEOPLE),
    "hub": (lambda s: f"hubs/{s.hub.slug}/", HUB),
    "hub roles": (lambda s: f"hubs/{s.hub.slug}/roles/", HUB),
    "turfs": (lambda s: f"hubs/{s.hub.slug}/turfs/", MANAGED),
    "piece": (lambda s: f"pieces/{s.piece.pk}/", PIECES),
    "doors": (lambda s: f"pieces/{s.piece.pk}/doors/", PIECES),
    "results": (lambda s: f"pieces/{s.piece.pk}/results/", PIECES),
    "assignments": (lambda s: f"pieces/{s.piece.pk}/assignments/", PIECES),
    "worksites": (lambda s: f"hubs/{s.workplace.slug}/worksites/", WORKPLACE),
    "placements": (lambda s: f"hubs/{s.workplace.slug}/placements/", WORKPLACE),
    "workplace map": (lambda s: f"hubs/{s.workplace.slug}/workplace-map/", WORKPLACE),
    "campaign": (lambda s: f"campaigns/{s.campaign.slug}/", CAMPAIGNS),
    "call list": (lambda s: f"call-lists/{s.call_list.pk}/", CALL_LISTS),
    "call list people": (lambda s: f"call-lists/{s.call_list.pk}/targets/", MANAGED),
    "target": (lambda s: f"targets/{s.official.pk}/", CAMPAIGNS),
}

# (list url, the side's row id, who sees which side)
LISTS = {
    "people": ("people/", lambda s: s.person.pk, PEOPLE),
    "follow-ups": ("follow-ups/?mine=false", lambda s: s.follow_up.pk, PEOPLE),
    "ladder moves": ("ladder/moves/", lambda s: s.move.pk, PEOPLE),
    "hubs": ("hubs/", lambda s: s.hub.pk, HUB),
    "pieces": ("pieces/", lambda s: s.piece.pk, PIECES),
    "campaigns": ("campaigns/", lambda s: s.campaign.pk, CAMPAIGNS),
    "call lists": ("call-lists/", lambda s: s.call_list.pk, CALL_LISTS),
    "targets": ("targets/", lambda s: s.official.pk, CAMPAIGNS),
    "pressure actions": ("pressure-actions/", lambda s: s.action.pk, PEOPLE),
}


def _all_ids(client: Client, url: str) -> set[int]:
    ids, page = set(), f"/api/v1/{url}"
    while page:
        response = client.get(page)
        assert response.status_code == 200, (url, response.content[:300])
        ids |= {row["id"] for row in response.json()["results"]}
        page = response.json()["next"]
    return ids


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(DETAILS))
def test_an_object_by_id_is_there_for_its_side_and_404_for_the_rest(
    world, cast, client_for, persona, name
):
    url, sees = DETAILS[name]
    client = client_for(getattr(cast, persona))
    for side in "ab":
        status = client.get(f"/api/v1/{url(getattr(world, side))}").status_code
        assert status == (200 if side in sees[persona] else 404), (persona, name, side, status)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_holds_only_the_sides_the_persona_may_see(world, cast, client_for, persona, name):
    url, row_id, sees = LISTS[name]
    ids = _all_ids(client_for(getattr(cast, persona)), url)
    for side in "ab":
        assert (row_id(getattr(world, side)) in ids) == (side in sees[persona]), (persona, side)


def test_hub_members_are_for_its_captains_organizers_and_staff(world, cast, client_for):
    url = f"/api/v1/hubs/{world.a.hub.slug}/members/"
    for user in (cast.staff, cast.captain_a, cast.organizer_a):
        ids = [m["contact"] for m in client_for(user).get(url).json()["results"]]
        assert world.a.person.pk in ids
    # A volunteer sees the hub but not its people, as on the hub page; an outsider not at all.
    assert client_for(cast.volunteer_a).get(url).status_code == 403
    assert client_for(cast.organizer_b).get(url).status_code == 404


def test_anonymous_gets_nothing_anywhere(world, client):
    urls = [url(world.a) for url, _sees in DETAILS.values()]
    urls += [url for url, _id, _sees in LISTS.values()]
    urls += ["reports/headline/", "reports/hubs/", "ladder/stages/"]
    for url in urls:
        response = client.get(f"/api/v1/{url}")
        assert response.status_code == 401, url  # "send a token" (WWW-Authenticate: Token)
        assert "detail" in response.json()
    assert client.post(f"/api/v1/people/{world.a.person.pk}/one-on-ones/", {}).status_code == 401


def test_a_filter_cannot_reach_another_hubs_people(world, cast, client_for):
    client = client_for(cast.organizer_a)
    by_hub = client.get("/api/v1/people/", {"hub": world.b.hub.pk})
    assert by_hub.status_code == 400
    assert "hub" in by_hub.json()["errors"]
    assert client.get("/api/v1/people/", {"q": "Bo Baker"}).json()["results"] == []
    assert client.get("/api/v1/reports/headline/", {"hub": world.b.hub.slug}).status_code == 400


def test_writes_outside_the_scope_are_404(world, cast, client_for):
    client = client_for(cast.organizer_a)
    b = world.b
    assert client.post(f"/api/v1/people/{b.person.pk}/one-on-ones/", {}).status_code == 404
    assert (
        client.post(f"/api/v1/people/{b.person.pk}/interactions/", {"kind": "call"}).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/people/{b.person.pk}/", {"city": "X"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.post(f"/api/v1/follow-ups/{b.follow_up.pk}/complete/").status_code == 404
    assert (
        client.post(
            "/api/v1/follow-ups/", {"contact": b.person.pk, "due_on": "2026-12-24"}
        ).status_code
        == 404
    )
    tap = f"/api/v1/pieces/{b.piece.pk}/doors/{b.door.pk}/results/"
    assert client_for(cast.volunteer_a).post(tap, {"result": "talked"}).status_code == 404
    add = f"/api/v1/hubs/{b.hub.slug}/members/"
    assert client_for(cast.captain_a).post(add, {"contact": cast.person_a.pk}).status_code == 404
    # An organizer of hub A may see hub A but not manage its members, as on the page.
    own = f"/api/v1/hubs/{world.a.hub.slug}/members/"
    assert client.post(own, {"contact": cast.person_a.pk}).status_code == 404
    b.follow_up.refresh_from_db()
    assert b.follow_up.status == "open"


def test_reports_count_only_the_callers_scope(world, cast, client_for):
    rows = client_for(cast.organizer_b).get("/api/v1/reports/hubs/").json()["rows"]
    assert {r["hub"] for r in rows} == {world.b.hub.slug, world.b.workplace.slug}
    staff = client_for(cast.staff).get("/api/v1/reports/hubs/").json()["rows"]
    assert {world.a.hub.slug, world.b.hub.slug} <= {r["hub"] for r in staff}
    headline = client_for(cast.organizer_b).get("/api/v1/reports/headline/").json()
    assert headline["one_on_ones"] == 1  # hub B's only; hub A's is not counted


REPORTS = [
    "headline", "depth", "ladder", "organizers", "hubs", "cohorts", "campaigns", "workplaces",
    "concentration",
]  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_report_answers_each_persona_within_their_scope(world, cast, client_for, persona):
    client = client_for(getattr(cast, persona))
    for report in REPORTS:
        response = client.get(f"/api/v1/reports/{report}/")
        assert response.status_code == 200, (persona, report, response.content[:200])
    organizers = client.get("/api/v1/reports/organizers/").json()["rows"]
    users = {row["user"] for row in organizers}
    assert (cast.organizer_b.pk in users) == ("b" in PEOPLE[persona] and persona != "volunteer_a")
    assert (cast.organizer_a.pk in users) == ("a" in PEOPLE[persona])
    campaigns = {g["campaign"] for g in client.get("/api/v1/reports/campaigns/").json()["goals"]}
    assert (world.b.campaign.slug in campaigns) == ("b" in CAMPAIGNS[persona])
    bad = client.get("/api/v1/reports/ladder/", {"start": "2026-12-01", "end": "2020-01-01"})
    assert bad.status_code == 400 and bad.json()["detail"]


def test_a_token_reads_and_writes_as_its_user_and_never_past_the_second_factor(
    world, cast, client, settings
):
    from api.services.tokens import token_create

    _token, key = token_create(user=cast.organizer_b, name="script")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    ids = {row["id"] for row in client.get("/api/v1/people/", **auth).json()["results"]}
    assert world.b.person.pk in ids and world.a.person.pk not in ids
    assert client.get(f"/api/v1/people/{world.a.person.pk}/", **auth).status_code == 404
    # Writes need no CSRF token with an API token (there is no cookie to forge).
    logged = client.post(
        f"/api/v1/people/{world.b.person.pk}/interactions/",
        {"kind": "text"},
        content_type="application/json",
        **auth,
    )
    assert logged.status_code == 201
    settings.REQUIRE_2FA = True
    _t, captain_key = token_create(user=cast.captain_a, name="captain script")
    refused = client.get("/api/v1/people/", HTTP_AUTHORIZATION=f"Token {captain_key}")
    assert refused.status_code == 403
