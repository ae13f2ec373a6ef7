"""A captain in Chromium: the hub page and the workplace map at phone and desktop widths, and
one tap on an assessment updating the majority check in place (htmx)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Role
from contacts.models import FollowUp
from hubs.models import HubRole
from tests.conftest import login
from tests.factories import HubFactory, HubRoleFactory, UserFactory
from tests.hubs.test_workplace_map import build_workplace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def captain(transactional_db):
    hub = HubFactory(name="Amazon JFK8", slug="jfk8")
    hub.description = "Staten Island fulfillment center. Worker-led, one department at a time."
    hub.meeting_time, hub.meeting_place = "Sundays 12:00", "Break room B"
    place = build_workplace(hub, threshold=50)
    user = UserFactory(email="cap@example.org", name="Chris Smalls", role=Role.CAPTAIN)
    HubRoleFactory(hub=place.hub, user=user, role=HubRole.Role.CAPTAIN)
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


def test_on_a_phone_an_organizer_places_a_roster_and_the_captain_sets_the_headcount(
    phone_page, live_server, captain, screenshot
):
    from hubs.models import Hub, Placement

    hub = Hub.objects.get(slug="jfk8")
    organizer = UserFactory(email="org@example.org", name="Olu Org", role=Role.ORGANIZER)
    HubRoleFactory(hub=hub, user=organizer, role=HubRole.Role.ORGANIZER)
    page = phone_page
    _sign_in(page, live_server, organizer)
    page.goto("/hubs/jfk8/workplace/")
    page.get_by_role("link", name="Place coworkers").click()
    page.get_by_role("button", name="Place a whole roster (paste or upload)").click()
    page.get_by_label("Worksite").select_option(label="Warehouse DBK4")
    page.get_by_label("Paste the roster").fill(
        "Name\tPhone\tDepartment\tShift\n"
        "Tia Torres\t(718) 555-0150\tPacking\tDay\n"
        "Ray Reyes\t(718) 555-0151\tPicking\tNight\n"
        "Nope\t555\tPacking\tDay\n"
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Preview: nothing is saved yet")).to_be_visible()
    expect(page.get_by_text("New departments: Picking")).to_be_visible()
    expect(page.locator("tr.roster-reject")).to_contain_text("not a valid phone number")
    screenshot(page, "workplace-roster-preview-phone", full_page=True)
    assert not Placement.objects.filter(contact__first_name="Tia").exists()
    page.get_by_role("button", name="Place 2 coworkers at Warehouse DBK4").click()
    expect(page.get_by_role("heading", name="Roster placed")).to_be_visible()
    assert Placement.objects.filter(hub=hub).count() == 19

    page.context.clear_cookies()
    _sign_in(page, live_server, captain)
    page.goto("/hubs/jfk8/workplace/setup/")
    page.get_by_label("Workers in the whole unit").fill("5000")
    page.get_by_role("button", name="Save headcounts").click()
    page.goto("/hubs/jfk8/workplace/")
    expect(page.get_by_text("19 of 5,000 known").first).to_be_visible()
    expect(page.get_by_text("Needs 2493 more at 1–2")).to_be_visible()
    screenshot(page, "workplace-map-headcount-phone", full_page=True)
