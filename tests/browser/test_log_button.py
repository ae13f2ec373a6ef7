"""The "Log a one-on-one" button is one tap away on every page and never covers a control.

It used to float above the tab bar and took taps meant for Snooze, "Add note" and the turf
map's lower-right corner. Every control of My day, a person page, a walk list and the turf-cut
page is scrolled to just above the tab bar (where the floating button sat) and to the top of
the screen; at its centre and near its edges the control itself must be what a tap reaches.
Keyboard focus on the tab bar and on the log button must be visible."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from contacts.models import FollowUp, Interaction
from hubs.models import HubRole
from tests.conftest import login
from tests.factories import HubFactory, HubRoleFactory, PhoneFactory, UserFactory
from tests.hubs.test_walk import build_piece

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COVERED = """() => {
  const bar = document.querySelector('nav.mainnav').getBoundingClientRect().top;
  const log = document.querySelector('a.log-action');
  const controls = document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select, main textarea, ' +
    'main summary, .leaflet-container');
  const found = [];
  for (const el of controls) {
    const first = el.getBoundingClientRect();
    if (!(first.width > 0 && first.height > 0)) continue;
    // Just above the bar, a little higher, and near the top of the screen.
    for (const target of [bar - 2, bar - 40, bar - 80, first.height + 8]) {
      window.scrollBy(0, el.getBoundingClientRect().bottom - target);
      const r = el.getBoundingClientRect();
      for (const y of [r.top + 3, (r.top + r.bottom) / 2, r.bottom - 4]) {
        for (const x of [r.left + 3, r.left + r.width / 2, r.right - 3]) {
          if (y < 0 || y >= bar || x < 0 || x >= window.innerWidth) continue;
          const hit = document.elementFromPoint(x, y);
          if (hit && log && log.contains(hit)) {
            found.push((el.innerText || el.name || el.id || el.className).trim().slice(0, 30));
          }
        }
      }
    }
  }
  return [...new Set(found)];
}"""


def sign_in_as(page, live_server, user) -> None:
    client = login(Client(), user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def world(transactional_db, settings):
    settings.MAP_TILE_URL = ""
    hub = HubFactory(name="Astoria", slug="astoria", area=[
        (-73.935, 40.755), (-73.905, 40.755), (-73.905, 40.785), (-73.935, 40.785)])  # fmt: skip
    captain = UserFactory(email="cap@example.org", name="Carmen Cap", role=Role.CAPTAIN)
    organizer = UserFactory(email="org@example.org", name="Omar Org", role=Role.ORGANIZER)
    HubRoleFactory(hub=hub, user=captain, role=HubRole.Role.CAPTAIN)
    HubRoleFactory(hub=hub, user=organizer, role=HubRole.Role.ORGANIZER)
    piece = build_piece(hub, assigned_to=organizer, doors=8, per_building=2, street="31st St")
    person = piece.residents[piece.doors[0].pk][0]
    person.owner = organizer
    person.save()
    PhoneFactory(contact=person, e164="+12125550142")
    today = timezone.localdate()
    for days in range(-1, 6):
        FollowUp.objects.create(
            contact=person,
            assigned_to=organizer,
            due_on=today + dt.timedelta(days=max(days, 0)),
            what=f"Call back about the potluck ({days})",
            created_by=organizer,
        )
    for n in range(4):
        Interaction.objects.create(
            contact=person, kind="call", happened_at=timezone.now(), notes=f"Talked {n}",
            author=organizer,
        )  # fmt: skip
    return {"hub": hub, "captain": captain, "organizer": organizer, "piece": piece.piece,
            "person": person}  # fmt: skip


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("organizer", "/people/my-day/"),
        ("organizer", "/people/{person}/"),
        ("organizer", "/hubs/pieces/{piece}/"),
        ("captain", "/hubs/astoria/turf/new/"),
    ],
)
def test_no_control_is_under_the_log_button(phone_page, live_server, world, who, path):
    page = phone_page
    sign_in_as(page, live_server, world[who])
    response = page.goto(path.format(person=world["person"].pk, piece=world["piece"].pk))
    assert response.status == 200
    expect(page.locator("a.log-action")).to_be_visible()
    assert page.evaluate(COVERED) == []


def _tab_to(page, selector: str, *, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"!!document.activeElement.closest({selector!r})"):
            return
    pytest.fail(f"Tab never reached {selector}")


FOCUS_RING = """() => {
  const s = getComputedStyle(document.activeElement);
  return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor, s.backgroundColor];
}"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_keyboard_focus_is_visible_on_the_tabs_and_the_log_button(
    request, live_server, world, size
):
    page = request.getfixturevalue(f"{size}_page")
    sign_in_as(page, live_server, world["organizer"])
    page.goto("/people/my-day/")
    for selector in ("nav.mainnav a", "a.log-action"):
        _tab_to(page, selector)
        style, width, color, background = page.evaluate(FOCUS_RING)
        assert style == "solid" and width >= 2, (selector, style, width)
        assert color != background, selector
