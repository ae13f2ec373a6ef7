"""Staff read the reports in Chromium on a phone (390 px) and a desktop (1280 px): every report
renders without horizontal overflow (wide tables scroll inside their box), and the depth map
draws each neighborhood's shape without tiles."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.conftest import login
from tests.reports.conftest import town  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/reports/", "/reports/depth/", "/reports/ladder/", "/reports/organizers/",
         "/reports/hubs/", "/reports/cohorts/", "/reports/campaigns/", "/reports/workplaces/",
         "/reports/reach/"]  # fmt: skip


def _sign_in(page, live_server, user) -> None:
    page.goto("/healthz")
    client = login(Client(), user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def _overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.usefixtures("town")
@pytest.mark.parametrize("which", ["phone", "desktop"])
def test_every_report_fits_the_screen_and_the_map_draws(
    request, which, live_server, cast, screenshot, settings
):
    settings.MAP_TILE_URL = ""
    page = request.getfixturevalue(f"{which}_page")
    _sign_in(page, live_server, cast.staff)
    for path in PAGES:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        assert _overflow(page) <= 0, (which, path)
        screenshot(page, f"reports{path.replace('/', '-')}{which}", full_page=True)
    page.goto("/reports/depth/")
    expect(page.locator("#depth-map path.leaflet-interactive")).to_have_count(1)  # South's shape
    page.emulate_media(media="print")  # for a chapter meeting: the table, not the controls
    expect(page.locator(".report-filters")).to_be_hidden()
    expect(page.locator(".report-table")).to_be_visible()
    page.emulate_media(media="screen")
    page.get_by_role("link", name="2", exact=True).first.click()
    expect(page.get_by_role("heading", name="Depth by neighborhood: 2 people")).to_be_visible()
