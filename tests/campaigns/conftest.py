"""Events for the persona cast: a public event in hub A, a client with its own address (the
RSVP rate limit counts per address, so tests never share one)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Campaign, Event
from tests.campaigns.pressure_world import world  # noqa: F401 (a fixture: districts, targets)


@pytest.fixture
def public_client():
    def make() -> Client:
        return Client(REMOTE_ADDR=f"test-{uuid.uuid4().hex}")

    return make


@pytest.fixture
def campaign(cast):
    today = timezone.localdate()
    c = Campaign.objects.create(
        name="Our Time",
        slug="our-time",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=6),
    )
    c.hubs.set([cast.hub_a, cast.hub_b])
    return c


@pytest.fixture
def event(cast, campaign):
    start = timezone.now() + dt.timedelta(days=3)
    return Event.objects.create(
        title="Childcare potluck",
        kind=Event.Kind.POTLUCK,
        hub=cast.hub_a,
        campaign=campaign,
        organizer=cast.organizer_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Maria Hernandez Park",
        latitude=40.7,
        longitude=-73.92,
    )
