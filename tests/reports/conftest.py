"""A small fixed chapter whose report figures are worked out by hand in each test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from contacts.models import Activity, Contact, LadderMove
from reports.models import Neighborhood
from reports.services import person_facts_refresh
from tests.factories import ContactFactory, HubMemberFactory

GOOD = Contact.Membership.GOOD_STANDING


@dataclass
class Town:
    north: Neighborhood
    south: Neighborhood
    p1: Contact
    p2: Contact
    p3: Contact
    p4: Contact
    p5: Contact


def activity(contact, days_ago: int, n: int = 1) -> None:
    Activity.objects.create(
        contact=contact,
        kind=Activity.Kind.ONE_ON_ONE,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        source="test",
        source_id=contact.pk * 1000 + days_ago * 10 + n,
    )


def move(contact, to, days_ago: int, frm=None) -> LadderMove:
    return LadderMove.objects.create(
        contact=contact,
        from_stage=frm,
        to_stage=to,
        at=timezone.now() - dt.timedelta(days=days_ago),
        reason="test",
    )


@pytest.fixture
def town(cast, default_ladder) -> Town:
    """North (2,000 residents, ZIP 11111) and South (1,000, a square shape around (5, 5)).

    p1: North by ZIP, member, active 10 days ago, hub A
    p2: North by ZIP+4, member, hub A
    p3: South by map point, active 60 days ago, a Leader, hub B
    p4: nowhere, member
    p5: North by ZIP, an Organizer
    """
    north = Neighborhood.objects.create(name="North", residents=2000, zip_codes=["11111"])
    south = Neighborhood.objects.create(
        name="South", residents=1000, shape=[(0, 0), (10, 0), (10, 10), (0, 10)]
    )
    p1 = ContactFactory(zip_code="11111", membership_status=GOOD)
    p2 = ContactFactory(zip_code="11111-2222", membership_status=GOOD)
    p3 = ContactFactory(longitude=5.0, latitude=5.0)
    p4 = ContactFactory(membership_status=GOOD)
    p5 = ContactFactory(zip_code="11111")
    HubMemberFactory(contact=p1, hub=cast.hub_a)
    HubMemberFactory(contact=p2, hub=cast.hub_a)
    HubMemberFactory(contact=p3, hub=cast.hub_b)
    activity(p1, 10)
    activity(p3, 60)
    move(p3, default_ladder["Leader"], 5)
    move(p5, default_ladder["Organizer"], 5)
    person_facts_refresh()  # as Celery does: who lives where, and first activities
    return Town(north, south, p1, p2, p3, p4, p5)
