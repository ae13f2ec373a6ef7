"""Advocacy campaigns (a campaign with a call page) and outreaches (pressure actions) under
/api/v2/: shape, scoping per persona, the record-outreach helper (person matching as the signup
helper does, once a day per person/target/kind), and bad input as a 4xx that saves nothing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from api.osdi.ids import from_uuid, to_uuid
from campaigns.models import Campaign, PressureAction, PressurePage, Target
from campaigns.services.pressure import pressure_action_record
from contacts.models import Contact
from tests.factories import EmailFactory

V2 = "/api/v2/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(cast, token_for, api):
    return lambda persona: api(token_for(getattr(cast, persona)))


def make_campaign(hubs, *, slug="heat", targets=2, page=True) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=f"Campaign {slug}", slug=slug, starts_on=today, ends_on=today + dt.timedelta(days=9)
    )
    campaign.hubs.set(hubs)
    for n in range(targets):
        t = Target.objects.create(
            name=f"Sen {slug} {n}", office="State Senator", level="state", phone="5185550100"
        )
        t.campaigns.add(campaign)
    if page:
        PressurePage.objects.create(
            campaign=campaign, ask="Fund heat", script="Hi", email_subject="s", email_body="b"
        )
    return campaign


@pytest.fixture
def shared(cast):
    """A campaign with a call page that hubs A and B both take part in, with one action by
    hub A's person and one by hub B's."""
    campaign = make_campaign([cast.hub_a, cast.hub_b])
    t0 = campaign.targets.order_by("pk").first()
    for person in (cast.person_a, cast.person_b):
        pressure_action_record(
            campaign=campaign, target=t0, contact=person, kind="call", source="organizer"
        )
    return campaign


def cid(campaign) -> str:
    return to_uuid("advocacy_campaign", campaign.pk)


def outreaches_url(campaign) -> str:
    return f"{V2}advocacy_campaigns/{cid(campaign)}/outreaches"


def embedded(response, rel):
    assert response.status_code == 200, response.content
    return response.json()["_embedded"][rel]


# --- shape --------------------------------------------------------------------------------------


def test_a_campaign_with_a_call_page_is_an_advocacy_campaign_with_its_targets(cast, as_, shared):
    make_campaign([cast.hub_a], slug="nopage", page=False)
    retired = Target.objects.create(name="Gone", office="Senator", level="state")
    retired.campaigns.add(shared)
    retired.is_active = False
    retired.save()
    body = as_("staff").get(f"{V2}advocacy_campaigns").json()
    assert body["total_records"] == 1 and body["page"] == 1
    (c,) = body["_embedded"]["osdi:advocacy_campaigns"]
    assert c["identifiers"] == [f"action_network:{cid(shared)}"]
    assert (c["title"], c["description"], c["total_outreaches"]) == (
        "Campaign heat",
        "Fund heat",
        2,
    )
    assert [t["name"] for t in c["targets"]] == ["Sen heat 0", "Sen heat 1"]
    assert c["targets"][0]["title"] == "State Senator"
    links = c["_links"]
    assert links["osdi:outreaches"]["href"].endswith(f"advocacy_campaigns/{cid(shared)}/outreaches")
    assert links["osdi:record_outreach_helper"] == links["osdi:outreaches"]
    one = as_("staff").get(f"{V2}advocacy_campaigns/{cid(shared)}/")
    assert one.status_code == 200 and one.json()["identifiers"] == c["identifiers"]


def test_an_outreach_links_its_person_campaign_and_target(cast, as_, shared):
    (o, _other) = embedded(as_("staff").get(outreaches_url(shared)), "osdi:outreaches")
    action = PressureAction.objects.get(contact=cast.person_a)
    assert from_uuid("outreach", o["identifiers"][0]) == action.pk
    assert (o["type"], o["action_network:kind"]) == ("phone", "call")
    assert o["targets"][0]["name"] == "Sen heat 0"
    assert o["_links"]["osdi:person"]["href"].endswith(
        f"people/{to_uuid('person', cast.person_a.pk)}"
    )
    assert o["_links"]["osdi:advocacy_campaign"]["href"].endswith(cid(shared))
    detail = as_("staff").get(o["_links"]["self"]["href"])
    assert detail.status_code == 200 and detail.json() == o


def test_outreaches_page_and_filter(as_, shared):
    page = as_("staff").get(outreaches_url(shared) + "?per_page=1&page=2").json()
    assert (
        page["total_records"],
        page["total_pages"],
        len(page["_embedded"]["osdi:outreaches"]),
    ) == (2, 2, 1)
    later = as_("staff").get(outreaches_url(shared), {"filter": "created_date gt '2199-01-01'"})
    assert embedded(later, "osdi:outreaches") == []


# --- scoping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "campaigns", "people"),
    [
        ("staff", 2, {"person_a", "person_b"}),
        ("captain_a", 1, {"person_a"}),
        ("organizer_a", 1, {"person_a"}),
        ("organizer_b", 2, {"person_b"}),
        ("volunteer_a", 0, set()),
    ],
)
def test_each_persona_sees_its_campaigns_and_its_peoples_outreaches(
    cast, as_, shared, persona, campaigns, people
):
    make_campaign([cast.hub_b], slug="bonly")
    client = as_(persona)
    assert (
        len(embedded(client.get(f"{V2}advocacy_campaigns"), "osdi:advocacy_campaigns")) == campaigns
    )
    response = client.get(outreaches_url(shared))
    if persona == "volunteer_a":
        assert response.status_code == 404
        return
    seen = {
        from_uuid("outreach", o["identifiers"][0]) for o in embedded(response, "osdi:outreaches")
    }
    expected = {PressureAction.objects.get(contact=getattr(cast, p)).pk for p in people}
    assert seen == expected
    # Numbers everyone who sees the campaign sees, as on its page; names only in scope.
    assert client.get(f"{V2}advocacy_campaigns/{cid(shared)}").json()["total_outreaches"] == 2


def test_a_persons_outreaches_follow_their_link_and_scope(cast, as_, shared):
    person = as_("organizer_a").get(f"{V2}people/{to_uuid('person', cast.person_a.pk)}").json()
    href = person["_links"]["osdi:outreaches"]["href"]
    (o,) = embedded(as_("organizer_a").get(href), "osdi:outreaches")
    assert from_uuid("outreach", o["identifiers"][0]) == (
        PressureAction.objects.get(contact=cast.person_a).pk
    )
    assert as_("organizer_b").get(href).status_code == 404


def test_hub_b_never_reaches_hub_as_outreach_or_campaign(cast, as_, shared):
    only_a = make_campaign([cast.hub_a], slug="aonly")
    a_action = PressureAction.objects.get(contact=cast.person_a)
    client = as_("organizer_b")
    assert (
        client.get(f"{outreaches_url(shared)}/{to_uuid('outreach', a_action.pk)}").status_code
        == 404
    )
    assert client.get(f"{V2}advocacy_campaigns/{cid(only_a)}").status_code == 404
    assert client.get(outreaches_url(only_a)).status_code == 404
    helper = client.post(
        outreaches_url(only_a),
        {"person": {"email_addresses": [{"address": "x@example.org"}]}},
        content_type="application/json",
    )
    assert helper.status_code == 404
    # A campaign id is not an outreach id, nor a person's.
    assert client.get(f"{V2}advocacy_campaigns/{to_uuid('person', shared.pk)}").status_code == 404


# --- the record-outreach helper -----------------------------------------------------------------


def post(client, campaign, body):
    return client.post(outreaches_url(campaign), body, content_type="application/json")


def test_the_helper_creates_the_person_and_counts_once_a_day(cast, as_, shared):
    target = shared.targets.order_by("pk").last()
    body = {
        "person": {"given_name": "Rosa", "email_addresses": [{"address": "Rosa@Example.org"}]},
        "targets": [{"identifiers": [f"action_network:{to_uuid('target', target.pk)}"]}],
        "type": "phone",
    }
    first = post(as_("organizer_a"), shared, body)
    assert first.status_code == 201, first.content
    rosa = Contact.objects.get(emails__address="rosa@example.org")
    action = PressureAction.objects.get(contact=rosa)
    assert (action.target, action.kind, action.logged_by) == (target, "call", cast.organizer_a)
    again = post(as_("organizer_a"), shared, body)
    assert again.status_code == 200 and again.json()["identifiers"] == first.json()["identifiers"]
    assert PressureAction.objects.filter(contact=rosa).count() == 1
    assert Contact.objects.filter(emails__address="rosa@example.org").count() == 1
    # Another kind the same day is another outreach.
    wrote = post(as_("organizer_a"), shared, body | {"type": "email"})
    assert wrote.status_code == 201 and wrote.json()["type"] == "email"


def test_the_helper_matches_a_known_person_by_email_and_a_target_by_name(cast, as_, shared):
    EmailFactory(contact=cast.person_a, address="ana@example.org")
    before = Contact.objects.count()
    response = post(
        as_("organizer_a"),
        shared,
        {
            "person": {"email_addresses": [{"address": "ana@example.org"}]},
            "targets": [{"title": "State Senator", "name": "sen HEAT 1"}],
            "type": "in-person",
        },
    )
    assert response.status_code == 201, response.content
    assert Contact.objects.count() == before
    action = PressureAction.objects.get(contact=cast.person_a, kind="visit")
    assert action.target.name == "Sen heat 1"


def test_the_helper_takes_a_person_link_and_several_targets(cast, as_, shared):
    person = f"{V2}people/{to_uuid('person', cast.person_a.pk)}"
    targets = [
        {"identifiers": [f"action_network:{to_uuid('target', t.pk)}"]} for t in shared.targets.all()
    ]
    response = post(
        as_("captain_a"),
        shared,
        {"_links": {"osdi:person": {"href": person}}, "targets": targets, "type": "email"},
    )
    assert response.status_code == 201
    assert PressureAction.objects.filter(contact=cast.person_a, kind="email").count() == 2


def test_a_campaign_with_one_target_needs_none_named(cast, as_):
    solo = make_campaign([cast.hub_a], slug="solo", targets=1)
    response = post(
        as_("organizer_a"), solo, {"person": {"phone_numbers": [{"number": "718 555 0199"}]}}
    )
    assert response.status_code == 201 and response.json()["type"] == "phone"
    assert PressureAction.objects.get(campaign=solo).contact.phones.get().e164 == "+17185550199"


def test_someone_out_of_scope_is_a_409_and_nothing_is_recorded(cast, as_, shared):
    EmailFactory(contact=cast.person_a, address="ana@example.org")
    t0 = shared.targets.order_by("pk").first()
    response = post(
        as_("organizer_b"),
        shared,
        {
            "person": {"email_addresses": [{"address": "ana@example.org"}]},
            "targets": [{"identifiers": [to_uuid("target", t0.pk)]}],
            "type": "email",
        },
    )
    assert response.status_code == 409 and response.json()["error"]
    assert not PressureAction.objects.filter(kind="email").exists()
    link = {
        "_links": {"osdi:person": {"href": f"{V2}people/{to_uuid('person', cast.person_a.pk)}"}}
    }
    assert (
        post(as_("organizer_b"), shared, link | {"targets": [{"name": t0.name}]}).status_code == 404
    )


@pytest.mark.parametrize(
    "body",
    [
        {"type": "carrier pigeon", "targets": [{"name": "Sen heat 0"}]},
        {"type": 5, "targets": [{"name": "Sen heat 0"}]},
        {"targets": [{"name": "Nobody"}]},
        {"targets": [{"name": "Sen heat 0"}] * 21},
        {"targets": "Sen heat 0"},
        {"targets": [5]},
        {"targets": [{"name": ["x"]}]},
        {},  # two targets and none named
        {"targets": [{"identifiers": [to_uuid("person", 1)]}]},
    ],
)
def test_bad_input_is_a_400_that_saves_nothing(as_, shared, body):
    person = {"person": {"email_addresses": [{"address": "new@example.org"}]}}
    response = post(as_("organizer_a"), shared, person | body)
    assert response.status_code == 400 and response.json()["error"]
    assert PressureAction.objects.count() == 2
    assert not Contact.objects.filter(emails__address="new@example.org").exists()


def test_a_target_of_another_campaign_is_refused(cast, as_, shared):
    other = make_campaign([cast.hub_a], slug="other", targets=1)
    foreign = other.targets.get()
    body = {
        "person": {"email_addresses": [{"address": "new@example.org"}]},
        "targets": [{"identifiers": [to_uuid("target", foreign.pk)]}],
    }
    assert post(as_("organizer_a"), shared, body).status_code == 400
    assert PressureAction.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_new_person_posted_at_once_is_one_person_and_one_outreach(cast, token_for, api):
    campaign = make_campaign([cast.hub_a], slug="race", targets=1)
    key = token_for(cast.organizer_a)
    barrier = threading.Barrier(3)
    codes = []

    def go():
        try:
            barrier.wait()
            response = api(key).post(
                outreaches_url(campaign),
                {"person": {"email_addresses": [{"address": "race@example.org"}]}},
                content_type="application/json",
            )
            codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 200, 201]
    assert Contact.objects.filter(emails__address="race@example.org").count() == 1
    assert PressureAction.objects.filter(campaign=campaign).count() == 1
