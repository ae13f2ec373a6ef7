"""The Action Network sync end to end against a second Organizer standing in for Action Network.

The second Organizer is a real gunicorn process on its own PostgreSQL database (the test
database's name plus ``_second``, created and migrated for this module and dropped after). Its
people, tags, event with attendances and petition with signatures are made in that database by a
subprocess using the project's own services; a staff token comes from ``create_api_token``. The
sync then runs here, in the first Organizer (pytest's database), through ``OsdiClient`` against
the second one's ``/api/v2/``: whatever our OSDI output and the sync client disagree on shows up
here, not against a hand-written fixture."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from api.models import SyncJob
from api.sync.client import OsdiClient
from api.sync.run import sync_run, sync_start
from campaigns.models import Campaign, Event, Petition, Rsvp, Signature
from contacts.models import Contact, ExternalId
from tests.factories import EmailFactory, HubFactory, UserFactory

BASE_DIR = Path(settings.BASE_DIR)
STAFF_EMAIL = "staff@second.example.org"

# Made in the second Organizer: five people (Ana is also in the first one, by her email), a tag
# on three of them, an event three of them go to, a petition three of them signed.
SEED = r"""
import datetime as dt, json
from django.utils import timezone
from accounts.models import Role
from campaigns.models import Campaign, Event, Signature
from campaigns.services.events import event_create
from campaigns.services.petitions import petition_create, signature_record
from campaigns.services.rsvps import rsvp_record
from contacts.models import Contact, Contact as C
from contacts.services.bulk import people_bulk_tag
from tests.factories import EmailFactory, HubFactory, HubMemberFactory, PhoneFactory, UserFactory

from django_otp.plugins.otp_totp.models import TOTPDevice

staff = UserFactory(email="STAFF_EMAIL", role=Role.STAFF)
TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)  # staff tokens need one
hub = HubFactory(name="Second hub", slug="second-hub")
people = {}
for first, last, email, phone in [
    ("Ana", "Alvarez", "ana@example.org", "+17185550101"),
    ("Bea", "Brown", "bea@example.org", None),
    ("Cy", "Chen", None, "+17185550103"),
    ("Dee", "Diaz", "dee@example.org", "+17185550104"),
    ("Eli", "Evans", "eli@example.org", None),
]:
    c = C.objects.create(first_name=first, last_name=last, zip_code="11237", city="Brooklyn")
    HubMemberFactory(contact=c, hub=hub)
    if email:
        EmailFactory(contact=c, address=email)
    if phone:
        PhoneFactory(contact=c, raw=phone, e164=phone)
    people[first] = c
people_bulk_tag(
    by=staff, people=C.objects.filter(first_name__in=["Ana", "Bea", "Dee"]), tag="Tenant leaders"
)
start = timezone.now() + dt.timedelta(days=7)
event = event_create(
    by=staff, title="Rent strike meeting", description="Bring a neighbor.", kind=Event.Kind.ACTION,
    hub=hub, starts_at=start, ends_at=start + dt.timedelta(hours=2), place="Church basement",
    is_public=False,
)
for name in ["Bea", "Cy", "Eli"]:
    rsvp_record(event=event, contact=people[name])
today = timezone.localdate()
campaign = Campaign.objects.create(
    name="Heat", slug="heat", starts_on=today, ends_on=today + dt.timedelta(days=30)
)
campaign.hubs.set([hub])
petition = petition_create(
    by=staff, campaign=campaign, title="Fix the boiler", text="Heat now.",
    target_name="Landlord LLC", is_public=False,
)
for name in ["Ana", "Cy", "Dee"]:
    signature_record(petition=petition, contact=people[name], source=Signature.Source.ONLINE)
print("SEEDED")
""".replace("STAFF_EMAIL", STAFF_EMAIL)

# Between the two syncs: Fay joins there, is tagged and signs the petition.
MORE = r"""
from accounts.models import User
from campaigns.models import Petition, Signature
from campaigns.services.petitions import signature_record
from contacts.models import Contact
from contacts.services.bulk import people_bulk_tag
from tests.factories import EmailFactory

fay = Contact.objects.create(first_name="Fay", last_name="Fox")
EmailFactory(contact=fay, address="fay@example.org")
staff = User.objects.get(email="STAFF_EMAIL")
people_bulk_tag(by=staff, people=Contact.objects.filter(pk=fay.pk), tag="Tenant leaders")
signature_record(petition=Petition.objects.get(), contact=fay, source=Signature.Source.ONLINE)
print("MORE")
""".replace("STAFF_EMAIL", STAFF_EMAIL)


def _db_url(name: str) -> str:
    """A URL for database ``name`` on the server the test database is on."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or ""
    port = db.get("PORT") or ""
    if host.startswith("/"):  # a unix socket (the embedded PostgreSQL)
        return f"postgresql://{auth}/{name}?host={quote(host, safe='')}" + (
            f"&port={port}" if port else ""
        )
    return f"postgresql://{auth}{host}{f':{port}' if port else ''}/{name}"


def _admin(sql: str) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def second(django_db_setup, django_db_blocker, tmp_path_factory):
    """The second Organizer: (its /api/v2/ URL, a staff token there, its environment)."""
    name = f"{settings.DATABASES['default']['NAME']}_second"[:63]
    with django_db_blocker.unblock():
        _admin(f'drop database if exists "{name}" with (force)')
        _admin(f'create database "{name}"')
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="organizer.settings",
        DATABASE_URL=_db_url(name),
        DEBUG="1",
    )
    env.pop("TEST_DATABASE_NAME", None)
    env.pop("REPORTS_DATABASE_URL", None)
    proc = None
    try:
        _run(env, "migrate", "--no-input", "-v", "0")
        assert "SEEDED" in _run(env, "shell", "-c", SEED)
        token = _run(env, "create_api_token", STAFF_EMAIL).strip().splitlines()[-1]
        port = _free_port()
        log = tmp_path_factory.mktemp("second") / "gunicorn.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "organizer.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", "4", "--timeout", "60"],
            cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/api/v2/"
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(url, headers={"OSDI-API-Token": token})
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.status == 200
                break
            except urllib.error.HTTPError:
                raise
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the second Organizer did not start:\n{log.read_text()}"
                    ) from exc
                time.sleep(0.3)
        yield url, token, env
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        with django_db_blocker.unblock():
            _admin(f'drop database if exists "{name}" with (force)')


