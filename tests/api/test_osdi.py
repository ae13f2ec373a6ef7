"""The Action Network–compatible API under /api/v2/: HAL shape, paging, filters, the helpers,
and scoping for every persona (hub B's organizer never sees hub A's people, by any path)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.osdi.ids import from_uuid, to_uuid
from campaigns.models import Campaign, Event, Petition, Rsvp, Signature
from contacts.models import Contact, ContactEvent, Tag
from tests.factories import ContactFactory, EmailFactory, HubMemberFactory, PhoneFactory

V2 = "/api/v2/"
pytestmark = pytest.mark.django_db


def uid(kind: str, pk: int) -> str:
    return to_uuid(kind, pk)


@pytest.fixture
def as_(cast, token_for, api):
    """``as_("organizer_b")``: a client with that persona's token."""

    def make(persona: str):
        return api(token_for(getattr(cast, persona)))

    return make


@pytest.fixture
def event_a(cast):
    start = timezone.now() + dt.timedelta(days=3)
    return Event.objects.create(
        title="Potluck A",
        kind=Event.Kind.POTLUCK,
        hub=cast.hub_a,
        organizer=cast.organizer_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )


@pytest.fixture
def event_b(cast):
    start = timezone.now() + dt.timedelta(days=3)
    return Event.objects.create(
        title="Meeting B",
        kind=Event.Kind.HUB_MEETING,
        hub=cast.hub_b,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )


@pytest.fixture
def petition_a(cast):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Heat", slug="heat", starts_on=today, ends_on=today + dt.timedelta(days=9)
    )
    campaign.hubs.set([cast.hub_a])
    return Petition.objects.create(
        campaign=campaign, title="Heat now", text="Fix it", target_name="Acme"
    )


def people_ids(response) -> set[int]:
    return {
        from_uuid("person", p["identifiers"][0])
        for p in response.json()["_embedded"]["osdi:people"]
    }


# --- shape --------------------------------------------------------------------------------------


def test_the_entry_point_links_every_collection(as_):
    response = as_("staff").get(V2)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/hal+json")
    links = response.json()["_links"]
    for rel in ("osdi:people", "osdi:tags", "osdi:events", "osdi:petitions", "osdi:forms"):
        assert links[rel]["href"].startswith("http://testserver/api/v2/")
    assert links["curies"][0]["name"] == "osdi"


def test_a_person_reads_as_action_network_writes_it(cast, as_):
    EmailFactory(contact=cast.person_a, address="ana@example.org")
    PhoneFactory(contact=cast.person_a, raw="(718) 555-0142", e164="+17185550142")
    response = as_("organizer_a").get(f"{V2}people/{uid('person', cast.person_a.pk)}")
    assert response.status_code == 200
    body = response.json()
    assert body["identifiers"] == [f"action_network:{uid('person', cast.person_a.pk)}"]
    assert body["given_name"] == "Ana" and body["family_name"] == "Alvarez"
    assert body["email_addresses"][0]["address"] == "ana@example.org"
    assert body["phone_numbers"][0]["number"] == "17185550142"
    assert body["created_date"].endswith("Z") and body["modified_date"].endswith("Z")
    assert body["_links"]["self"]["href"].endswith(uid("person", cast.person_a.pk))


