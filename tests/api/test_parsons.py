"""The real client: parsons' ``ActionNetwork`` connector against a live server's /api/v2/.

It lists people, upserts a person, updates them, makes a tag and tags them, creates an event
and records attendance, and we check the rows it left. Two things the client does that we
accommodate: it never adds a trailing slash, and ``create_attendance`` sends its payload as
query parameters (a nested object arrives flattened), so the helper also reads
``email_address`` / ``phone_number`` / ``person_id`` from the query string."""

from __future__ import annotations

import datetime as dt

# Not importorskip: parsons is in the dev extras, and this test must fail loudly without it.
import parsons  # noqa: F401
import pytest
from django.utils import timezone

from campaigns.models import Event, Rsvp
from contacts.models import Contact


def connect(live_server, key: str):
    """An ``ActionNetwork`` pointed at our server: the connector builds URLs from ``api_url``
    (``f"{api_url}/people"``) and from its ``APIConnector``'s base ``uri`` (relative paths)."""
    from parsons import ActionNetwork
    from parsons.utilities.api_connector import APIConnector

    an = ActionNetwork(api_token=key)
    an.api_url = f"{live_server.url}/api/v2"
    an.api = APIConnector(an.api_url, headers=an.headers)
    return an


@pytest.mark.django_db(transaction=True)
def test_parsons_lists_creates_updates_tags_and_records_attendance(live_server, cast, token_for):
    an = connect(live_server, token_for(cast.captain_a))

    # List: the captain sees hub A's people, not hub B's.
    people = an.get_people()
    names = {row["given_name"] for row in people}
    assert names == {"Ana"}

    # Upsert (the person signup helper): a new person, then the same email updates them.
    created = an.upsert_person(
        email_address="rosa@example.org",
        given_name="Rosa",
        family_name="Luna",
        mobile_number="718-555-0199",
        tags=["volunteer"],
    )
    person_id = created["identifiers"][0].split(":")[1]
    rosa = Contact.objects.get(emails__address="rosa@example.org")
    assert (rosa.first_name, rosa.last_name, rosa.owner) == ("Rosa", "Luna", cast.captain_a)
    assert rosa.phones.get().e164 == "+17185550199"
    assert list(rosa.tags.values_list("name", flat=True)) == ["volunteer"]
    an.upsert_person(email_address="rosa@example.org", family_name="Luna-Diaz")
    assert Contact.objects.filter(emails__address="rosa@example.org").count() == 1
    rosa.refresh_from_db()
    assert rosa.last_name == "Luna-Diaz"

    # Update by id.
    an.update_person(person_id, given_name="Rosita", languages_spoken=["es", "en"])
    rosa.refresh_from_db()
    assert rosa.first_name == "Rosita" and rosa.languages == ["es", "en"]
    assert an.get_person(person_id)["given_name"] == "Rosita"

    # Tag: make a tag, then tag her by a person link.
    tag = an.add_tag("Tenant leader")
    tag_id = tag["identifiers"][0].split(":")[1]
    href = f"{an.api_url}/people/{person_id}"
    an.create_tagging(tag_id, {"_links": {"osdi:person": {"href": href}}})
    assert set(rosa.tags.values_list("name", flat=True)) == {"volunteer", "Tenant leader"}
    taggings = an.get_taggings(tag_id)
    assert len(taggings) == 1

    # Event: the captain's only hub is where it goes.
    start = timezone.localtime() + dt.timedelta(days=7)
    event = an.create_event(
        "Tenant rally",
        start_date=start.strftime("%Y-%m-%d %H:%M:%S"),
        location={"venue": "City Hall", "locality": "New York", "region": "NY"},
    )
    row = Event.objects.get(title="Tenant rally")
    assert row.hub == cast.hub_a and row.place.startswith("City Hall")
    assert event["event_id"] == event["identifiers"][0].split(":")[1]
    assert {e["title"] for e in an.get_events()} == {"Tenant rally"}

    # Attendance, as parsons sends it (payload in the query string) ...
    an.create_attendance(event["event_id"], {"email_address": "rosa@example.org"})
    rsvp = Rsvp.objects.get(event=row)
    assert rsvp.contact == rosa and rsvp.status == Rsvp.Status.GOING
    # ... and as Action Network documents it (a JSON person), through the same connector.
    an.api.post_request(
        url=f"events/{event['event_id']}/attendances",
        json={"person": {"given_name": "Ana", "email_addresses": [{"address": "ana@example.org"}]}},
    )
    assert Rsvp.objects.filter(event=row).count() == 2
    attendances = an.get_event_attendances(event["event_id"])
    assert len(attendances) == 2


@pytest.mark.django_db(transaction=True)
def test_parsons_sees_a_revoked_token_fail(live_server, cast, token_for):
    from requests.exceptions import HTTPError

    from api.models import ApiToken

    an = connect(live_server, token_for(cast.organizer_b))
    assert {row["given_name"] for row in an.get_people()} == {"Bo"}
    ApiToken.objects.update(revoked_at=timezone.now())
    with pytest.raises(HTTPError):
        an.get_people()
