"""Writes go through the pages' services: the same validation, dedupe, history and ladder."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from contacts.models import (
    Activity,
    Assessment,
    Contact,
    ContactEvent,
    FollowUp,
    HubMember,
    Interaction,
)
from hubs.models import DoorResult
from tests.factories import ContactFactory, HubMemberFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_adding_a_person_records_who_added_them_and_where(cast, client_for):
    client = client_for(cast.organizer_a)
    body = {
        "first_name": "Marisol",
        "last_name": "Reyes",
        "phones": [{"number": "(718) 555-0142"}],
        "emails": ["marisol@example.org"],
        "sms_ok": True,
        "email_ok": True,
        "tags": ["potluck"],
        "hubs": ["hub-a"],
    }
    response = client.post("/api/v1/people/", body, content_type=JSON)
    assert response.status_code == 201, response.content
    data = response.json()
    person = Contact.objects.get(pk=data["id"])
    assert data["phones"][0]["e164"] == "+17185550142"
    assert person.owner == cast.organizer_a
    assert HubMember.objects.filter(contact=person, hub=cast.hub_a).exists()
    assert ContactEvent.objects.filter(
        contact=person, kind=ContactEvent.Kind.CREATED, actor=cast.organizer_a
    ).exists()


def test_a_duplicate_phone_is_a_400_naming_the_people_you_may_see(cast, client_for):
    from tests.factories import PhoneFactory

    PhoneFactory(contact=cast.person_a, e164="+17185550142")
    client = client_for(cast.organizer_a)
    body = {"first_name": "M", "phones": [{"number": "718 555 0142"}]}
    response = client.post("/api/v1/people/", body, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["duplicates"] == [cast.person_a.pk]
    assert "already exists" in response.json()["detail"]
    # Someone from hub B gets the same refusal without learning who it is.
    other = client_for(cast.organizer_b).post("/api/v1/people/", body, content_type=JSON)
    assert other.status_code == 400 and other.json()["duplicates"] == []
    again = client.post("/api/v1/people/", {**body, "allow_duplicate": True}, content_type=JSON)
    assert again.status_code == 201


def test_bad_input_is_a_400_that_says_which_field(cast, client_for):
    client = client_for(cast.organizer_a)
    cases = [
        ({"first_name": "x" * 101}, "first_name"),
        ({"phones": [{"number": "not a phone"}]}, "phones"),
        ({"tags": ["t"] * 51}, "tags"),
        ({"hubs": ["hub-b"]}, "hubs"),
        ({"membership_status": "emperor"}, "membership_status"),
        ({"first_name": "a\x00b"}, "first_name"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/people/", body, content_type=JSON)
        assert response.status_code == 400, body
        assert response.json()["detail"]
        assert any(key.startswith(field) for key in response.json().get("errors", {})), body
    assert Contact.objects.count() == 2  # the cast's two; nothing was saved


def test_changing_a_person_writes_one_history_entry(cast, client_for):
    client = client_for(cast.captain_a)
    url = f"/api/v1/people/{cast.person_a.pk}/"
    response = client.patch(url, {"city": "Brooklyn", "tags": ["leader"]}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["city"] == "Brooklyn"
    assert response.json()["tags"] == ["leader"]
    event = ContactEvent.objects.get(contact=cast.person_a, kind=ContactEvent.Kind.EDITED)
    assert event.actor == cast.captain_a
    assert {"city", "tags"} <= set(event.changes)


def test_logging_a_one_on_one_saves_the_assessment_follow_up_and_ladder_activity(cast, client_for):
    client = client_for(cast.organizer_a)
    token = str(uuid.uuid4())
    body = {
        "notes": "Rent went up again",
        "ask": "Host a potluck?",
        "answer": "yes",
        "assessment": 2,
        "follow_up_on": "2026-12-20",
        "follow_up_what": "Confirm the date",
        "client_token": token,
    }
    url = f"/api/v1/people/{cast.person_a.pk}/one-on-ones/"
    response = client.post(url, body, content_type=JSON)
    assert response.status_code == 201, response.content
    data = response.json()
    assert "notes" not in data  # the API never reads notes back
    interaction = Interaction.objects.get(pk=data["id"])
    assert interaction.notes == "Rent went up again"
    assert interaction.author == cast.organizer_a
    cast.person_a.refresh_from_db()
    assert cast.person_a.assessment == 2
    assert cast.person_a.last_contacted_at is not None
    assert Assessment.objects.filter(interaction=interaction, level=2).exists()
    assert FollowUp.objects.get(interaction=interaction).assigned_to == cast.organizer_a
    assert Activity.objects.filter(contact=cast.person_a, kind="one_on_one").count() == 1
    # A retry with the same token returns the first log and adds nothing.
    again = client.post(url, body, content_type=JSON)
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    assert Interaction.objects.filter(contact=cast.person_a).count() == 1


def test_a_sensitive_conversation_reads_blank_to_others(cast, client_for):
    body = {"ask": "Join the committee?", "is_sensitive": True, "commitment": "Maybe"}
    url = f"/api/v1/people/{cast.person_a.pk}/one-on-ones/"
    assert client_for(cast.organizer_a).post(url, body, content_type=JSON).status_code == 201
    listing = f"/api/v1/people/{cast.person_a.pk}/interactions/"
    mine = client_for(cast.organizer_a).get(listing).json()["results"][0]
    theirs = client_for(cast.captain_a).get(listing).json()["results"][0]
    assert mine["ask"] == "Join the committee?"
    assert theirs["ask"] == "" and theirs["commitment"] == ""


def test_a_call_that_reached_nobody_is_logged_but_is_not_contact(cast, client_for):
    url = f"/api/v1/people/{cast.person_a.pk}/interactions/"
    body = {"kind": "call", "outcome": "no_answer"}
    response = client_for(cast.organizer_a).post(url, body, content_type=JSON)
    assert response.status_code == 201
    cast.person_a.refresh_from_db()
    assert cast.person_a.last_contacted_at is None
    bad = client_for(cast.organizer_a).post(url, {"kind": "one_on_one"}, content_type=JSON)
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]


def test_follow_ups_are_listed_created_and_completed_with_history(cast, client_for):
    client = client_for(cast.organizer_a)
    made = client.post(
        "/api/v1/follow-ups/",
        {"contact": cast.person_a.pk, "due_on": "2020-01-02", "what": "Call Ana back"},
        content_type=JSON,
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    due = client.get("/api/v1/follow-ups/", {"due": "true"}).json()["results"]
    assert [f["id"] for f in due] == [pk]
    assert client_for(cast.captain_a).get("/api/v1/follow-ups/").json()["results"] == []
    done = client.post(f"/api/v1/follow-ups/{pk}/complete/")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert FollowUp.objects.get(pk=pk).completed_by == cast.organizer_a
    assert ContactEvent.objects.filter(
        contact=cast.person_a,
        kind=ContactEvent.Kind.FOLLOW_UP,
        summary__startswith="Follow-up done",
    ).exists()
    assert client.get("/api/v1/follow-ups/", {"due": "true"}).json()["results"] == []
    # For someone who cannot see the person: a 400 that says so.
    refused = client.post(
        "/api/v1/follow-ups/",
        {"contact": cast.person_a.pk, "due_on": "2026-12-01", "assigned_to": cast.organizer_b.pk},
        content_type=JSON,
    )
    assert refused.status_code == 400 and "assigned_to" in refused.json()["errors"]


def test_a_captain_adds_and_removes_a_member_with_history(cast, client_for):
    newcomer = ContactFactory(owner=cast.captain_a)
    client = client_for(cast.captain_a)
    url = f"/api/v1/hubs/{cast.hub_a.slug}/members/"
    added = client.post(url, {"contact": newcomer.pk, "role": "leader"}, content_type=JSON)
    assert added.status_code == 201
    member = HubMember.objects.get(contact=newcomer, hub=cast.hub_a)
    assert member.role == "leader"
    again = client.post(url, {"contact": newcomer.pk}, content_type=JSON)
    assert again.status_code == 400 and "already a member" in again.json()["detail"]
    assert client.delete(f"{url}{member.pk}/").status_code == 204
    assert not HubMember.objects.filter(pk=member.pk).exists()
    assert client.delete(f"{url}{member.pk}/").status_code == 404
    summaries = list(
        ContactEvent.objects.filter(contact=newcomer).values_list("summary", flat=True)
    )
    assert any("Added to hub" in s for s in summaries)
    assert any("Removed from hub" in s for s in summaries)
    # Someone the captain may not see cannot be added.
    assert client.post(url, {"contact": cast.person_b.pk}).status_code == 404


def test_a_volunteer_records_a_door_result_once(world, cast, client_for):
    side = world.a
    resident = ContactFactory()
    HubMemberFactory(contact=resident, hub=cast.hub_a)
    url = f"/api/v1/pieces/{side.piece.pk}/doors/{side.door.pk}/results/"
    token = str(uuid.uuid4())
    body = {"result": "talked", "client_token": token}
    client = client_for(cast.volunteer_a)
    first = client.post(url, body, content_type=JSON)
    assert first.status_code == 201, first.content
    second = client.post(url, body, content_type=JSON)
    assert second.json()["id"] == first.json()["id"]
    assert DoorResult.objects.filter(client_token=token).count() == 1
    doors = client.get(f"/api/v1/pieces/{side.piece.pk}/doors/").json()["results"]
    assert doors[0]["latest_result"] == "talked"
    bad = client.post(url, {"result": "burned down"}, content_type=JSON)
    assert bad.status_code == 400 and "result" in bad.json()["errors"]


@pytest.mark.django_db(transaction=True)
def test_two_completes_of_one_follow_up_at_once_record_one_completion(cast, client_for):
    """follow_up_complete locks the row: two requests racing leave one history entry."""
    from django.test import Client

    from contacts.services.conversations import follow_up_create
    from tests.conftest import login

    follow_up = follow_up_create(
        by=cast.organizer_a,
        contact=cast.person_a,
        assigned_to=cast.organizer_a,
        due_on=cast.person_a.created_at.date(),
    )
    barrier = threading.Barrier(2)
    statuses = []

    def complete():
        client = login(Client(), cast.organizer_a)
        barrier.wait()
        statuses.append(client.post(f"/api/v1/follow-ups/{follow_up.pk}/complete/").status_code)
        connection.close()

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200, 200]
    assert (
        ContactEvent.objects.filter(
            contact=cast.person_a, summary__startswith="Follow-up done"
        ).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_two_taps_with_one_token_at_once_record_one_result(cast, client_for):
    from django.test import Client

    from tests.conftest import login
    from tests.hubs.test_walk import build_piece

    walk = build_piece(cast.hub_a, assigned_to=cast.volunteer_a, doors=1)
    url = f"/api/v1/pieces/{walk.piece.pk}/doors/{walk.doors[0].pk}/results/"
    body = {"result": "signed", "client_token": str(uuid.uuid4())}
    barrier = threading.Barrier(2)
    statuses = []

    def tap():
        client = login(Client(), cast.volunteer_a)
        barrier.wait()
        statuses.append(client.post(url, body, content_type=JSON).status_code)
        connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 201]
    assert DoorResult.objects.filter(door=walk.doors[0]).count() == 1


def test_a_broken_multipart_body_is_a_400_not_a_500(cast, client_for):
    """Found by schemathesis: the NUL check read the form before any view and crashed."""
    client = client_for(cast.organizer_a)
    response = client.generic(
        "POST", "/api/v1/people/", b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert Contact.objects.count() == 2


def test_a_follow_up_is_snoozed_and_given_to_a_colleague_with_history(cast, client_for):
    from django.utils import timezone

    from contacts.services.conversations import follow_up_create

    follow_up = follow_up_create(
        by=cast.organizer_a,
        contact=cast.person_a,
        assigned_to=cast.organizer_a,
        due_on=timezone.localdate(),
    )
    client = client_for(cast.organizer_a)
    base = f"/api/v1/follow-ups/{follow_up.pk}"
    past = client.post(f"{base}/snooze/", {"until": "2020-01-01"}, content_type=JSON)
    assert past.status_code == 400 and "until" in past.json()["errors"]
    later = (timezone.localdate() + __import__("datetime").timedelta(days=7)).isoformat()
    snoozed = client.post(f"{base}/snooze/", {"until": later}, content_type=JSON)
    assert snoozed.status_code == 200 and snoozed.json()["due_on"] == later
    outsider = client.post(
        f"{base}/reassign/", {"assigned_to": cast.organizer_b.pk}, content_type=JSON
    )
    assert outsider.status_code == 400 and "assigned_to" in outsider.json()["errors"]
    given = client.post(f"{base}/reassign/", {"assigned_to": cast.captain_a.pk}, content_type=JSON)
    assert given.status_code == 200 and given.json()["assigned_to"] == cast.captain_a.pk
    summaries = list(
        ContactEvent.objects.filter(contact=cast.person_a).values_list("summary", flat=True)
    )
    assert any(s.startswith("Follow-up moved to") for s in summaries)
    assert any(s.startswith("Follow-up given to") for s in summaries)
    assert client_for(cast.organizer_b).post(f"{base}/snooze/", {"until": later}).status_code == 404


def test_a_door_result_for_a_resident_lands_on_their_timeline(world, cast, client_for):
    from hubs.models import Residence

    side = world.a
    resident = Residence.objects.get(unit=side.door.unit).contact
    url = f"/api/v1/pieces/{side.piece.pk}/doors/{side.door.pk}/results/"
    client = client_for(cast.volunteer_a)
    response = client.post(url, {"result": "talked", "contact": resident.pk}, content_type=JSON)
    assert response.status_code == 201, response.content
    result = DoorResult.objects.get(pk=response.json()["id"])
    assert result.contact == resident and result.by == cast.volunteer_a
    assert result.interaction.kind == Interaction.Kind.DOOR_KNOCK
    assert result.interaction.contact == resident
    # Someone who lives elsewhere: a 400 that says so; someone out of sight: a 404.
    elsewhere = (
        Residence.objects.exclude(unit=side.door.unit)
        .filter(unit__building__street=side.door.unit.building.street)[0]
        .contact
    )
    moved = client.post(url, {"result": "talked", "contact": elsewhere.pk}, content_type=JSON)
    assert moved.status_code == 400 and "contact" in moved.json()["errors"]
    hidden = client.post(url, {"result": "talked", "contact": world.b.person.pk}, content_type=JSON)
    assert hidden.status_code == 404
