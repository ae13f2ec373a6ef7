"""schemathesis over the whole API schema, native (/api/v1/) and OSDI (/api/v2/): generated
requests, sent as two users of different hubs, never get a 500 and every answer matches the
schema.

Each generated request is sent as an organizer of hub A and as an organizer of hub B, each
with the ids of their own hub's objects (so reads and writes reach real rows), and once more
as A with the ids it was generated with (nobody's, mostly: 404s). Examples per operation are
few (``MAX_EXAMPLES``) to keep the run near a minute on a loaded 2-core machine.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

# The APIs under test (api.native.schema.DESCRIBED).
PREFIXES = ("/api/v1/", "/api/v2/")
# A deeper run on a quiet machine: SCHEMATHESIS_EXAMPLES=50 pytest tests/api/native/…
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance]


def _load(prefixes: tuple[str, ...]):
    """The schema as the app serves it (generated in-process: collection runs before any
    database exists), for the paths under ``prefixes``, sent to the app through WSGI."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    document["paths"] = {p: v for p, v in document["paths"].items() if p.startswith(prefixes)}
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document, default=str)))
    loaded.app = get_wsgi_application()
    return loaded


schema = _load(PREFIXES)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """The WSGI handler closes the database connection after each request; inside a test that
    connection holds the test's transaction (Django's test client unhooks this the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def settings_overrides(settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.RATELIMIT_API_PER_USER = 1_000_000  # a fuzzer is not a flood
    return settings


def _session(user) -> dict:
    from django.test import Client

    from tests.conftest import login

    client = login(Client(), user)
    token = _get_new_csrf_string()
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token},
    }


def _own_ids(path: str, side) -> dict:
    """Path parameters that name the side's own objects, by the operation's path (the schema
    calls a ``pk`` ``id``)."""
    ids = _own_pk(path, side)
    if "pk" in ids:
        ids["id"] = ids["pk"]
    return ids


def _osdi_ids(side) -> dict:
    """/api/v2/ path parameters naming the side's own rows, as Action Network writes ids."""
    from api.osdi.ids import to_uuid

    rows = {
        "person": side.person,
        "event": side.event,
        "attendance": side.rsvp,
        "petition": side.petition,
        "signature": side.signature,
        "tag": side.tag,
        "tagging": side.tagging,
    }
    ids = {f"{kind}_id": to_uuid(kind, row.pk) for kind, row in rows.items()}
    ids["campaign_id"] = to_uuid("advocacy_campaign", side.campaign.pk)
    ids["outreach_id"] = to_uuid("outreach", side.action.pk)
    return ids


def _own_pk(path: str, side) -> dict:
    if path.startswith("/api/v2/"):
        return _osdi_ids(side)
    if path.startswith("/api/v1/people/"):
        return {"pk": side.person.pk}
    if path.startswith("/api/v1/follow-ups/"):
        return {"pk": side.follow_up.pk}
    if path.startswith("/api/v1/pieces/"):
        return {"pk": side.piece.pk, "door_id": side.door.pk}
    if path.startswith("/api/v1/call-lists/"):
        return {"pk": side.call_list.pk, "target_id": side.call_target.pk}
    if path.startswith("/api/v1/targets/"):
        return {"pk": side.official.pk}
    if path.startswith("/api/v1/campaigns/"):
        return {"slug": side.campaign.slug}
    workplace = ("/worksites/", "/placements/", "/workplace-map/")
    if path.startswith("/api/v1/hubs/"):
        slug = side.workplace.slug if path.endswith(workplace) else side.hub.slug
        member = side.hub.members.values_list("pk", flat=True).first() or 1
        return {"slug": slug, "member_id": member}
    return {}


SENT = {"requests": 0}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    # Generated cases only: the "explicit" phase would add schemathesis's coverage cases (dozens
    # per operation), past the minute this suite may spend here.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_fails_and_always_answers_as_described(case, world, cast):
    generated = dict(case.path_parameters or {})
    sends = [(cast.organizer_a, world.a, True), (cast.organizer_b, world.b, True)]
    if generated:  # and once with the ids as generated: nobody's, or the other hub's
        sends.append((cast.organizer_a, world.a, False))
    for user, side, own in sends:
        if generated:
            ids = {**generated, **_own_ids(case.path, side)} if own else generated
            case.path_parameters = {k: ids[k] for k in generated}
        case.call_and_validate(checks=CHECKS, **_session(user))
        SENT["requests"] += 1
