"""An organizer's first minute, in a real browser: sign in on a phone, see My day, switch to
Spanish. Plus the same layout at desktop width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from hubs.models import HubRole
from tests.factories import (
    PASSWORD,
    ContactFactory,
    HubFactory,
    HubMemberFactory,
    HubRoleFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV_EN = ["My day", "People", "Hubs", "Campaigns", "Reports"]
NAV_ES = ["Mi día", "Personas", "Núcleos", "Campañas", "Informes"]
MIN_TAP = 44


@pytest.fixture
def organizer(transactional_db):
    hub = HubFactory(name="Eastside", slug="eastside")
    user = UserFactory(email="rosa@example.org", name="Rosa Ortiz", role=Role.ORGANIZER)
    HubRoleFactory(hub=hub, user=user, role=HubRole.Role.ORGANIZER)
    for first, last in [("Ana", "Alvarez"), ("Bruno", "Castillo"), ("Dee", "Evans")]:
        HubMemberFactory(
            hub=hub, contact=ContactFactory(first_name=first, last_name=last, owner=user)
        )
    return user


def sign_in(page, user, *, screenshot=None) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    if screenshot:
        screenshot(page, "phone-sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def nav(page, name: str = "Main"):
    return page.get_by_role("navigation", name=name)


def test_an_organizer_signs_in_on_a_phone_and_switches_to_spanish(
    phone_page, organizer, screenshot
):
    page = phone_page
    sign_in(page, organizer, screenshot=screenshot)

    expect(page.get_by_role("heading", name="My day", level=1)).to_be_visible()
    expect(page.get_by_text("Ana Alvarez")).to_be_visible()
    for label in NAV_EN:
        link = nav(page).get_by_role("link", name=label)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["height"] >= MIN_TAP and box["width"] >= MIN_TAP, (label, box)
        # The tab bar sits at the bottom of the screen, within the thumb's reach.
        assert box["y"] + box["height"] > 844 - 100, (label, box)
    log_action = page.locator("a.log-action")
    expect(log_action).to_be_visible()
    expect(log_action).to_have_text("Log a one-on-one")
    assert log_action.bounding_box()["height"] >= MIN_TAP
    expect(nav(page).get_by_role("link", name="My day")).to_have_attribute("aria-current", "page")
    screenshot(page, "phone-my-day-en")

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()

    expect(page.get_by_role("heading", name="Mi día", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    for label in NAV_ES:
        expect(nav(page, "Principal").get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    expect(page.get_by_text("Ana Alvarez")).to_be_visible()
    screenshot(page, "phone-my-day-es")

    # The choice sticks: the next page is in Spanish too.
    nav(page, "Principal").get_by_role("link", name="Personas").click()
    expect(page.get_by_role("heading", name="Personas", level=1)).to_be_visible()
    screenshot(page, "phone-people-es")


def test_on_a_desktop_the_navigation_is_a_top_bar(desktop_page, organizer, screenshot):
    page = desktop_page
    sign_in(page, organizer)

    expect(page.get_by_role("heading", name="My day", level=1)).to_be_visible()
    for label in NAV_EN:
        box = nav(page).get_by_role("link", name=label).bounding_box()
        assert box["y"] < 80, (label, box)  # in the top bar, not at the bottom
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.locator("a.log-action").bounding_box()["y"] < 80
    screenshot(page, "desktop-my-day-en")

    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(nav(page)).to_be_visible()
    screenshot(page, "desktop-404")


def test_an_unknown_page_on_a_phone_keeps_the_tab_bar(phone_page, organizer, screenshot):
    page = phone_page
    sign_in(page, organizer)
    expect(page.get_by_role("heading", name="My day", level=1)).to_be_visible()

    page.goto("/people/999999/")

    expect(page.get_by_role("heading", name="Page not found", level=1)).to_be_visible()
    expect(nav(page).get_by_role("link", name="My day")).to_be_in_viewport()
    screenshot(page, "phone-404")


def test_signing_out_from_a_phone_returns_to_the_sign_in_page(phone_page, organizer):
    page = phone_page
    sign_in(page, organizer)
    expect(page.get_by_role("heading", name="My day", level=1)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(nav(page)).to_have_count(0)
