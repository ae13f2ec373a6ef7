"""A person as the native API writes them: from ``values()`` rows by one function
(``person_out``), the same in a list and alone, field for field what the declared serializer
(the schema) says — datetimes exactly as DRF's ``DateTimeField`` writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework import serializers

from contacts.models import Contact, Tag
from tests.factories import EmailFactory, PhoneFactory

pytestmark = pytest.mark.django_db


def test_a_person_reads_the_same_in_the_list_and_alone(cast, client_for):
    person = cast.person_a
    at = dt.datetime(2026, 7, 4, 16, 30, 5, 123_456, tzinfo=dt.UTC)
    Contact.objects.filter(pk=person.pk).update(
        preferred_name="Annie", pronouns="she/her", languages=["Spanish"], owner=cast.organizer_a,
        assessment=2, score=14.5, last_contacted_at=at, created_at=at, updated_at=at,
    )  # fmt: skip
    PhoneFactory(contact=person, e164="+17185550100", kind="home", is_primary=False)
    PhoneFactory(contact=person, e164="+17185550142", kind="mobile", is_primary=True)
    EmailFactory(contact=person, address="ana@example.org")
    person.tags.add(Tag.objects.create(name="zeta"), Tag.objects.create(name="alpha"))
    client = client_for(cast.organizer_a)

    alone = client.get(f"/api/v1/people/{person.pk}/").json()
    listed = client.get("/api/v1/people/").json()["results"]

    assert [p for p in listed if p["id"] == person.pk] == [alone]
    when = serializers.DateTimeField().to_representation(at)  # the chapter's time zone
    assert alone == alone | {
        "display_name": "Annie Alvarez",
        "first_name": "Ana",
        "preferred_name": "Annie",
        "pronouns": "she/her",
        "languages": ["Spanish"],
        "phones": [
            {"e164": "+17185550142", "kind": "mobile", "is_primary": True},
            {"e164": "+17185550100", "kind": "home", "is_primary": False},
        ],
        "emails": [{"address": "ana@example.org", "is_primary": True}],
        "tags": ["alpha", "zeta"],
        "owner": cast.organizer_a.pk,
        "recruited_by": None,
        "assessment": 2,
        "ladder_stage": None,
        "score": 14.5,
        "last_contacted_at": when,
        "created_at": when,
        "updated_at": when,
    }
    assert "." in when  # microseconds kept, as DRF writes them
    assert list(alone) == [
        "id", "display_name", "first_name", "last_name", "preferred_name", "pronouns",
        "languages", "phones", "emails", "city", "state", "zip_code", "neighborhood",
        "employer", "union", "membership_status", "email_ok", "sms_ok", "do_not_contact",
        "tags", "owner", "recruited_by", "assessment", "ladder_stage", "score",
        "last_contacted_at", "created_at", "updated_at",
    ]  # fmt: skip


def test_a_person_never_contacted_has_null_and_a_nameless_one_a_placeholder(cast, client_for):
    Contact.objects.filter(pk=cast.person_a.pk).update(
        first_name="", last_name="", preferred_name="", last_contacted_at=None
    )
    body = client_for(cast.organizer_a).get(f"/api/v1/people/{cast.person_a.pk}/").json()
    assert body["last_contacted_at"] is None
    assert body["display_name"] == Contact(first_name="", last_name="").display_name
    assert body["phones"] == [] and body["emails"] == [] and body["tags"] == []
