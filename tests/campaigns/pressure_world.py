"""Hand-made districts, targets and a call page for the pressure tests.

Two state senate districts side by side, sharing the line x = -73.92 (longitude):
West (lng -73.96 … -73.92) and East (-73.92 … -73.88), both lat 40.68 … 40.72. ZIP 11237
crosses that line (it maps to both); 11206 is only West; 11221 only East. One assembly
district has a ZIP row but no shape. The governor has no district (everyone sees them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from campaigns.models import Campaign, District, DistrictZip, PressurePage, Target


def box(west, south, east, north):
    return [(west, south), (east, south), (east, north), (west, north)]


@dataclass
class World:
    campaign: Campaign
    page: PressurePage
    west: District
    east: District
    assembly: District
    governor: Target
    senator_west: Target
    senator_east: Target
    member: Target
    other: Target  # a target of no campaign


@pytest.fixture
def world(cast) -> World:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Fund childcare",
        slug="fund-childcare",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=6),
    )
    campaign.hubs.set([cast.hub_a])
    west = District.objects.create(
        kind="state_senate", name="West", shape=box(-73.96, 40.68, -73.92, 40.72)
    )
    east = District.objects.create(
        kind="state_senate", name="East", shape=box(-73.92, 40.68, -73.88, 40.72)
    )
    assembly = District.objects.create(kind="assembly", name="54")
    for zip_code, district in [
        ("11237", west),
        ("11237", east),
        ("11206", west),
        ("11221", east),
        ("11221", assembly),
    ]:
        DistrictZip.objects.create(zip_code=zip_code, district=district)

    def target(name, office, district=None, **extra):
        t = Target.objects.create(
            name=name,
            office=office,
            level="state",
            district=district,
            phone=extra.pop("phone", "(518) 555-0100"),
            email=extra.pop("email", f"{name.split()[0].lower()}@example.org"),
        )
        return t

    governor = target("Kathy Hale", "Governor")
    senator_west = target("Wendy West", "State Senator", west)
    senator_east = target("Ed East", "State Senator", east)
    member = target("Mo Member", "Assembly Member", assembly)
    other = target("Otto Other", "Mayor")
    for t in (governor, senator_west, senator_east, member):
        t.campaigns.add(campaign)
    page = PressurePage.objects.create(
        campaign=campaign,
        ask="Fund childcare now",
        ask_es="Financien el cuidado infantil ya",
        script="Hello, I am a constituent. Fund childcare.",
        script_es="Hola, soy residente. Financien el cuidado infantil.",
        email_subject="Fund childcare",
        email_body="Please fund childcare.",
    )
    return World(
        campaign, page, west, east, assembly, governor, senator_west, senator_east, member, other
    )
