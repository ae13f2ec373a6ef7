"""A captain cuts turf in a real browser: draw a shape on the map (no tile server), preview the
count, save, split, assign a piece; the volunteer finds it on My day on a phone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from hubs.models import HubRole, TurfPiece
from tests.conftest import login
from tests.factories import HubFactory, HubRoleFactory, UserFactory
from tests.hubs.test_turf_services import building

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page, live_server, user) -> None:
    """Put a signed-in (past 2FA) session cookie into the browser."""
    client = login(Client(), user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def astoria(transactional_db, settings):
    settings.MAP_TILE_URL = ""  # no network in tests: the map must work without tiles
    hub = HubFactory(name="Astoria", slug="astoria", area=[
        (-73.935, 40.755), (-73.905, 40.755), (-73.905, 40.785), (-73.935, 40.785)])  # fmt: skip
    captain = UserFactory(email="cap@example.org", name="Carmen Cap", role=Role.CAPTAIN)
    volunteer = UserFactory(email="vol@example.org", name="Val Vol", role=Role.VOLUNTEER)
    HubRoleFactory(hub=hub, user=captain, role=HubRole.Role.CAPTAIN)
    HubRoleFactory(hub=hub, user=volunteer, role=HubRole.Role.VOLUNTEER)
    for i in range(12):
        building(str(1 + 2 * i), "31st St", units=("1", "2"), at=(-73.925 + i * 0.0015, 40.770))
    building("5", "Far St", at=(-73.908, 40.782))
    return hub, captain, volunteer


def draw_box(page) -> None:
    box = page.locator("#turf-map").bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for fx, fy in ((0.15, 0.35), (0.7, 0.35), (0.7, 0.65), (0.15, 0.65)):
        page.mouse.click(x + w * fx, y + h * fy)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_captain_draws_turf_previews_saves_splits_and_assigns(
    request, size, live_server, astoria, screenshot
):
    page = request.getfixturevalue(f"{size}_page")
    hub, captain, volunteer = astoria
    sign_in_as(page, live_server, captain)

    page.goto(f"/hubs/{hub.slug}/turf/new/")
    expect(page.locator(".leaflet-interactive").first).to_be_attached()  # the hub's outline
    # expect() polls without eval (a string predicate is refused by the page's CSP when it
    # is not already true on the first try).
    expect(page.locator("#turf-map")).to_have_attribute("data-doors-shown", "13")
    page.get_by_label("Turf name").fill("31st St north")
    draw_box(page)
    page.get_by_role("button", name="Finish shape").click()
    page.get_by_role("button", name="Preview count").click()
    expect(page.locator("#turf-count")).to_contain_text("doors")
    screenshot(page, f"turf-new-{size}", full_page=True)
    count_text = page.locator("#turf-count strong").inner_text()
    assert count_text != "0 doors"

    page.get_by_role("button", name="Save turf").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Split")
    page.get_by_label("Doors per piece (about)").fill("8")
    page.get_by_role("button", name="Split").click()
    expect(page.get_by_text("Piece 1", exact=True)).to_be_visible()

    page.get_by_role("link", name="Assign").first.click()
    page.get_by_label("Assign to").select_option(label=str(volunteer))
    page.get_by_label("Due").fill("2026-12-01")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("due Dec 1")).to_be_visible()
    screenshot(page, f"turf-detail-{size}", full_page=True)
    assert TurfPiece.objects.get(number=1).assigned_to == volunteer

    page.context.clear_cookies()
    sign_in_as(page, live_server, volunteer)
    page.goto(reverse("contacts:my_day"))
    expect(page.get_by_text("My turf to walk")).to_be_visible()
    screenshot(page, f"turf-my-day-{size}", full_page=True)