def test_a_person_reads_the_same_in_the_list_and_alone_field_by_field(cast, as_):
    """The list builds people from one SQL statement's rows; this pins every field it writes."""
    person = cast.person_a
    Contact.objects.filter(pk=person.pk).update(
        preferred_name="Annie", languages=["Spanish", "English"], street="12 Oak St", unit="3F",
        city="Brooklyn", state="NY", zip_code="11237", latitude=40.7, longitude=-73.9,
        employer="Acme", membership_status="lapsed", email_ok=True, sms_ok=False,
        created_at=dt.datetime(2026, 3, 4, 5, 6, 7, 890_000, tzinfo=dt.UTC),
        updated_at=dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=dt.UTC),
    )  # fmt: skip
    EmailFactory(contact=person, address="old@example.org", is_primary=False)
    EmailFactory(contact=person, address="ana@example.org", is_primary=True)
    PhoneFactory(contact=person, e164="+17185550100", kind="home", is_primary=False)
    PhoneFactory(contact=person, e164="+17185550142", kind="mobile", is_primary=True)
    client = as_("organizer_a")
    pid = uid("person", person.pk)
    alone = client.get(f"{V2}people/{pid}").json()
    listed = client.get(f"{V2}people").json()["_embedded"]["osdi:people"]
    assert [p for p in listed if p["identifiers"] == alone["identifiers"]] == [alone]
    href = f"http://testserver/api/v2/people/{pid}"
    assert alone == {
        "identifiers": [f"action_network:{pid}"],
        "created_date": "2026-03-04T05:06:07Z",
        "modified_date": "2026-11-30T23:59:59Z",
        "given_name": "Ana",
        "family_name": "Alvarez",
        "languages_spoken": ["Spanish", "English"],
        "email_addresses": [
            {"primary": True, "address": "ana@example.org", "status": "subscribed"},
            {"primary": False, "address": "old@example.org", "status": "subscribed"},
        ],
        "phone_numbers": [
            {"primary": True, "number": "17185550142", "number_type": "Mobile",
             "status": "unsubscribed"},
            {"primary": False, "number": "17185550100", "number_type": "Home",
             "status": "unsubscribed"},
        ],
        "postal_addresses": [
            {"primary": True, "country": "US", "address_lines": ["12 Oak St", "3F"],
             "locality": "Brooklyn", "region": "NY", "postal_code": "11237",
             "location": {"latitude": 40.7, "longitude": -73.9, "accuracy": "Rooftop"}}
        ],
        "custom_fields": {"preferred_name": "Annie", "employer": "Acme",
                          "membership_status": "lapsed"},
        "_links": {
            "self": {"href": href},
            "osdi:attendances": {"href": f"{href}/attendances"},
            "osdi:signatures": {"href": f"{href}/signatures"},
            "osdi:taggings": {"href": f"{href}/taggings"},
            "osdi:outreaches": {"href": f"{href}/outreaches"},
        },
    }  # fmt: skip


def test_a_person_without_emails_phones_or_address_has_empty_lists(cast, as_):
    Contact.objects.filter(pk=cast.person_a.pk).update(
        city="", state="", zip_code="", latitude=None, longitude=None, languages=[]
    )
    body = as_("organizer_a").get(f"{V2}people/{uid('person', cast.person_a.pk)}").json()
    assert body["email_addresses"] == [] and body["phone_numbers"] == []
    assert body["languages_spoken"] == []
    assert body["postal_addresses"] == [{"primary": True, "country": "US"}]


