"""A captain in Chromium: the hub page and the workplace map at phone and desktop widths, and
one tap on an assessment updating the majority check in place (htmx)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Role
from contacts.models import FollowUp
from hubs.models import HubMembership
from tests.conftest import login
from tests.factories import HubFactory, HubMembershipFactory, UserFactory
from tests.hubs.test_workplace_map import build_workplace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def captain(transactional_db):
    hub = HubFactory(name="Amazon JFK8", slug="jfk8")
    hub.description = "Staten Island fulfillment center. Worker-led, one department at a time."
    hub.meeting_time, hub.meeting_place = "Sundays 12:00", "Break room B"
    place = build_workplace(hub, threshold=50)
    user = UserFactory(email="cap@example.org", name="Chris Smalls", role=Role.CAPTAIN)
    HubMembershipFactory(hub=place.hub, user=user, role=HubMembership.Role.CAPTAIN)
    leader = place.people[("Packing", "Day")][0]
    FollowUp.objects.create(
        contact=leader, assigned_to=user, due_on="2030-01-01", what="Ask about the petition"
    )
    return user


def _sign_in(page, live_server, user) -> None:
    page.goto("/healthz")
    client = login(Client(), user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_captain_reads_the_hub_page_and_map_on_a_phone(
    phone_page, live_server, captain, screenshot
):
    page = phone_page
    _sign_in(page, live_server, captain)
    page.goto("/hubs/jfk8/")
    expect(page.get_by_role("heading", name="Amazon JFK8")).to_be_visible()
    expect(page.get_by_role("heading", name="Members by stage")).to_be_visible()
    expect(page.get_by_text("Ask about the petition")).to_be_visible()
    screenshot(page, "hub-page-phone", full_page=True)
    page.get_by_role("button", name="Workplace map").click()
    expect(page.get_by_text("41% at 1–2")).to_be_visible()
    expect(page.get_by_text("Needs 2 more at 1–2")).to_be_visible()
    screenshot(page, "workplace-map-phone", full_page=True)
    # Two receivers become supporters: 9 of 17 at 1–2 reaches the 50 % threshold.
    for name in ("ReceDay14 W14", "ReceDay15 W15"):
        page.get_by_role("button", name=f"Assess {name} 2").click()
        expect(page.get_by_role("button", name=f"Assess {name} 2")).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(page.get_by_text("53% at 1–2")).to_be_visible()
    expect(page.get_by_text("Majority reached", exact=True)).to_be_visible()
    screenshot(page, "workplace-map-phone-after", full_page=True)


def test_the_map_and_chart_on_a_desktop(desktop_page, live_server, captain, screenshot):
    page = desktop_page
    _sign_in(page, live_server, captain)
    page.goto("/hubs/jfk8/")
    screenshot(page, "hub-page-desktop", full_page=True)
    page.goto("/hubs/jfk8/workplace/")
    expect(page.get_by_role("heading", name="Departments with no leader yet")).to_be_visible()
    screenshot(page, "workplace-map-desktop", full_page=True)
    page.goto("/hubs/jfk8/workplace/chart/")
    expect(page.get_by_role("heading", name="Organizing chart")).to_be_visible()
    screenshot(page, "workplace-chart-desktop", full_page=True)
