"""Sync from an OSDI server (Action Network's API v2 shape), against a real local HTTP server
serving fixture pages (the outside world). The end-to-end test against a second Organizer's
own /api/v2/ (its own gunicorn and database) is tests/api/test_sync_e2e.py."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from api.models import SyncJob
from api.sync.client import OsdiClient, SyncError
from api.sync.run import sync_run, sync_start
from campaigns.models import Campaign, Event, Petition, Rsvp, Signature
from contacts.models import Contact, ExternalId
from tests.api import receiver as http
from tests.factories import PhoneFactory

pytestmark = pytest.mark.django_db
KEY = "an-secret-key-123"


@pytest.fixture(autouse=True)
def local_servers(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True


def person(uid, first, last, *, email=None, phone=None, zip_code="11237"):
    return {
        "identifiers": [f"action_network:{uid}"],
        "given_name": first,
        "family_name": last,
        "email_addresses": [{"address": email, "primary": True}] if email else [],
        "phone_numbers": [{"number": phone, "primary": True, "number_type": "Mobile"}]
        if phone
        else [],
        "postal_addresses": [
            {"address_lines": ["12 Knickerbocker Ave"], "locality": "Brooklyn",
             "region": "NY", "postal_code": zip_code}
        ],
        "custom_fields": {"shirt": "M"},
        "_links": {"self": {"href": f"BASE/people/{uid}"}},
    }  # fmt: skip


def page(key, records, next_href=None):
    links = {"self": {"href": "BASE/x"}}
    if next_href:
        links["next"] = {"href": next_href}
    return {"total_pages": 1, "_embedded": {key: records}, "_links": links}


def child(uid):
    return {"_links": {"osdi:person": {"href": f"BASE/people/{uid}"}}, "created_date": None}


@pytest.fixture
def server():
    r = http.start()
    base = f"{r.url}/api/v2"

    def route(path, body):
        text = json.dumps(body).replace("BASE", base)
        r.routes[f"/api/v2/{path}"] = (200, text)

    people = [
        person("p1", "Ana", "Alvarez", phone="718-555-0101"),
        person("p2", "Bea", "Brown", email="bea@example.org"),
    ]
    route("people", page("osdi:people", people, "BASE/people?page=2"))
    route(
        "people?page=2",
        page("osdi:people", [person("p3", "Cy", "Chen", email="cy@example.org")]),
    )
    tag = {
        "name": "Tenant leaders",
        "_links": {
            "self": {"href": "BASE/tags/t1"},
            "osdi:taggings": {"href": "BASE/tags/t1/taggings"},
        },
    }
    route("tags", page("osdi:tags", [tag]))
    route("tags/t1/taggings", page("osdi:taggings", [child("p1"), child("p2")]))
    ev = {
        "title": "Rent strike meeting",
        "start_date": "2026-11-20T23:00:00Z",
        "location": {"venue": "Church basement", "address_lines": ["1 Main St"]},
        "_links": {
            "self": {"href": "BASE/events/e1"},
            "osdi:attendances": {"href": "BASE/events/e1/attendances"},
        },
    }
    route("events", page("osdi:events", [ev]))
    route("events/e1/attendances", page("osdi:attendances", [child("p3")]))
    pet = {
        "title": "Fix the boiler",
        "petition_text": "Heat now.",
        "target": [{"name": "Landlord LLC"}],
        "_links": {
            "self": {"href": "BASE/petitions/x1"},
            "osdi:signatures": {"href": "BASE/petitions/x1/signatures"},
        },
    }
    route("petitions", page("osdi:petitions", [pet]))
    route(
        "petitions/x1/signatures",
        page("osdi:signatures", [child("p1"), child("p3"), child("nobody")]),
    )
    r.base = base + "/"
    yield r
    r.server.shutdown()


@pytest.fixture
def campaign(cast):
    today = timezone.localdate()
    c = Campaign.objects.create(
        name="Heat", slug="heat", starts_on=today, ends_on=today + dt.timedelta(days=30)
    )
    c.hubs.set([cast.hub_a])
    return c


def fast(server) -> OsdiClient:
    return OsdiClient(server.base, KEY, per_second=0, retries=0, backoff=0)


def new_job(cast, server, campaign=None, hub="a") -> SyncJob:
    hub = cast.hub_a if hub == "a" else hub
    return sync_start(by=cast.staff, base_url=server.base, api_key=KEY, hub=hub, campaign=campaign)


def test_a_sync_brings_in_people_tags_events_and_petitions(cast, server, campaign):
    PhoneFactory(contact=cast.person_a, e164="+17185550101")  # Ana is already here
    job = new_job(cast, server, campaign)

    job = sync_run(job_id=job.pk, client=fast(server))

    assert job.status == "done" and job.api_key == ""  # the key is gone once done
    ana = Contact.objects.get(pk=cast.person_a.pk)
    assert ExternalId.objects.get(contact=ana).value == "p1"  # matched, not duplicated
    assert Contact.objects.filter(first_name="Ana").count() == 1
    bea = Contact.objects.get(emails__address="bea@example.org")
    assert (bea.last_name, bea.zip_code, bea.city) == ("Brown", "11237", "Brooklyn")
    assert ExternalId.objects.filter(value__in=["p1", "p2", "p3"]).count() == 3
    assert set(
        Contact.objects.filter(tags__name="Tenant leaders").values_list("pk", flat=True)
    ) == {
        ana.pk,
        bea.pk,
    }
    event = Event.objects.get(title="Rent strike meeting")
    assert event.hub == cast.hub_a and "Church basement" in event.place
    (rsvp,) = Rsvp.objects.filter(event=event)
    assert rsvp.contact.first_name == "Cy" and rsvp.source == "sync"
    petition = Petition.objects.get(title="Fix the boiler")
    assert petition.campaign == campaign and petition.target_name == "Landlord LLC"
    signers = set(
        Signature.objects.filter(petition=petition).values_list("contact__first_name", flat=True)
    )
    assert signers == {"Ana", "Cy"}

    p = job.progress
    assert p["people"] == {"pages": 2, "created": 2, "updated": 1, "unchanged": 0, "rejected": 0}
    assert p["tags"]["taggings"] == 2
    assert (p["events"]["created"], p["events"]["attendances"]) == (1, 1)
    assert (p["petitions"]["signatures"], p["petitions"]["errors"]) == (2, 1)  # "nobody"
    tokens = {
        v for r in server.requests for k, v in r.headers.items() if k.lower() == "osdi-api-token"
    }
    assert tokens == {KEY} and all(len(r.headers) for r in server.requests)
    assert job.requests == len(server.requests) == 8


def test_a_second_sync_asks_only_for_changes_and_adds_nothing_twice(cast, server, campaign):
    first = sync_run(job_id=new_job(cast, server, campaign).pk, client=fast(server))
    server.requests.clear()

    second = new_job(cast, server, campaign)
    assert second.since == first.started_at
    second = sync_run(job_id=second.pk, client=fast(server))

    assert second.status == "done"
    people_calls = [r.path for r in server.requests if r.path.startswith("/api/v2/people")]
    assert "filter=modified_date%20gt%20%27" in people_calls[0]
    assert Contact.objects.count() == 2 + 3  # the cast's two people and the three synced
    assert Event.objects.count() == 1 and Petition.objects.count() == 1
    assert Signature.objects.count() == 2 and Rsvp.objects.count() == 1
    assert second.progress["people"]["unchanged"] == 3
    assert second.progress["events"]["matched"] == 1


def test_a_list_the_server_cannot_filter_is_asked_for_whole(cast, server, campaign):
    first = sync_run(job_id=new_job(cast, server, campaign).pk, client=fast(server))
    second = new_job(cast, server, campaign)
    filtered = OsdiClient.with_since(server.base + "tags/t1/taggings", second.since)
    server.routes[filtered.removeprefix(server.url)] = (400, '{"error": "cannot filter"}')
    server.requests.clear()

    second = sync_run(job_id=second.pk, client=fast(server))

    assert first.status == second.status == "done"
    paths = [r.path for r in server.requests if "taggings" in r.path]
    assert paths == [filtered.removeprefix(server.url), "/api/v2/tags/t1/taggings"]
    assert Contact.tags.through.objects.count() == 2  # nothing twice


def test_a_sync_that_failed_continues_from_the_page_it_stopped_on(cast, server, campaign):
    good = server.routes["/api/v2/people?page=2"]
    server.routes["/api/v2/people?page=2"] = (500, "{}")
    job = sync_run(job_id=new_job(cast, server, campaign).pk, client=fast(server))

    assert job.status == "failed" and "HTTP 500" in job.error
    assert job.cursor == {"step": "people", "next": f"{server.base}people?page=2"}
    assert Contact.objects.filter(first_name="Bea").exists()  # page 1 is kept
    assert job.api_key == KEY  # kept to continue

    server.routes["/api/v2/people?page=2"] = good
    server.requests.clear()
    from api.sync.run import sync_resume

    assert sync_resume(job=job)
    job = sync_run(job_id=job.pk, client=fast(server))
    assert job.status == "done"
    assert server.requests[0].path == "/api/v2/people?page=2"  # not page 1 again
    assert Contact.objects.filter(first_name="Cy").count() == 1
    assert job.progress["people"]["pages"] == 2


def test_a_refused_key_stops_the_sync_with_a_clear_reason(cast, server):
    server.routes["/api/v2/people"] = (401, "{}")
    job = sync_run(job_id=new_job(cast, server).pk, client=fast(server))
    assert job.status == "failed" and "API key" in job.error


def test_a_running_or_finished_job_is_not_run_twice(cast, server):
    job = new_job(cast, server)
    assert sync_run(job_id=job.pk, client=fast(server)).status == "done"
    assert sync_run(job_id=job.pk, client=fast(server)) is None
    SyncJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert sync_run(job_id=job.pk, client=fast(server)) is None  # a live worker has it


def test_without_a_hub_or_campaign_events_and_petitions_are_left_alone(cast, server):
    job = sync_run(job_id=new_job(cast, server, hub=None).pk, client=fast(server))
    assert job.status == "done"
    assert not Event.objects.exists() and not Petition.objects.exists()
    assert not any("attendances" in r.path for r in server.requests)


def test_the_client_keeps_to_its_rate(server):
    client = OsdiClient(server.base, KEY, per_second=20, retries=0)
    start = time.monotonic()
    for _ in range(5):
        client.get(server.base + "tags")
    assert time.monotonic() - start >= 4 / 20  # four gaps of 50 ms at least


def test_the_client_never_follows_a_link_off_the_server(server):
    with pytest.raises(SyncError):
        fast(server).get("https://elsewhere.example.org/api/v2/people")


def test_the_client_retries_a_busy_server(server):
    server.routes.clear()
    server.answers = [(503, "{}"), (429, "{}"), (200, json.dumps(page("osdi:tags", [])))]
    client = OsdiClient(server.base, KEY, per_second=0, retries=3, backoff=0)
    assert client.get(server.base + "tags")["_embedded"] == {"osdi:tags": []}
    assert len(server.requests) == 3


# --- pages -----------------------------------------------------------------------------------


def test_staff_start_a_sync_and_watch_it(
    cast, server, client_for, django_capture_on_commit_callbacks
):
    c = client_for(cast.staff)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = c.post("/sync/", {"base_url": server.base, "api_key": KEY, "hub": cast.hub_a.pk})
    job = SyncJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sync/{job.pk}/"
    assert queued and job.hub == cast.hub_a and job.created_by == cast.staff
    page_html = c.get(f"/sync/{job.pk}/").content.decode()
    assert KEY not in page_html and 'hx-trigger="every 2s"' in page_html
    sync_run(job_id=job.pk, client=fast(server))
    fragment = c.get(f"/sync/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "created: <strong>3</strong>" in fragment and "every 2s" not in fragment
    assert KEY not in c.get("/sync/").content.decode()


def test_bad_input_is_a_form_error(cast, client_for, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    c = client_for(cast.staff)
    for data in (
        {"base_url": "https://127.0.0.1/api/v2/", "api_key": KEY},
        {"base_url": "nonsense", "api_key": KEY},
        {"base_url": "https://actionnetwork.org/api/v2/", "api_key": "k" * 201},
        {"base_url": "https://actionnetwork.org/api/v2/", "api_key": ""},
    ):
        assert c.post("/sync/", data).status_code == 200
    assert not SyncJob.objects.exists()


@pytest.mark.parametrize("persona", ["captain_a", "organizer_a", "organizer_b", "volunteer_a"])
def test_only_staff_sync(cast, client_for, persona):
    job = SyncJob.objects.create(base_url="https://actionnetwork.org/api/v2/", api_key=KEY)
    c = client_for(getattr(cast, persona))
    assert c.get("/sync/").status_code == 404
    assert c.post("/sync/", {"base_url": job.base_url, "api_key": KEY}).status_code == 404
    assert c.get(f"/sync/{job.pk}/").status_code == 404
    assert c.post(f"/sync/{job.pk}/resume/").status_code == 404
    assert SyncJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_sync_together(server):
    import threading

    from django.db import connection

    from tests.factories import UserFactory

    staff = UserFactory(email="s@example.org", role="staff")
    job = sync_start(by=staff, base_url=server.base, api_key=KEY)
    server.delay = 0.2
    results = []
    barrier = threading.Barrier(2)

    def work():
        barrier.wait()
        try:
            results.append(sync_run(job_id=job.pk, client=fast(server)))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(r is None for r in results) == [False, True]
    assert [r.path for r in server.requests].count("/api/v2/people") == 1
    assert Contact.objects.count() == 3


def test_a_page_that_breaks_is_not_half_saved_and_the_job_says_why(cast, server, monkeypatch):
    from api.sync import run

    def broken(job, records, children):
        Contact.objects.create(first_name="Half")
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(run.SAVE, "tags", broken)
    job = sync_run(job_id=new_job(cast, server).pk, client=fast(server))
    assert job.status == "failed" and "the disk is full" in job.error
    assert job.cursor == {"step": "tags", "next": None}  # people are done, tags are next
    assert not Contact.objects.filter(first_name="Half").exists()
    assert job.progress["people"]["created"] == 3 and "tags" not in job.progress