def test_a_client_asking_for_plain_json_gets_it(as_):
    response = as_("staff").get(f"{V2}people", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_identifiers_are_stable_and_kind_specific():
    assert from_uuid("person", to_uuid("person", 42)) == 42
    assert from_uuid("event", to_uuid("person", 42)) is None
    assert from_uuid("person", "action_network:" + to_uuid("person", 7)) == 7
    assert from_uuid("person", "not-a-uuid") is None


@pytest.mark.parametrize("path", ["people", "people/", "tags", "tags/", "events", "events/"])
def test_with_and_without_a_trailing_slash(as_, path):
    assert as_("staff").get(V2 + path).status_code == 200


def test_an_empty_page_is_an_empty_list_not_a_404(as_):
    response = as_("staff").get(f"{V2}people?page=50")
    assert response.status_code == 200
    assert response.json()["_embedded"]["osdi:people"] == []
    assert "next" not in response.json()["_links"]


def test_paging_gives_next_and_previous(cast, as_):
    for n in range(5):
        HubMemberFactory(contact=ContactFactory(first_name=f"P{n}"), hub=cast.hub_a)
    client = as_("staff")
    first = client.get(f"{V2}people?per_page=3").json()
    second = client.get(f"{V2}people?per_page=3&page=2").json()
    assert len(first["_embedded"]["osdi:people"]) == 3
    assert "page=2" in first["_links"]["next"]["href"]
    assert "page=1" in second["_links"]["previous"]["href"]
    seen = [
        p["identifiers"][0]
        for p in first["_embedded"]["osdi:people"] + second["_embedded"]["osdi:people"]
    ]
    assert len(seen) == len(set(seen)) == 6  # 7 people: Ana, Bo, 5 more; pages 1-2 hold 6
    assert first["per_page"] == 3 and first["page"] == 1


def test_per_page_is_capped_at_100(as_):
    assert as_("staff").get(f"{V2}people?per_page=5000").json()["per_page"] == 100


@pytest.mark.parametrize("query", ["page=abc", "page=0", "per_page=-1"])
def test_bad_paging_is_a_400_with_an_error(as_, query):
    response = as_("staff").get(f"{V2}people?{query}")
    assert response.status_code == 400
    assert response.json()["error"]


def test_small_collections_count_their_records(as_, event_a, event_b):
    body = as_("staff").get(f"{V2}events").json()
    assert body["total_records"] == 2 and body["total_pages"] == 1


def test_the_query_count_does_not_grow_with_page_size_or_number(cast, as_):
    for n in range(30):
        c = ContactFactory(first_name=f"P{n}")
        EmailFactory(contact=c)
        HubMemberFactory(contact=c, hub=cast.hub_a)
    client = as_("organizer_a")
    client.get(f"{V2}people")  # the token's first use writes last_used_at once
    counts = []
    for query in ("per_page=25", "per_page=100", "per_page=5&page=4"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{V2}people?{query}").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 6


# --- filters ------------------------------------------------------------------------------------


def test_it_filters_by_modified_date(cast, as_):
    Contact.objects.filter(pk=cast.person_a.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=400)
    )
    client = as_("staff")
    recent = (timezone.now() - dt.timedelta(days=30)).date().isoformat()
    response = client.get(f"{V2}people", {"filter": f"modified_date gt '{recent}'"})
    assert people_ids(response) == {cast.person_b.pk}
    response = client.get(f"{V2}people", {"filter": f"modified_date lt '{recent}'"})
    assert people_ids(response) == {cast.person_a.pk}


def test_it_filters_by_email_address(cast, as_):
    EmailFactory(contact=cast.person_a, address="ana@example.org")
    response = as_("staff").get(f"{V2}people", {"filter": "email_address eq 'Ana@Example.org'"})
    assert people_ids(response) == {cast.person_a.pk}


@pytest.mark.parametrize(
    "text", ["shoe_size eq '9'", "modified_date gt 'yesterday'", "modified_date", "x" * 600]
)
def test_an_unsupported_filter_is_a_400_saying_what_works(as_, text):
    response = as_("staff").get(f"{V2}people", {"filter": text})
    assert response.status_code == 400
    assert response.json()["error"]


# --- scoping: hub B's organizer never sees hub A's people ----------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("staff", {"person_a", "person_b"}),
        ("captain_a", {"person_a"}),
        ("organizer_a", {"person_a"}),
        ("organizer_b", {"person_b"}),
        ("volunteer_a", set()),
    ],
)
def test_people_lists_are_scoped(cast, as_, persona, sees):
    response = as_(persona).get(f"{V2}people")
    assert people_ids(response) == {getattr(cast, name).pk for name in sees}


def test_outsiders_get_404_by_id(cast, as_):
    client = as_("organizer_b")
    path = f"{V2}people/{uid('person', cast.person_a.pk)}"
    assert client.get(path).status_code == 404
    assert client.put(path, {"given_name": "X"}, content_type="application/json").status_code == 404
    assert client.get(f"{path}/attendances").status_code == 404
    cast.person_a.refresh_from_db()
    assert cast.person_a.first_name == "Ana"


