"""/api/v2/ in the OpenAPI schema (one document with /api/v1/, one docs page), and the 500s
schemathesis found there, each kept fixed by a test."""

from __future__ import annotations

import pytest
import yaml

from api.osdi.ids import to_uuid
from tests.api import test_osdi
from tests.api.test_osdi import V2

as_, event_a = test_osdi.as_, test_osdi.event_a  # the fixtures of the OSDI tests

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "/api/v2/": {"get"},
    "/api/v2/people": {"get", "post"},
    "/api/v2/people/{person_id}": {"get", "put"},
    "/api/v2/people/{person_id}/attendances": {"get"},
    "/api/v2/people/{person_id}/signatures": {"get"},
    "/api/v2/people/{person_id}/taggings": {"get"},
    "/api/v2/people/{person_id}/outreaches": {"get"},
    "/api/v2/tags": {"get", "post"},
    "/api/v2/tags/{tag_id}": {"get"},
    "/api/v2/tags/{tag_id}/taggings": {"get", "post"},
    "/api/v2/tags/{tag_id}/taggings/{tagging_id}": {"get", "delete"},
    "/api/v2/events": {"get", "post"},
    "/api/v2/events/{event_id}": {"get", "put"},
    "/api/v2/events/{event_id}/attendances": {"get", "post"},
    "/api/v2/events/{event_id}/attendances/{attendance_id}": {"get"},
    "/api/v2/petitions": {"get"},
    "/api/v2/petitions/{petition_id}": {"get"},
    "/api/v2/petitions/{petition_id}/signatures": {"get", "post"},
    "/api/v2/petitions/{petition_id}/signatures/{signature_id}": {"get"},
    "/api/v2/advocacy_campaigns": {"get"},
    "/api/v2/advocacy_campaigns/{campaign_id}": {"get"},
    "/api/v2/advocacy_campaigns/{campaign_id}/outreaches": {"get", "post"},
    "/api/v2/advocacy_campaigns/{campaign_id}/outreaches/{outreach_id}": {"get"},
    "/api/v2/forms": {"get"},
}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_every_osdi_operation_is_described_once_with_its_shapes(document):
    v2 = {p: ops for p, ops in document["paths"].items() if p.startswith(V2)}
    # Once each: the trailing-slash twins answer too but are not listed twice.
    assert {p: set(ops) - {"parameters"} for p, ops in v2.items()} == OPERATIONS
    for path, ops in v2.items():
        for method, op in ops.items():
            assert op["operationId"].startswith("osdi_"), (path, method)
            assert op["tags"][0].startswith("OSDI: ") and op["summary"]
            assert {"osdiToken": []} in op["security"]
            ok = op["responses"].get("200") or op["responses"]["201"]
            assert "$ref" in ok["content"]["application/hal+json"]["schema"]
            assert op["responses"]["404"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/OsdiError"
            }
    assert document["components"]["securitySchemes"]["osdiToken"]["name"] == "OSDI-API-Token"


def test_collection_pages_and_paging_are_described(document):
    schemas = document["components"]["schemas"]
    page = schemas["OsdiTagPage"]
    assert {"page", "per_page", "total_pages", "total_records"} <= set(page["required"])
    embedded = schemas["OsdiTagPageEmbedded"]["properties"]["osdi:tags"]
    assert embedded["items"] == {"$ref": "#/components/schemas/OsdiTag"}
    # People are not counted (as on Action Network): no totals promised.
    assert "total_records" not in schemas["OsdiPersonPage"]["required"]
    names = {p["name"] for p in document["paths"]["/api/v2/people"]["get"]["parameters"]}
    assert {"page", "per_page", "filter"} <= names
    signup = document["paths"]["/api/v2/people"]["post"]
    assert signup["requestBody"]["content"]["application/json"]["examples"]


# --- what schemathesis found ----------------------------------------------------------------------


def test_an_event_time_with_an_offset_postgres_refuses_is_stored_in_utc(as_, event_a):
    """Found by schemathesis: ``+20:07`` is ISO 8601 but past PostgreSQL's ±15:59 (a 500)."""
    path = f"{V2}events/{to_uuid('event', event_a.pk)}"
    body = {"start_date": "2030-07-06T01:26:49+20:07", "end_date": "2030-07-06T02:00:00-16:30"}
    response = as_("organizer_a").put(path, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["start_date"] == "2030-07-05T05:19:49Z", response.json()
    assert response.json()["end_date"] == "2030-07-06T18:30:00Z"


def test_an_event_time_out_of_any_calendar_is_a_400(as_, event_a):
    """Found by schemathesis: year 39 with an offset was a 500."""
    path = f"{V2}events/{to_uuid('event', event_a.pk)}"
    for when in ("0039-07-06T01:26:49+20:07", "0001-01-01T00:00:00-05:00", "9999-12-31T23:59:59"):
        response = as_("organizer_a").put(path, {"start_date": when}, "application/json")
        assert response.status_code == 400, when
        assert "start_date" in response.json()["error"]
    event_a.refresh_from_db()
    assert event_a.starts_at.year >= 2026  # nothing lost


@pytest.mark.parametrize(
    ("when", "status"),
    [("2024-01-01T00:00:00+20:00", 200), ("0001-01-01T00:00:00+05:00", 400), ("9999-12-31", 400)],
)
def test_a_filter_date_postgres_would_refuse_is_a_400_or_read_in_utc(as_, when, status):
    response = as_("organizer_a").get(f"{V2}people", {"filter": f"modified_date gt '{when}'"})
    assert response.status_code == status
    if status == 400:
        assert "not a date" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"languages_spoken": ["en\x00"]},  # found by schemathesis: a 500 from PostgreSQL
        {"given_name": "Ro\ud969sa"},  # a lone surrogate: valid JSON, not UTF-8
        {"email_addresses": [{"address": "a@example.org", "\x00": 1}]},
    ],
)
def test_text_postgres_cannot_store_is_a_400_and_changes_nothing(cast, as_, body):
    path = f"{V2}people/{to_uuid('person', cast.person_a.pk)}"
    response = as_("organizer_a").put(path, body, content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()
    cast.person_a.refresh_from_db()
    assert cast.person_a.languages != ["en\x00"] and "\ud969" not in cast.person_a.first_name


def test_a_nul_in_a_signup_is_a_400(as_):
    body = {"person": {"given_name": "A\x00", "email_addresses": [{"address": "n@example.org"}]}}
    response = as_("organizer_a").post(f"{V2}people", body, content_type="application/json")
    assert response.status_code == 400
