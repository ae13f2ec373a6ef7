"""Malformed input never makes a 500 (issue #9, finding 5).

Every URL pattern of the app is resolved from the URLconf and filled with real ids from a small
data set. As staff and as an organizer, each page is fetched once to learn the forms it shows
(every form on every page: their fields are posted to the form's action), then fetched and
posted again with nasty values in every query parameter and form field: NUL bytes, superscript
and circled digits, 10,000-character strings, negative and huge numbers, ``../``, right-to-left
overrides, SQL-ish strings. Whatever comes back must be below 500; a NUL byte is a 400.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from contacts.models import FollowUp, ImportJob, Interaction, LadderStage, RescoreJob
from contacts.models.reminders import ReminderDelivery
from hubs.models import (
    Building,
    HubRole,
    Residence,
    StructureTest,
    Turf,
    TurfDoor,
    TurfPiece,
    Unit,
)
from tests.conftest import login
from tests.factories import HubRoleFactory
from tests.hubs.test_structure_tests import build_team

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
NASTY = [
    NUL,
    "²",
    "①",
    "x" * 10_000,
    "-99999999999999999999999",  # negative and past bigint at once
    "../../etc/passwd\u202e' OR '1'='1'; --",  # a path, a right-to-left override, SQL-ish
    "1e309",  # a float past infinity (the map's bbox)
]
# The organizer reaches a subset of the staff's views (their scope differs, not their input):
# the classes most likely to break a scoped query are enough there, and keep the run short.
NASTY_ORGANIZER = [NUL, "²", "x" * 10_000, "-99999999999999999999999"]
# Query parameters some view reads by hand, also when no form on the page shows them.
KNOWN_QUERY = [
    "q", "rel_q", "next", "other", "page", "note", "contact", "bbox", "find", "direction",
    "form", "clear", "hub", "tag", "issue", "membership", "owner", "contacted", "assessment",
    "stage", "page_size", "knocked_on", "batch_token", "language",
]  # fmt: skip
# Form fields some view reads by hand.
KNOWN_FORM = ["next", "contact", "other", "q", "result", "note", "batch_token", "knocked_on"]
# Not fuzzed: the Django admin (Django's own), and signing out (the rest of the run needs the
# session).
SKIP = {"accounts:logout"}


def url_patterns(patterns=None, namespace=None):
    """(name, pattern) of every named URL of the app, outside the Django admin."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from url_patterns(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


class Forms(HTMLParser):
    """The forms of a page: (method, action, field names)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []
        self._current: tuple[str, str, set[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            action = attrs.get("action") or attrs.get("hx-post") or ""
            self._current = (method, action, set())
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if attrs.get("type") == "file":
                return
            if self._current is not None:
                self._current[2].add(attrs["name"])


@pytest.fixture
def world(cast):
    """A small chapter with one of everything a URL can name."""
    hub, people = build_team(cast.hub_a)
    coworker = people["Ari"]
    HubRoleFactory(hub=hub, user=cast.organizer_b, role=HubRole.Role.VOLUNTEER)
    interaction = Interaction.objects.create(
        contact=cast.person_a, kind="one_on_one", notes="Story", author=cast.organizer_a
    )
    follow_up = FollowUp.objects.create(
        contact=cast.person_a,
        assigned_to=cast.organizer_a,
        due_on=timezone.localdate(),
        what="Call back",
        interaction=interaction,
    )
    building = Building.objects.create(street_number="1", street="Elm St", zip_code="11211",
                                       latitude=40.7, longitude=-73.9)  # fmt: skip
    unit = Unit.objects.create(building=building, label="")
    Residence.objects.create(contact=cast.person_a, unit=unit)
    turf = Turf.objects.create(hub=hub, name="Elm")
    piece = TurfPiece.objects.create(turf=turf, number=1, assigned_to=cast.organizer_a)
    door = TurfDoor.objects.create(turf=turf, unit=unit, piece=piece, position=1)
    stage = LadderStage.objects.order_by("pk").first() or LadderStage.objects.create(
        name="Contact", position=1
    )
    job = ImportJob.objects.create(created_by=cast.staff, filename="people.csv", size=2)
    rescore = RescoreJob.objects.create(reason="test")
    test = StructureTest.objects.create(
        hub=hub, name="Reach", deadline=timezone.now() + dt.timedelta(days=1)
    )
    delivery = ReminderDelivery.objects.create(
        user=cast.organizer_a, day=timezone.localdate(), channel="email"
    )
    member = cast.person_a.hub_memberships.first()
    return {
        "slug": hub.slug,
        "contact_id": coworker.pk,
        "piece_id": piece.pk,
        "door_id": door.pk,
        "member_id": member.pk,
        "user_id": cast.organizer_b.pk,
        "test_id": test.pk,
        "token": uuid.uuid4().hex,
        "uidb64": "MQ",
        "pk": {
            "contacts:follow_up": follow_up.pk,
            "contacts:ladder_stage": stage.pk,
            "contacts:ladder_job": rescore.pk,
            "contacts:import": job.pk,
            "contacts:reminder": delivery.pk,
            "hubs:turf": turf.pk,
            "": cast.person_a.pk,
        },
    }


def kwargs_for(name: str, pattern: URLPattern, world: dict) -> dict:
    values = {}
    for key in pattern.pattern.converters:
        if key == "pk":
            by_prefix = world["pk"]
            prefix = next((p for p in by_prefix if p and name.startswith(p)), "")
            values[key] = by_prefix[prefix]
        elif key == "token" and name.startswith("accounts:"):
            values[key] = "set-password"
        elif key in world:
            values[key] = world[key]
        else:  # an id the small data set has no row for: the page must still answer 404
            values[key] = 1
    return values


def urls(world) -> list[tuple[str, str]]:
    """(URL name, path) of every URL of the app, filled with the data set's ids."""
    found = []
    for name, pattern in url_patterns():
        if name not in SKIP:
            found.append((name, reverse(name, kwargs=kwargs_for(name, pattern, world))))
    return found