def test_outsiders_do_not_find_them_by_filter(cast, as_):
    EmailFactory(contact=cast.person_a, address="ana@example.org")
    response = as_("organizer_b").get(
        f"{V2}people", {"filter": "email_address eq 'ana@example.org'"}
    )
    assert people_ids(response) == set()


def test_outsiders_do_not_see_them_by_tag(cast, as_):
    tag = Tag.objects.create(name="tenant")
    cast.person_a.tags.add(tag)
    cast.person_b.tags.add(tag)
    response = as_("organizer_b").get(f"{V2}tags/{uid('tag', tag.pk)}/taggings")
    people = [
        t["_links"]["osdi:person"]["href"] for t in response.json()["_embedded"]["osdi:taggings"]
    ]
    assert people == [f"http://testserver/api/v2/people/{uid('person', cast.person_b.pk)}"]


def test_outsiders_do_not_see_them_by_attendance(cast, as_, event_a):
    Rsvp.objects.create(event=event_a, contact=cast.person_a)
    path = f"{V2}events/{uid('event', event_a.pk)}/attendances"
    assert as_("organizer_b").get(path).status_code == 404  # hub A's event
    # An event of hub B that someone of hub A came to shows hub B's organizer nothing of them.
    event_a.hub = cast.hub_b
    event_a.save()
    body = as_("organizer_b").get(path).json()
    assert body["_embedded"]["osdi:attendances"] == [] and body["total_records"] == 0


def test_outsiders_do_not_see_them_by_signature(cast, as_, petition_a):
    signature = Signature.objects.create(
        petition=petition_a, contact=cast.person_a, source="online"
    )
    path = f"{V2}petitions/{uid('petition', petition_a.pk)}/signatures"
    assert as_("organizer_b").get(path).status_code == 404
    petition_a.campaign.hubs.add(cast.hub_b)
    body = as_("organizer_b").get(path).json()
    assert body["_embedded"]["osdi:signatures"] == []
    assert as_("organizer_b").get(f"{path}/{uid('signature', signature.pk)}").status_code == 404
    assert len(as_("organizer_a").get(path).json()["_embedded"]["osdi:signatures"]) == 1


def test_anonymous_gets_401_json(client):
    response = client.get(f"{V2}people")
    assert response.status_code == 401
    assert response.json()["error"]


# --- the person signup helper and updates -------------------------------------------------------


def test_the_signup_helper_creates_a_person_i_own(cast, as_):
    body = {
        "person": {
            "given_name": "Rosa",
            "family_name": "Luna",
            "email_addresses": [{"address": "Rosa@Example.org"}],
            "phone_numbers": [{"number": "7185550199", "status": "subscribed"}],
            "postal_addresses": [{"postal_code": "11237", "locality": "Brooklyn"}],
        },
        "add_tags": ["volunteer"],
    }
    response = as_("organizer_b").post(f"{V2}people", body, content_type="application/json")
    assert response.status_code == 200
    rosa = Contact.objects.get(emails__address="rosa@example.org")
    assert rosa.first_name == "Rosa" and rosa.last_name == "Luna"
    assert rosa.zip_code == "11237" and rosa.owner == cast.organizer_b and rosa.sms_ok
    assert list(rosa.tags.values_list("name", flat=True)) == ["volunteer"]
    assert rosa.phones.get().e164 == "+17185550199"
    assert response.json()["identifiers"] == [f"action_network:{uid('person', rosa.pk)}"]


