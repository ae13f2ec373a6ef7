"""The persona cast every permission test uses.

staff · captain of hub A · organizer in hub A · organizer in hub B · volunteer · anonymous,
plus a person in each hub (``person_a``, ``person_b``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import Role
from hubs.models import HubRole
from tests.factories import (
    PASSWORD,
    ContactFactory,
    HubFactory,
    HubMemberFactory,
    HubRoleFactory,
    UserFactory,
)


@dataclass
class Cast:
    hub_a: object
    hub_b: object
    staff: object
    captain_a: object
    organizer_a: object
    organizer_b: object
    volunteer_a: object
    person_a: object
    person_b: object


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path_factory):
    """Uploaded import files go to a folder of this test run, never the checkout's .data/."""
    settings.IMPORT_UPLOAD_DIR = str(tmp_path_factory.mktemp("uploads"))
    return settings.IMPORT_UPLOAD_DIR


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests sign in hundreds of times; the real hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_hook_subscriptions():
    """Each test reads the webhooks it made (the process keeps a copy of who wants what, and
    a rolled-back test's hooks send no post_delete)."""
    from api.webhooks import outbox

    outbox._subscriptions = None
    yield
    outbox._subscriptions = None


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    """Rate-limit counters (organizer/lib/ratelimit.py) live in Redis across tests, and every
    test signs in from 127.0.0.1: each test starts with none counted. The limiter's clock stands
    still for the test: its windows are fixed (a minute, an hour), and a test that happened to
    straddle a minute's end would see its count start again halfway (CI saw it once)."""
    import contextlib
    import time
    import types

    from django_redis import get_redis_connection

    from organizer.lib import ratelimit

    started = time.time()
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: started))

    with contextlib.suppress(Exception):  # a test that stops Redis still runs
        redis = get_redis_connection("default")
        keys = list(redis.scan_iter("organizer:rl:*", count=1000))
        if keys:
            redis.delete(*keys)


@pytest.fixture
def default_ladder(db) -> dict:
    """The ladder that ships, stages by name. Transactional tests flush what migration 0004
    seeded, so tests that need the ladder ask for it."""
    from contacts.models import LadderStage
    from contacts.services.ladder import ladder_ensure_defaults

    ladder_ensure_defaults()
    return {s.name: s for s in LadderStage.objects.all()}


@pytest.fixture
def cast(db) -> Cast:
    hub_a = HubFactory(name="Hub A", slug="hub-a")
    hub_b = HubFactory(name="Hub B", slug="hub-b")
    staff = UserFactory(email="staff@example.org", role=Role.STAFF)
    captain_a = UserFactory(email="captain.a@example.org", role=Role.CAPTAIN)
    organizer_a = UserFactory(email="organizer.a@example.org", role=Role.ORGANIZER)
    organizer_b = UserFactory(email="organizer.b@example.org", role=Role.ORGANIZER)
    volunteer_a = UserFactory(email="volunteer.a@example.org", role=Role.VOLUNTEER)
    HubRoleFactory(hub=hub_a, user=captain_a, role=HubRole.Role.CAPTAIN)
    HubRoleFactory(hub=hub_a, user=organizer_a, role=HubRole.Role.ORGANIZER)
    HubRoleFactory(hub=hub_b, user=organizer_b, role=HubRole.Role.ORGANIZER)
    HubRoleFactory(hub=hub_a, user=volunteer_a, role=HubRole.Role.VOLUNTEER)
    person_a = ContactFactory(first_name="Ana", last_name="Alvarez")
    HubMemberFactory(contact=person_a, hub=hub_a)
    person_b = ContactFactory(first_name="Bo", last_name="Baker")
    HubMemberFactory(contact=person_b, hub=hub_b)
    return Cast(
        hub_a, hub_b, staff, captain_a, organizer_a, organizer_b, volunteer_a, person_a, person_b
    )


def login(client: Client, user, *, verified: bool = True) -> Client:
    """Sign ``user`` in. ``verified`` marks the session as past the second factor."""
    client.force_login(user)
    if verified and user.needs_second_factor:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a test client signed in as that user (past 2FA)."""

    def make(user, *, verified: bool = True) -> Client:
        return login(Client(), user, verified=verified)

    return make


__all__ = ["PASSWORD", "Cast", "login"]