@dataclass
class Survey:
    """What a persona's first, honest GET of every URL found: the form fields posted to each
    URL name, and which URLs reach past the access check (a 403 or 404 answers before any
    input is read, so fuzzing it proves nothing new; 405 means a POST-only view)."""

    fields: dict[tuple[str, str], set[str]]
    get_status: dict[str, int]


_SURVEYS: dict[str, Survey] = {}  # per persona: the data set is the same in every test


def survey(who: str, client: Client, pages: list[tuple[str, str]]) -> Survey:
    if who in _SURVEYS:
        return _SURVEYS[who]
    fields: dict[tuple[str, str], set[str]] = defaultdict(set)
    get_status = {}
    for name, path in pages:
        response = client.get(path)
        get_status[name] = response.status_code
        if "html" in response.get("Content-Type", ""):
            parser = Forms()
            parser.feed(response.content.decode())
            for method, action, names in parser.forms:
                target = urlsplit(urljoin(path, action)).path if action else path
                with contextlib.suppress(Resolver404):
                    fields[(method, resolve(target).view_name)] |= names
    _SURVEYS[who] = Survey(fields, get_status)
    return _SURVEYS[who]


def fuzz(client: Client, name: str, path: str, found: Survey, value: str) -> list[tuple]:
    answers = []
    status = found.get_status[name]
    if value == NUL or status not in (403, 404, 405):
        query = dict.fromkeys([*KNOWN_QUERY, *found.fields[("get", name)]], value)
        answers.append(("GET", client.get(path, query).status_code))
    if value == NUL or status not in (403, 404):
        form = dict.fromkeys([*KNOWN_FORM, *found.fields[("post", name)]], value)
        answers.append(("POST", client.post(path, form).status_code))
    return answers


@pytest.mark.parametrize(
    "who,value",
    [("staff", v) for v in NASTY] + [("organizer_a", v) for v in NASTY_ORGANIZER],
    ids=lambda v: repr(v[:12]) if isinstance(v, str) and v not in ("staff", "organizer_a") else v,
)
def test_no_page_answers_500_to_nasty_input(cast, world, who, value):
    user = getattr(cast, who)
    pages = urls(world)
    assert len(pages) > 70  # every URL of the app, so a new page is fuzzed too
    client = login(Client(raise_request_exception=False), user)
    found = survey(who, client, pages)
    failures = []
    for name, path in pages:
        for method, status in fuzz(client, name, path, found, value):
            if status >= 500 or (value == NUL and status != 400):
                failures.append((method, path, status))
    assert failures == []


@pytest.mark.parametrize("value", ["99999999999999999999", "0"])
def test_ids_out_of_range_in_the_path_answer_404(cast, world, value):
    client = login(Client(raise_request_exception=False), cast.staff)
    failures = []
    for name, pattern in url_patterns():
        kwargs = kwargs_for(name, pattern, world)
        ints = [k for k, c in pattern.pattern.converters.items() if c.regex == "[0-9]+"]
        if not ints or name in SKIP:
            continue
        path = reverse(name, kwargs=kwargs)
        for key in ints:
            path = path.replace(f"/{kwargs[key]}/", f"/{value}/", 1)
        for method in ("get", "post"):
            status = getattr(client, method)(path).status_code
            if status >= 500:
                failures.append((method, path, status))
    assert failures == []