@pytest.fixture(autouse=True)
def local_servers(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"OSDI-API-Token": token})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.django_db(transaction=True)
def test_a_sync_from_a_second_organizer_brings_everything_once(second):
    url, token, env = second
    remote_people = _get(url + "people", token)["_embedded"]["osdi:people"]
    remote_ids = {p["given_name"]: p["identifiers"][0].split(":", 1)[1] for p in remote_people}
    assert set(remote_ids) == {"Ana", "Bea", "Cy", "Dee", "Eli"}
    (remote_event,) = _get(url + "events", token)["_embedded"]["osdi:events"]

    staff = UserFactory(email="staff@first.example.org", role="staff")
    hub = HubFactory(name="First hub", slug="first-hub")
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Heat here", slug="heat-here", starts_on=today, ends_on=today + dt.timedelta(days=30)
    )
    campaign.hubs.set([hub])
    ana_here = Contact.objects.create(first_name="Ana", last_name="Alvarez")
    EmailFactory(contact=ana_here, address="ana@example.org")

    def client():
        return OsdiClient(url, token, per_second=0, retries=0, backoff=0)

    job = sync_start(by=staff, base_url=url, api_key=token, hub=hub, campaign=campaign)
    job = sync_run(job_id=job.pk, client=client())

    assert job.status == "done", (job.error, job.errors)
    assert job.api_key == "" and job.errors == []
    # People: Ana matched by her email (not duplicated), the other four created.
    assert Contact.objects.filter(first_name="Ana").count() == 1
    assert Contact.objects.count() == 5
    ids = dict(
        ExternalId.objects.filter(system=ExternalId.System.ACTION_NETWORK).values_list(
            "contact__first_name", "value"
        )
    )
    assert ids == remote_ids
    assert ExternalId.objects.get(value=remote_ids["Ana"]).contact_id == ana_here.pk
    cy = Contact.objects.get(first_name="Cy")
    assert cy.phones.get().e164 == "+17185550103" and cy.zip_code == "11237"
    assert Contact.objects.get(emails__address="dee@example.org").phones.get().e164 == (
        "+17185550104"
    )
    # Tags and taggings.
    tagged = set(
        Contact.objects.filter(tags__name="Tenant leaders").values_list("first_name", flat=True)
    )
    assert tagged == {"Ana", "Bea", "Dee"}
    # The event and its RSVPs, in the hub the staff chose.
    event = Event.objects.get()
    assert (event.title, event.hub) == ("Rent strike meeting", hub)
    assert "Church basement" in event.place
    assert event.starts_at == parse_datetime(remote_event["start_date"])
    going = set(Rsvp.objects.filter(event=event).values_list("contact__first_name", flat=True))
    assert going == {"Bea", "Cy", "Eli"}
    # The petition and its signatures, in the campaign the staff chose.
    petition = Petition.objects.get()
    assert (petition.title, petition.campaign, petition.target_name) == (
        "Fix the boiler",
        campaign,
        "Landlord LLC",
    )
    signers = set(
        Signature.objects.filter(petition=petition).values_list("contact__first_name", flat=True)
    )
    assert signers == {"Ana", "Cy", "Dee"}
    # The job's counts.
    p = job.progress
    assert p["people"] == {"pages": 1, "created": 4, "updated": 1, "unchanged": 0, "rejected": 0}
    assert (p["tags"]["tags"], p["tags"]["taggings"]) == (1, 3)
    assert (p["events"]["created"], p["events"]["attendances"]) == (1, 3)
    assert (p["petitions"]["created"], p["petitions"]["signatures"]) == (1, 3)
    assert job.requests >= 7  # 4 lists, a tag's taggings, attendances, signatures

    # A second sync asks only for what changed there since, and brings nothing twice.
    assert "MORE" in _run(env, "shell", "-c", MORE)
    again = sync_start(by=staff, base_url=url, api_key=token, hub=hub, campaign=campaign)
    assert again.since == job.started_at
    again = sync_run(job_id=again.pk, client=client())

    assert again.status == "done", (again.error, again.errors)
    assert Contact.objects.count() == 6 and ExternalId.objects.count() == 6
    fay = Contact.objects.get(emails__address="fay@example.org")
    assert fay.tags.filter(name="Tenant leaders").exists()
    assert Event.objects.count() == 1 and Petition.objects.count() == 1
    assert Rsvp.objects.count() == 3 and Contact.tags.through.objects.count() == 4
    signers = set(Signature.objects.values_list("contact__first_name", flat=True))
    assert signers == {"Ana", "Cy", "Dee", "Fay"} and Signature.objects.count() == 4
    q = again.progress
    # Only Fay was asked for (the people list is filtered by modified_date), and the lists
    # that cannot be filtered there (taggings) came whole but added only her.
    assert q["people"] == {"pages": 1, "created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    assert q["tags"]["taggings"] == 1
    assert q["events"] == {"pages": 1, "matched": 1, "created": 0}
    assert (q["petitions"]["matched"], q["petitions"]["signatures"]) == (1, 1)
    assert SyncJob.objects.filter(status="done").count() == 2