def test_the_signup_helper_updates_the_person_with_that_email(cast, as_):
    EmailFactory(contact=cast.person_b, address="bo@example.org")
    body = {"person": {"given_name": "Bob", "email_addresses": [{"address": "bo@example.org"}]}}
    response = as_("organizer_b").post(f"{V2}people/", body, content_type="application/json")
    assert response.status_code == 200
    cast.person_b.refresh_from_db()
    assert cast.person_b.first_name == "Bob"
    assert Contact.objects.count() == 2
    assert ContactEvent.objects.filter(contact=cast.person_b, kind="edited").exists()


def test_the_signup_helper_never_touches_someone_outside_my_scope(cast, as_):
    EmailFactory(contact=cast.person_a, address="ana@example.org")
    body = {"person": {"given_name": "Hacked", "email_addresses": [{"address": "ana@example.org"}]}}
    response = as_("organizer_b").post(f"{V2}people", body, content_type="application/json")
    assert response.status_code == 409
    assert "Ana" not in response.content.decode()
    cast.person_a.refresh_from_db()
    assert cast.person_a.first_name == "Ana" and Contact.objects.count() == 2


@pytest.mark.parametrize(
    "person",
    [
        {"given_name": "No contact"},
        {"email_addresses": [{"address": "not-an-email"}]},
        {"phone_numbers": [{"number": "12"}]},
        {"given_name": "x" * 101, "email_addresses": ["a@example.org"]},
        {"email_addresses": [f"p{n}@example.org" for n in range(6)]},
        "a string",
    ],
)
def test_the_signup_helper_refuses_bad_input_with_400(as_, person):
    response = as_("staff").post(f"{V2}people", {"person": person}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]
    assert Contact.objects.count() == 2


def test_a_body_that_is_not_json_is_a_400(as_):
    response = as_("staff").post(f"{V2}people", "{oops", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]


def test_put_updates_a_person_with_history(cast, as_):
    path = f"{V2}people/{uid('person', cast.person_a.pk)}"
    body = {"family_name": "Álvarez", "custom_fields": {"employer": "JFK8"}}
    response = as_("organizer_a").put(path, body, content_type="application/json")
    assert response.status_code == 200
    cast.person_a.refresh_from_db()
    assert cast.person_a.last_name == "Álvarez" and cast.person_a.employer == "JFK8"
    event = ContactEvent.objects.get(contact=cast.person_a, kind="edited")
    assert event.actor == cast.organizer_a


# --- tags and taggings --------------------------------------------------------------------------


