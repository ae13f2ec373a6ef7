"""Who sees which targets-and-pressure page: staff pages (districts, targets), a campaign's
pressure page and its settings, a person's pressure actions — every persona."""

from __future__ import annotations

import pytest

from campaigns.models import PressureAction, Target
from campaigns.services.pressure import pressure_action_record
from tests.campaigns.pressure_world import World

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/campaigns/districts/", "/campaigns/targets/", "/campaigns/targets/new/"]


def test_staff_manage_districts_and_targets(cast, world: World, client_for):
    client = client_for(cast.staff)
    for url in [*STAFF_PAGES, f"/campaigns/targets/{world.governor.pk}/edit/"]:
        assert client.get(url).status_code == 200, url
    assert "Wendy West" in client.get("/campaigns/targets/").content.decode()
    response = client.post(
        "/campaigns/targets/new/",
        {
            "name": "Nia New",
            "office": "Council Member",
            "level": "city",
            "phone": "(212) 555-0101",
            "email": "nia@example.org",
            "is_active": "on",
            "campaigns": [world.campaign.pk],
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(name="Nia New").campaigns.get() == world.campaign


def test_a_target_with_a_bad_phone_or_overlong_name_is_a_400(cast, client_for):
    client = client_for(cast.staff)
    base = {"name": "Nia", "office": "Mayor", "level": "city", "is_active": "on"}
    assert client.post("/campaigns/targets/new/", base | {"phone": "12"}).status_code == 400
    assert client.post("/campaigns/targets/new/", base | {"name": "x" * 500}).status_code == 400
    assert not Target.objects.filter(office="Mayor").exists()


@pytest.mark.parametrize("persona", ["captain_a", "organizer_a", "organizer_b", "volunteer_a"])
def test_everyone_but_staff_gets_404_on_districts_and_targets(cast, world, client_for, persona):
    client = client_for(getattr(cast, persona))
    for url in [*STAFF_PAGES, f"/campaigns/targets/{world.governor.pk}/edit/"]:
        assert client.get(url).status_code == 404, url
    assert client.post("/campaigns/targets/new/", {"name": "X"}).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, world: World):
    for url in [*STAFF_PAGES, f"/campaigns/{world.campaign.slug}/pressure/"]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("persona", ["staff", "captain_a", "organizer_a"])
def test_people_in_the_campaign_see_its_pressure_page(cast, world, client_for, persona):
    pressure_action_record(
        campaign=world.campaign,
        target=world.governor,
        contact=cast.person_a,
        kind="visit",
        source="organizer",
    )
    page = client_for(getattr(cast, persona)).get(f"/campaigns/{world.campaign.slug}/pressure/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kathy Hale" in html and "Ana" in html
    assert f"/call/{world.campaign.slug}/?r=" in html


def test_names_of_people_outside_an_organizers_scope_are_counted_not_shown(cast, world, client_for):
    world.campaign.hubs.add(cast.hub_b)
    pressure_action_record(
        campaign=world.campaign,
        target=world.governor,
        contact=cast.person_b,
        kind="visit",
        source="organizer",
    )
    html = client_for(cast.organizer_a).get(f"/campaigns/{world.campaign.slug}/pressure/")
    html = html.content.decode()
    assert "Baker" not in html
    assert "<td>1</td>" in html  # the count still shows


@pytest.mark.parametrize("persona", ["organizer_b", "volunteer_a"])
def test_outsiders_get_404_on_the_campaign_pressure_pages(cast, world, client_for, persona):
    client = client_for(getattr(cast, persona))
    for url in ["pressure/", "pressure/edit/"]:
        assert client.get(f"/campaigns/{world.campaign.slug}/{url}").status_code == 404


def test_only_staff_and_the_campaigns_captains_edit_the_call_page(cast, world, client_for):
    url = f"/campaigns/{world.campaign.slug}/pressure/edit/"
    assert client_for(cast.organizer_a).get(url).status_code == 404
    data = {
        "is_public": "on",
        "ask": "Call now",
        "script": "Say this",
        "script_es": "Diga esto",
        "email_subject": "Subject",
        "email_body": "Body",
        "targets": [world.governor.pk, world.other.pk],
    }
    response = client_for(cast.captain_a).post(url, data)
    assert response.status_code == 302
    world.page.refresh_from_db()
    assert world.page.ask == "Call now"
    assert set(world.campaign.targets.all()) == {world.governor, world.other}
    assert client_for(cast.staff).post(url, data | {"ask": "x" * 500}).status_code == 400


@pytest.mark.parametrize("persona", ["staff", "captain_a", "organizer_a"])
def test_a_persons_pressure_actions_for_those_who_see_them(cast, world, client_for, persona):
    pressure_action_record(
        campaign=world.campaign,
        target=world.governor,
        contact=cast.person_a,
        kind="testimony",
        source="organizer",
        notes="Spoke at the hearing",
    )
    response = client_for(getattr(cast, persona)).get(
        f"/campaigns/pressure/people/{cast.person_a.pk}/"
    )
    assert response.status_code == 200
    assert "Spoke at the hearing" in response.content.decode()
    person_page = client_for(getattr(cast, persona)).get(f"/people/{cast.person_a.pk}/")
    assert f"/campaigns/pressure/people/{cast.person_a.pk}/" in person_page.content.decode()


@pytest.mark.parametrize("persona", ["organizer_b", "volunteer_a"])
def test_a_persons_pressure_actions_are_404_outside_scope(cast, world, client_for, persona):
    url = f"/campaigns/pressure/people/{cast.person_a.pk}/"
    assert client_for(getattr(cast, persona)).get(url).status_code == 404
    assert not PressureAction.objects.exists()


def test_the_campaign_page_finds_only_people_the_organizer_may_see(cast, world, client_for):
    world.campaign.hubs.add(cast.hub_b)
    url = f"/campaigns/{world.campaign.slug}/pressure/"
    client = client_for(cast.organizer_a)
    html = client.get(url, {"q": "Alvarez"}).content.decode()
    assert f"/pressure/log/{cast.person_a.pk}/" in html
    html = client.get(url, {"q": "Baker"}).content.decode()
    assert f"/pressure/log/{cast.person_b.pk}/" not in html
    assert client.get(url, {"q": "x" * 10_000}).status_code == 200
