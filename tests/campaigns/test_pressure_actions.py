"""Pressure actions: the public call page (lookup, "I called / I wrote", person matching,
consent, recruiter credit, once a day, honeypot, floods, Spanish), organizers logging visits
and testimony, the goal metric and the ladder."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from campaigns.metrics import metric_counts
from campaigns.models import Metric, PressureAction
from campaigns.services.events import recruiter_code_for
from campaigns.services.petitions import SignerInput
from campaigns.services.pressure import pressure_action_public
from contacts.models import Activity, Contact
from tests.campaigns.pressure_world import World
from tests.factories import ContactFactory, PhoneFactory

pytestmark = pytest.mark.django_db


def url(world: World) -> str:
    return f"/call/{world.campaign.slug}/"


def report(client, world: World, target, kind="call", **data):
    form = {
        "first_name": "Rosa",
        "last_name": "Luna",
        "phone": "(718) 555-0142",
        "where": "11206",
        "done": f"{kind}:{target.pk}",
    } | data
    return client.post(url(world), form)


# --- the public page ------------------------------------------------------------------------------


def test_anyone_sees_the_ask_and_a_zip_box(world: World, public_client):
    response = public_client().get(url(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Fund childcare now" in page
    assert 'name="where"' in page
    assert "Wendy West" not in page  # nobody before a ZIP


def test_a_zip_shows_the_supporters_own_targets_the_script_and_links(world: World, public_client):
    page = public_client().get(url(world), {"where": "11206"}).content.decode()
    assert "Wendy West" in page and "Kathy Hale" in page
    assert "Ed East" not in page and "Mo Member" not in page and "Otto Other" not in page
    assert "Hello, I am a constituent." in page
    assert 'href="tel:+15185550100"' in page
    assert "mailto:wendy@example.org?subject=Fund%20childcare&amp;body=Please%20fund" in page
    assert f'value="call:{world.senator_west.pk}"' in page


def test_the_script_is_in_spanish_for_spanish_readers(world: World, public_client):
    page = (
        public_client()
        .get(url(world), {"where": "11206"}, HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    assert "Financien el cuidado infantil ya" in page
    assert "Hola, soy residente." in page


def test_a_page_that_is_not_public_or_a_campaign_without_one_is_404(world: World, public_client):
    world.page.is_public = False
    world.page.save()
    assert public_client().get(url(world)).status_code == 404
    assert public_client().get("/call/no-such-campaign/").status_code == 404


def test_i_called_records_the_action_with_a_new_person_and_consent(
    cast, world: World, public_client
):
    response = report(
        public_client(), world, world.senator_west, consent="on", notes="Aide said yes"
    )
    assert response.status_code == 302
    assert "done=call" in response["Location"]
    action = PressureAction.objects.get()
    assert (action.target, action.kind, action.source) == (world.senator_west, "call", "public")
    assert action.notes == "Aide said yes"
    assert action.consent_text.startswith("Yes, keep me posted") and action.consent_at
    person = action.contact
    assert person.first_name == "Rosa" and person.zip_code == "11206"
    assert person.hub_memberships.filter(hub=cast.hub_a).exists()
    assert Activity.objects.filter(
        contact=person, kind="pressure_action", source_id=action.pk
    ).exists()


def test_i_wrote_records_an_email_action(world: World, public_client):
    report(public_client(), world, world.governor, kind="email", phone="", email="r@example.org")
    assert PressureAction.objects.get().kind == "email"


def test_a_known_person_is_matched_and_not_changed(world: World, public_client):
    known = ContactFactory(first_name="Rosario", last_name="L")
    PhoneFactory(contact=known, e164="+17185550142")
    report(public_client(), world, world.senator_west, first_name="Someone", last_name="Else")
    known.refresh_from_db()
    assert PressureAction.objects.get().contact == known
    assert known.first_name == "Rosario"
    assert Contact.objects.count() == 3  # the cast's two people and Rosario


def test_tapping_i_called_twice_counts_once_and_looks_the_same(world: World, public_client):
    first = report(public_client(), world, world.senator_west)
    second = report(public_client(), world, world.senator_west)
    assert first["Location"] == second["Location"]
    assert PressureAction.objects.count() == 1
    report(public_client(), world, world.governor)  # another target is another action
    assert PressureAction.objects.count() == 2


def test_a_recruiter_link_credits_who_brought_them(world: World, public_client):
    recruiter = ContactFactory(first_name="Rita")
    code = recruiter_code_for(contact=recruiter).code
    response = report(public_client(), world, world.senator_west, r=code)
    assert f"r={code}" in response["Location"]
    action = PressureAction.objects.get()
    assert action.recruited_by == recruiter
    assert action.contact.recruited_by == recruiter


def test_the_honeypot_saves_nothing_and_looks_the_same(world: World, public_client):
    response = report(public_client(), world, world.senator_west, website="http://spam")
    assert response.status_code == 302
    assert not PressureAction.objects.exists()
    assert not Contact.objects.filter(first_name="Rosa").exists()


def test_bad_input_is_a_400_that_keeps_what_was_typed(world: World, public_client):
    client = public_client()
    cases = [
        {"phone": "", "email": ""},
        {"phone": "12"},
        {"done": "call:abc"},
        {"done": "shout:1"},
        {"done": f"call:{world.other.pk}"},  # a target of no campaign
        {"done": "call:99999999999999999999"},
        {"first_name": "x" * 500},
        {"notes": "n" * 5000},
    ]
    for data in cases:
        response = report(client, world, world.senator_west, **data)
        assert response.status_code == 400, data
    assert not PressureAction.objects.exists()
    response = report(client, world, world.senator_west, phone="", email="")
    assert 'value="Rosa"' in response.content.decode()


def test_lookups_and_reports_from_one_address_are_limited(world: World, public_client):
    client = public_client()
    codes = [client.get(url(world), {"where": "11206"}).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    client = public_client()
    codes = [
        report(client, world, world.senator_west, phone=f"(718) 555-01{i:02d}").status_code
        for i in range(11)
    ]
    assert codes[:10] == [302] * 10 and codes[10] == 429
    assert PressureAction.objects.count() == 10


def test_a_huge_place_is_bounded(world: World, public_client):
    response = public_client().get(url(world), {"where": "1" * 100_000})
    assert response.status_code == 200  # read, bounded, refused by the form
    assert "Wendy West" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_same_new_person_reporting_at_once_is_one_person_and_one_action(cast):
    from campaigns.models import Campaign, PressurePage, Target

    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Race", slug="race", starts_on=today, ends_on=today + dt.timedelta(days=1)
    )
    campaign.hubs.set([cast.hub_a])
    target = Target.objects.create(name="G", office="Governor", level="state", phone="5185550100")
    target.campaigns.add(campaign)
    page = PressurePage.objects.create(
        campaign=campaign, ask="a", script="s", email_subject="e", email_body="b"
    )
    barrier = threading.Barrier(4)
    errors = []

    def go():
        try:
            barrier.wait()
            pressure_action_public(
                page=page,
                target=target,
                kind="call",
                data=SignerInput(first_name="Rosa", phone="(718) 555-0142"),
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Contact.objects.filter(phones__e164="+17185550142").count() == 1
    assert PressureAction.objects.count() == 1
    assert Activity.objects.filter(kind="pressure_action").count() == 1


# --- organizers log actions -----------------------------------------------------------------------


def log_url(world: World, contact) -> str:
    return f"/campaigns/{world.campaign.slug}/pressure/log/{contact.pk}/"


def test_an_organizer_logs_a_visit_for_a_person_in_their_hub(cast, world: World, client_for):
    day = timezone.localdate() - dt.timedelta(days=2)
    response = client_for(cast.organizer_a).post(
        log_url(world, cast.person_a),
        {"target": world.senator_west.pk, "kind": "visit", "day": day.isoformat(), "notes": "Met"},
    )
    assert response.status_code == 302
    action = PressureAction.objects.get()
    assert (action.contact, action.kind, action.source) == (cast.person_a, "visit", "organizer")
    assert action.logged_by == cast.organizer_a and action.day == day
    assert Activity.objects.filter(contact=cast.person_a, kind="pressure_action").exists()
    page = client_for(cast.organizer_a).get(f"/campaigns/pressure/people/{cast.person_a.pk}/")
    assert "Visit" in page.content.decode()


@pytest.mark.parametrize("persona", ["staff", "captain_a", "organizer_a"])
def test_staff_captains_and_organizers_in_scope_log_testimony(cast, world, client_for, persona):
    response = client_for(getattr(cast, persona)).post(
        log_url(world, cast.person_a),
        {"target": world.governor.pk, "kind": "testimony", "day": timezone.localdate()},
    )
    assert response.status_code == 302
    assert PressureAction.objects.filter(kind="testimony").count() == 1


@pytest.mark.parametrize("persona", ["organizer_b", "volunteer_a"])
def test_outsiders_cannot_log_or_see_the_form(cast, world, client_for, persona):
    client = client_for(getattr(cast, persona))
    assert client.get(log_url(world, cast.person_a)).status_code == 404
    response = client.post(
        log_url(world, cast.person_a),
        {"target": world.governor.pk, "kind": "visit", "day": timezone.localdate()},
    )
    assert response.status_code == 404
    assert not PressureAction.objects.exists()


def test_an_organizer_cannot_log_for_a_person_outside_their_scope(cast, world, client_for):
    response = client_for(cast.organizer_a).post(
        log_url(world, cast.person_b),
        {"target": world.governor.pk, "kind": "visit", "day": timezone.localdate()},
    )
    assert response.status_code == 404


def test_a_logged_action_must_name_a_campaign_target_and_a_past_day(cast, world, client_for):
    client = client_for(cast.staff)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for data in [
        {"target": world.other.pk, "kind": "visit", "day": timezone.localdate()},
        {"target": world.governor.pk, "kind": "dance", "day": timezone.localdate()},
        {"target": world.governor.pk, "kind": "visit", "day": tomorrow},
        {"target": world.governor.pk, "kind": "visit", "day": "not a date"},
    ]:
        assert client.post(log_url(world, cast.person_a), data).status_code == 400
    assert not PressureAction.objects.exists()


# --- goals and the ladder -------------------------------------------------------------------------


def test_actions_count_toward_the_pressure_actions_goal_per_hub(cast, world, public_client):
    report(public_client(), world, world.senator_west)
    report(public_client(), world, world.governor, kind="email", phone="", email="x@example.org")
    from campaigns.services.pressure import pressure_action_record

    pressure_action_record(
        campaign=world.campaign,
        target=world.governor,
        contact=cast.person_b,
        kind="visit",
        source="organizer",
        by=cast.staff,
    )
    counts = metric_counts(world.campaign, Metric.PRESSURE_ACTIONS)
    assert counts.total == 3
    assert counts.hub_total(cast.hub_a.pk) == 2  # the two new people joined hub A
    assert counts.hub_total(cast.hub_b.pk) == 1


def test_an_action_outside_the_campaign_dates_does_not_count(cast, world):
    from campaigns.services.pressure import pressure_action_record

    pressure_action_record(
        campaign=world.campaign,
        target=world.governor,
        contact=cast.person_a,
        kind="letter",
        source="organizer",
        at=timezone.now() - dt.timedelta(days=30),
    )
    assert metric_counts(world.campaign, Metric.PRESSURE_ACTIONS).total == 0


def test_pressure_actions_weigh_on_the_ladder(default_ladder, cast, world):
    from campaigns.services.pressure import pressure_action_record
    from contacts.models import ActivityWeight
    from contacts.services.ladder import ladder_rescore

    assert ActivityWeight.objects.get(kind="pressure_action").points > 0
    pressure_action_record(
        campaign=world.campaign,
        target=world.governor,
        contact=cast.person_a,
        kind="call",
        source="organizer",
    )
    ladder_rescore(contact_ids=[cast.person_a.pk])
    cast.person_a.refresh_from_db()
    assert cast.person_a.score > 0