def test_tags_are_created_once_and_tagging_by_link(cast, as_):
    client = as_("organizer_a")
    first = client.post(f"{V2}tags", {"name": "Tenant leader"}, content_type="application/json")
    again = client.post(f"{V2}tags", {"name": "tenant leader"}, content_type="application/json")
    assert first.json()["identifiers"] == again.json()["identifiers"]
    tag = Tag.objects.get()
    href = f"http://testserver/api/v2/people/{uid('person', cast.person_a.pk)}"
    response = client.post(
        f"{V2}tags/{uid('tag', tag.pk)}/taggings",
        {"_links": {"osdi:person": {"href": href}}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert list(cast.person_a.tags.all()) == [tag]
    tagging = response.json()["_links"]["self"]["href"]
    assert client.delete(tagging).status_code == 200
    assert not cast.person_a.tags.exists()


def test_tagging_someone_i_cannot_see_is_a_404(cast, as_):
    tag = Tag.objects.create(name="x")
    href = f"http://testserver/api/v2/people/{uid('person', cast.person_a.pk)}"
    response = as_("organizer_b").post(
        f"{V2}tags/{uid('tag', tag.pk)}/taggings",
        {"_links": {"osdi:person": {"href": href}}},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not cast.person_a.tags.exists()


# --- events and attendances ---------------------------------------------------------------------


def test_events_are_scoped(as_, event_a, event_b):
    titles = lambda r: {e["title"] for e in r.json()["_embedded"]["osdi:events"]}  # noqa: E731
    assert titles(as_("organizer_a").get(f"{V2}events")) == {"Potluck A"}
    assert titles(as_("organizer_b").get(f"{V2}events")) == {"Meeting B"}
    assert as_("organizer_b").get(f"{V2}events/{uid('event', event_a.pk)}").status_code == 404
    assert titles(as_("volunteer_a").get(f"{V2}events")) == set()


def test_a_captain_creates_and_updates_an_event_in_their_hub(cast, as_):
    client = as_("captain_a")
    body = {
        "title": "Rally",
        "start_date": "2030-05-01 18:00:00",
        "location": {"venue": "City Hall"},
    }
    response = client.post(f"{V2}events", body, content_type="application/json")
    assert response.status_code == 200, response.content
    event = Event.objects.get(title="Rally")
    assert event.hub == cast.hub_a and event.place == "City Hall"
    assert event.ends_at - event.starts_at == dt.timedelta(hours=2)
    assert response.json()["_links"]["self"]["href"].endswith(uid("event", event.pk))
    path = f"{V2}events/{uid('event', event.pk)}"
    assert (
        client.put(path, {"title": "Big rally"}, content_type="application/json").status_code == 200
    )
    event.refresh_from_db()
    assert event.title == "Big rally"


def test_organizers_cannot_create_events(as_):
    body = {"title": "Rally", "start_date": "2030-05-01T18:00:00Z"}
    assert (
        as_("organizer_a").post(f"{V2}events", body, content_type="application/json").status_code
        == 403
    )


def test_staff_say_which_hub(cast, as_):
    body = {"title": "Rally", "start_date": "2030-05-01T18:00:00Z"}
    client = as_("staff")
    response = client.post(f"{V2}events", body, content_type="application/json")
    assert response.status_code == 400 and "hub" in response.json()["error"]
    body["hub"] = "hub-b"
    assert client.post(f"{V2}events", body, content_type="application/json").status_code == 200
    assert Event.objects.get().hub == cast.hub_b


def test_record_attendance_helper_rsvps_through_the_rsvp_service(cast, as_, event_a):
    client = as_("organizer_a")
    path = f"{V2}events/{uid('event', event_a.pk)}/attendances"
    body = {"person": {"given_name": "Rosa", "email_addresses": [{"address": "rosa@example.org"}]}}
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 201
    rsvp = Rsvp.objects.get(event=event_a)
    assert rsvp.contact.first_name == "Rosa" and rsvp.source == Rsvp.Source.STAFF
    assert rsvp.contact.hubs.get() == cast.hub_a  # a new person joins the event's hub
    assert client.post(path, body, content_type="application/json").status_code == 200
    assert Rsvp.objects.count() == 1
    listed = client.get(path).json()["_embedded"]["osdi:attendances"]
    assert [a["action_network:person_id"] for a in listed] == [uid("person", rsvp.contact_id)]


def test_attendance_of_someone_i_cannot_see_is_refused(cast, as_, event_b):
    EmailFactory(contact=cast.person_a, address="ana@example.org")
    path = f"{V2}events/{uid('event', event_b.pk)}/attendances"
    body = {"person": {"email_addresses": [{"address": "ana@example.org"}]}}
    response = as_("organizer_b").post(path, body, content_type="application/json")
    assert response.status_code == 409
    assert not Rsvp.objects.exists()


# --- petitions and signatures -------------------------------------------------------------------


def test_signature_helper_signs_once(cast, as_, petition_a):
    client = as_("organizer_a")
    path = f"{V2}petitions/{uid('petition', petition_a.pk)}/signatures"
    body = {"person": {"given_name": "Rosa", "phone_numbers": [{"number": "718-555-0123"}]}}
    assert client.post(path, body, content_type="application/json").status_code == 201
    assert client.post(path, body, content_type="application/json").status_code == 200
    signature = Signature.objects.get()
    assert signature.contact.phones.get().e164 == "+17185550123"
    petition = client.get(f"{V2}petitions/{uid('petition', petition_a.pk)}").json()
    assert petition["total_signatures"] == 1 and petition["target"] == [{"name": "Acme"}]


def test_petitions_are_scoped(as_, petition_a):
    assert as_("organizer_b").get(f"{V2}petitions").json()["_embedded"]["osdi:petitions"] == []
    assert len(as_("organizer_a").get(f"{V2}petitions").json()["_embedded"]["osdi:petitions"]) == 1


# --- what does not map --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "rel"), [("advocacy_campaigns", "osdi:advocacy_campaigns"), ("forms", "osdi:forms")]
)
def test_unmapped_collections_are_empty_in_the_right_shape(as_, path, rel):
    body = as_("staff").get(V2 + path).json()
    assert body["_embedded"] == {rel: []} and body["total_records"] == 0


@pytest.mark.parametrize(
    "path", ["forms/abc/submissions", "queries", "advocacy_campaigns/x/outreaches"]
)
def test_unknown_resources_are_a_json_404(as_, path):
    response = as_("staff").get(V2 + path)
    assert response.status_code == 404 and response.json()["error"]


# --- bad input is a 4xx, never a 500 -------------------------------------------------------------

ODD_BODIES = [
    [],
    {"person": {"email_addresses": [{"address": 5}]}},
    {"person": {"email_addresses": [{"status": "subscribed"}]}},
    {"person": {"email_addresses": "a@example.org", "postal_addresses": [{"address_lines": [{}]}]}},
    {"person": {"phone_numbers": [{"number": None}]}},
    {"person": {"email_addresses": ["a@example.org"], "custom_fields": {"employer": ["x"]}}},
    {"person": {"email_addresses": ["a@example.org"], "languages_spoken": [["x"]]}},
    {
        "person": {
            "email_addresses": ["a@example.org"],
            "postal_addresses": [{"location": {"latitude": "n", "longitude": 1}}],
        }
    },
    {"person": {"email_addresses": ["a@example.org"]}, "add_tags": 5},
    {"person": {"email_addresses": ["a@example.org"]}, "add_tags": ["x" * 61]},
    {"_links": {"osdi:person": {"href": 5}}},
    {"_links": {"osdi:person": {"href": "http://x/api/v2/people/zzz"}}},
    {"identifiers": ["action_network:not-a-uuid"]},
    {"name": {"x": 1}},
    {"title": "x", "start_date": 12345},
    {"title": "x", "start_date": "2024-99-99T00:00:00"},
    {"title": "x", "start_date": "2030-01-02T00:00:00Z", "end_date": "2030-01-01T00:00:00Z"},
    {"title": "x" * 141, "start_date": "2030-01-02T00:00:00Z"},
    {"title": "x", "start_date": "2030-01-02T00:00:00Z", "capacity": "many"},
    {
        "title": "x",
        "start_date": "2030-01-02T00:00:00Z",
        "location": {"location": {"latitude": {}, "longitude": 1}},
    },
]


@pytest.mark.parametrize("body", ODD_BODIES, ids=range(len(ODD_BODIES)))
def test_odd_bodies_get_a_4xx_on_every_write(cast, as_, event_a, petition_a, body):
    tag = Tag.objects.create(name="t")
    client = as_("captain_a")
    paths = [
        ("post", f"{V2}people"),
        ("put", f"{V2}people/{uid('person', cast.person_a.pk)}"),
        ("post", f"{V2}tags"),
        ("post", f"{V2}tags/{uid('tag', tag.pk)}/taggings"),
        ("post", f"{V2}events"),
        ("put", f"{V2}events/{uid('event', event_a.pk)}"),
        ("post", f"{V2}events/{uid('event', event_a.pk)}/attendances"),
        ("post", f"{V2}petitions/{uid('petition', petition_a.pk)}/signatures"),
    ]
    for method, path in paths:
        response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code < 500, (method, path, response.status_code)
        if response.status_code >= 400:
            assert response.json()["error"]
