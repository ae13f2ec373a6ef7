"""Turf on a phone: a volunteer opens their walk list at 390 px and records results in one tap
each — also with the network cut mid-list and restored (the taps wait on the phone, then go).
And the whole loop: a captain picks turf by ZIP code, sees the count, splits it, assigns a
piece; the volunteer walks it; the captain sees the progress."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Role
from contacts.models import Interaction
from hubs.models import Building, DoorResult, HubMembership, Residence, TurfPiece, Unit
from tests.browser.conftest import PHONE
from tests.factories import (
    PASSWORD,
    ContactFactory,
    HubFactory,
    HubMemberFactory,
    HubMembershipFactory,
    UserFactory,
)
from tests.hubs.test_walk import build_piece

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def volunteer_piece(transactional_db):
    hub = HubFactory(name="Astoria", slug="astoria")
    volunteer = UserFactory(email="vic@example.org", name="Vic Vega", role=Role.VOLUNTEER)
    HubMembershipFactory(hub=hub, user=volunteer, role=HubMembership.Role.VOLUNTEER)
    world = build_piece(hub, assigned_to=volunteer, doors=6, per_building=3, street="Steinway St")
    return volunteer, world


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if user.needs_second_factor:  # captains confirm a code from their authenticator app
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        page.get_by_label("6-digit code from your authenticator app").fill(f"{code:06d}")
        page.get_by_role("button", name="Confirm code").click()
    expect(page.get_by_role("heading", name="My day", level=1)).to_be_visible()


def door(page, world, index: int):
    return page.locator(f"#door-{world.doors[index].pk}")


def test_a_volunteer_records_results_in_one_tap_with_the_network_cut_and_restored(
    phone_page, volunteer_piece, screenshot
):
    volunteer, world = volunteer_piece
    page = phone_page
    sign_in(page, volunteer)
    page.goto(f"/hubs/pieces/{world.piece.pk}/")
    expect(page.get_by_role("heading", name="100 Steinway St", level=2)).to_be_visible()
    residents = door(page, world, 0).locator(".walk-residents")
    expect(residents.get_by_text("Res0x0 Steinway")).to_be_visible()
    screenshot(page, "phone-walk-list")

    door(page, world, 0).get_by_role("button", name="Talked").click()
    expect(door(page, world, 0).locator(".walk-badge")).to_have_text("Talked")
    expect(page.locator("#walk-progress")).to_contain_text("1 of 6 doors done")
    assert DoorResult.objects.get().result == "talked"

    page.context.set_offline(True)
    door(page, world, 1).get_by_role("button", name="Not home").click()
    door(page, world, 4).get_by_role("button", name="Not home").click()
    expect(page.locator("#walk-queue")).to_have_text("Saved on this phone — 2 waiting to send")
    expect(door(page, world, 4)).to_have_class("walk-door is-done is-pending")
    screenshot(page, "phone-walk-list-offline")
    assert DoorResult.objects.count() == 1

    page.context.set_offline(False)
    expect(page.locator("#walk-progress")).to_contain_text("3 of 6 doors done", timeout=20_000)
    expect(door(page, world, 4)).not_to_have_class("walk-door is-done is-pending")
    expect(page.locator("#walk-queue")).to_have_text("All results sent.")
    results = DoorResult.objects.order_by("at")
    assert [r.result for r in results] == ["talked", "not_home", "not_home"]
    assert {r.door_id for r in results} == {world.doors[i].pk for i in (0, 1, 4)}
    assert len({r.client_token for r in results}) == 3
    assert Interaction.objects.filter(kind="door_knock").count() == 1  # only "talked" reached

    page.reload()  # nothing left queued: no duplicates on the next visit
    expect(page.locator("#walk-progress")).to_contain_text("3 of 6 doors done")
    assert DoorResult.objects.count() == 3


def test_a_volunteer_adds_a_new_person_met_at_the_door(phone_page, volunteer_piece):
    volunteer, world = volunteer_piece
    page = phone_page
    sign_in(page, volunteer)
    page.goto(f"/hubs/pieces/{world.piece.pk}/")
    target = door(page, world, 2)
    target.get_by_text("Add note / new person").click()
    target.get_by_label("Note").fill("Wants to host a potluck")
    target.get_by_label("First name").fill("Nia")
    target.get_by_label("Phone").fill("(212) 555-0142")
    target.get_by_role("button", name="Save note").click()
    expect(door(page, world, 2).locator(".walk-residents").get_by_text("Nia")).to_be_visible()
    expect(door(page, world, 2).locator(".walk-latest")).to_contain_text("Wants to host a potluck")
    saved = DoorResult.objects.get()
    assert saved.contact.first_name == "Nia" and saved.result == "talked"


@pytest.fixture
def captain_hub(transactional_db):
    """A hub with a captain, a volunteer, and doors in two ZIP codes (none in a turf yet)."""
    hub = HubFactory(name="Astoria", slug="astoria")
    captain = UserFactory(email="cap@example.org", name="Cara Cap", role=Role.CAPTAIN)
    volunteer = UserFactory(email="vic@example.org", name="Vic Vega", role=Role.VOLUNTEER)
    HubMembershipFactory(hub=hub, user=captain, role=HubMembership.Role.CAPTAIN)
    TOTPDevice.objects.create(user=captain, name="phone", confirmed=True)
    HubMembershipFactory(hub=hub, user=volunteer, role=HubMembership.Role.VOLUNTEER)
    for zip_code, street, count in (("11103", "Steinway St", 6), ("11105", "Ditmars Blvd", 3)):
        for i in range(count):
            building = Building.objects.create(
                street_number=str(20 + 2 * i), street=street, zip_code=zip_code
            )
            unit = Unit.objects.create(building=building, label="")
            person = ContactFactory(first_name=f"Neighbor{i}", last_name=street.split()[0])
            Residence.objects.create(contact=person, unit=unit)
            HubMemberFactory(contact=person, hub=hub)  # a captain cuts doors of their hub's people
    return hub, captain, volunteer


def test_a_captain_picks_turf_by_zip_splits_assigns_the_volunteer_walks_and_progress_shows(
    desktop_page, browser, live_server, captain_hub
):
    hub, captain, volunteer = captain_hub
    page = desktop_page
    sign_in(page, captain)
    page.goto(f"/hubs/{hub.slug}/turf/new/")
    page.get_by_label("Turf name").fill("Steinway")
    page.get_by_label("ZIP codes").fill("11103")
    page.get_by_role("button", name="Preview count").click()
    expect(page.locator("#turf-count")).to_contain_text("6 doors")
    expect(page.locator("#turf-count")).to_contain_text("6 people live there")
    page.get_by_role("button", name="Save turf").click()
    page.get_by_label("Doors per piece (about)").fill("3")
    page.get_by_role("button", name="Split").click()
    expect(page.get_by_role("heading", name="Steinway", level=1)).to_be_visible()
    page.locator(".piece").first.get_by_role("link", name="Assign").click()
    page.get_by_label("Assign to").select_option(label="Vic Vega")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".piece").first).to_contain_text("Vic Vega")
    piece = TurfPiece.objects.get(turf__name="Steinway", number=1)
    assert piece.assigned_to == volunteer and piece.doors.count() == 3

    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    sign_in(phone, volunteer)
    phone.goto(f"/hubs/pieces/{piece.pk}/")
    doors = phone.locator(".walk-door")
    expect(doors).to_have_count(3)
    doors.nth(0).get_by_role("button", name="Talked").click()
    expect(phone.locator("#walk-progress")).to_contain_text("1 of 3 doors done")
    context.set_offline(True)
    doors.nth(1).get_by_role("button", name="Not home").click()
    expect(phone.locator("#walk-queue")).to_have_text("Saved on this phone — 1 waiting to send")
    context.set_offline(False)
    expect(phone.locator("#walk-progress")).to_contain_text("2 of 3 doors done", timeout=20_000)
    context.close()
    assert DoorResult.objects.filter(piece=piece).count() == 2

    page.reload()
    expect(page.locator(".piece").first).to_contain_text("2 attempted")
    expect(page.locator(".piece").first).to_contain_text("1 contacts made")
