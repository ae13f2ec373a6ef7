"""Every main page of the app, as the persona who uses it, at 320, 390 and 1280 px: nothing is
wider than the screen (long names included). A page that scrolls sideways on a phone hides its
buttons (Call and Text were pushed off My day by one long name)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from contacts.models import Contact, FollowUp
from contacts.selectors.conversations import my_day
from hubs.models import Hub, Residence, StructureTest
from tests.conftest import login
from tests.factories import EmailFactory
from tests.hubs.test_walk import build_piece

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390, 1280)
LONG_FIRST = "Maximiliano-Bartholomew"
LONG_LAST = "Vandenberghe-Oyelaran de la Cruz"


def _long_name(contact: Contact) -> Contact:
    Contact.objects.filter(pk=contact.pk).update(first_name=LONG_FIRST, last_name=LONG_LAST)
    address = f"maximiliano.bartholomew.vandenberghe.{contact.pk}@example.org"
    if not contact.emails.filter(address=address).exists():
        EmailFactory(contact=contact, address=address, is_primary=not contact.emails.exists())
    return contact


@pytest.fixture
def chapter(transactional_db, settings):
    settings.MAP_TILE_URL = ""
    call_command("seed_demo", "--people", "40", stdout=StringIO())
    users = {u.email.split("@")[0]: u for u in get_user_model().objects.all()}
    organizer = users["organizer"]
    day = my_day(organizer)
    person = _long_name(next(f.contact for f in day.due + day.upcoming))
    assert day.stale, "the demo organizer has people nobody talked to in a month"
    _long_name(day.stale[-1])
    other = Contact.objects.exclude(pk=person.pk).first()
    bushwick = Hub.objects.get(slug="bushwick")
    world = build_piece(bushwick, assigned_to=users["volunteer"], doors=4, street="Wyckoff Ave")
    for residents in list(world.residents.values())[:1]:
        _long_name(residents[0])
    Residence.objects.create(contact=person, unit=world.doors[1].unit)
    jfk8 = Hub.objects.get(slug="jfk8")
    test = StructureTest.objects.create(
        hub=jfk8,
        name="Everyone reached",
        started_by=users["staff"],
        deadline=timezone.now() + dt.timedelta(days=1),
    )
    follow_up = FollowUp.objects.filter(assigned_to=organizer).first()
    turf = world.piece.turf
    return {
        "organizer": [
            "/people/my-day/",
            "/people/",
            f"/people/?q={LONG_FIRST[:8]}",
            f"/people/{person.pk}/",
            f"/people/{person.pk}/edit/",
            "/people/log/",
            f"/people/log/?contact={person.pk}",
            "/people/new/",
            "/people/reminders/settings/",
            f"/people/follow-ups/{follow_up.pk}/reassign/",
            "/hubs/",
            "/hubs/bushwick/",
            "/campaigns/",
            "/reports/",
        ],
        "captain": [
            "/people/my-day/",
            "/hubs/bushwick/",
            "/hubs/bushwick/edit/",
            "/hubs/bushwick/members/",
            "/hubs/bushwick/turf/",
            "/hubs/bushwick/turf/new/",
            f"/hubs/bushwick/turf/{turf.pk}/",
        ],
        "volunteer": [
            "/people/my-day/",
            f"/hubs/pieces/{world.piece.pk}/",
            f"/hubs/pieces/{world.piece.pk}/print/",
            f"/hubs/pieces/{world.piece.pk}/paper/",
        ],
        "staff": [
            "/people/duplicates/",
            "/people/import/",
            "/people/ladder/",
            "/people/reminders/",
            f"/people/{person.pk}/merge/?other={other.pk}",
            "/accounts/invite/",
            "/accounts/users/",
            "/hubs/new/",
            "/hubs/doors/import/",
            "/hubs/jfk8/workplace/",
            "/hubs/jfk8/workplace/chart/",
            "/hubs/jfk8/workplace/tests/new/",
            f"/hubs/jfk8/workplace/tests/{test.pk}/",
            "/reports/reach/districts/",
        ],
        None: ["/accounts/login/", "/accounts/password-reset/"],
        "_users": users,
    }


def _overflow(page) -> tuple[int, int, list[str]]:
    return page.evaluate(
        """() => {
          const vw = document.documentElement.clientWidth;
          const wide = [];
          for (const e of document.querySelectorAll('body *')) {
            const r = e.getBoundingClientRect();
            if (r.width > 0 && r.right > vw + 1) {
              wide.push(`${e.tagName.toLowerCase()}.${e.className}`);
            }
          }
          return [document.documentElement.scrollWidth, vw, wide.slice(0, 5)];
        }"""
    )


@pytest.mark.timeout(300)  # about forty pages, three widths each, on a shared machine
def test_no_page_is_wider_than_the_screen(browser, live_server, chapter, screenshot):
    users = chapter.pop("_users")
    problems = []
    for persona, paths in chapter.items():
        context = browser.new_context(base_url=live_server.url, locale="en-US")
        context.set_default_timeout(15_000)
        if persona is not None:
            session = login(Client(), users[persona]).cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        for path in paths:
            page.set_viewport_size({"width": WIDTHS[0], "height": 800})
            response = page.goto(path)
            assert response.status < 400, f"{persona} {path}: {response.status}"
            for width in WIDTHS:  # one load per page; the layout follows the window's width
                page.set_viewport_size({"width": width, "height": 800})
                scroll, viewport, wide = _overflow(page)
                if scroll > viewport:
                    name = f"overflow-{persona}-{width}-{path.strip('/').replace('/', '_')}"
                    screenshot(page, name[:120], full_page=True)
                    problems.append(f"{persona} {width}px {path}: {scroll} > {viewport} {wide}")
        context.close()
    assert problems == []
