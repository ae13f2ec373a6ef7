"""The main pages run under the Content-Security-Policy with zero violations in Chromium, and
their scripts still work: the log form keeps a draft, the walk list records a tap with fetch,
the turf map draws (issue #9, finding 6)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hubs.models import DoorResult, HubRole
from tests.browser.test_turf_cut_journey import sign_in_as
from tests.factories import HubRoleFactory
from tests.hubs.test_turf_services import building
from tests.hubs.test_walk import build_piece

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reported in the page itself (the event) and by Chromium on the console ("Refused to …").
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


@pytest.fixture
def violations(desktop_page):
    page = desktop_page
    page.add_init_script(LISTEN)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )

    def collected() -> list[str]:
        return console + page.evaluate("window.__csp || []")

    return collected


@pytest.fixture
def chapter(cast, settings):
    settings.MAP_TILE_URL = ""  # no network in tests
    world = build_piece(cast.hub_a, assigned_to=cast.captain_a, doors=3)
    building("1", "31st St", units=("1",))
    HubRoleFactory(hub=cast.hub_b, user=cast.captain_a, role=HubRole.Role.CAPTAIN)
    return world


def test_the_main_pages_run_with_no_csp_violation(
    desktop_page, live_server, cast, chapter, violations
):
    page = desktop_page
    sign_in_as(page, live_server, cast.captain_a)
    pages = [
        reverse("contacts:my_day"),
        reverse("contacts:list"),
        reverse("contacts:detail", args=[cast.person_a.pk]),
        reverse("contacts:log"),
        reverse("hubs:index"),
        reverse("hubs:detail", args=["hub-a"]),
        reverse("hubs:turf_new", args=["hub-a"]),
        reverse("hubs:walk_list", args=[chapter.piece.pk]),
        reverse("contacts:reminder_settings"),
    ]
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert violations() == [], url


def test_the_log_form_walk_list_and_turf_map_still_work_under_the_csp(
    desktop_page, live_server, cast, chapter, violations
):
    page = desktop_page
    sign_in_as(page, live_server, cast.captain_a)

    # Walk list: a tap goes through walk-list.js (fetch) and the door updates in place.
    page.goto(reverse("hubs:walk_list", args=[chapter.piece.pk]))
    door = page.locator(f"#door-{chapter.doors[0].pk}")
    door.get_by_role("button", name="Not home").click()
    expect(page.locator("#walk-progress")).to_contain_text("1 of 3 doors done")
    assert DoorResult.objects.count() == 1

    # Turf map: Leaflet draws the map and the door markers from doors.json.
    page.goto(reverse("hubs:turf_new", args=["hub-a"]))
    expect(page.locator("#turf-map.leaflet-container")).to_be_attached()

    # Log form: typing a name searches as you type (htmx).
    page.goto(reverse("contacts:log"))
    page.get_by_label("Find a person by name or phone").fill("Alv")
    expect(page.get_by_text("Ana Alvarez").first).to_be_visible()
    assert violations() == []
