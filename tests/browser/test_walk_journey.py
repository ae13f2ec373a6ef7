"""Turf on a phone: a volunteer opens their walk list at 390 px and records results in one tap
each — also with the network cut mid-list and restored (the taps wait on the phone, then go),
and with no signal at all when the piece is opened (My day stored it on the phone).
And the whole loop: a captain picks turf by ZIP code, sees the count, splits it, assigns a
piece; the volunteer walks it; the captain sees the progress."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.models import Role
from contacts.models import Interaction
from hubs.models import Building, DoorResult, HubRole, Residence, TurfPiece, Unit
from tests.browser.conftest import PHONE
from tests.factories import (
    PASSWORD,
    ContactFactory,
    HubFactory,
    HubMemberFactory,
    HubRoleFactory,
    UserFactory,
)
from tests.hubs.test_walk import build_piece

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def volunteer_piece(transactional_db):
    hub = HubFactory(name="Astoria", slug="astoria")
    volunteer = UserFactory(email="vic@example.org", name="Vic Vega", role=Role.VOLUNTEER)
    HubRoleFactory(hub=hub, user=volunteer, role=HubRole.Role.VOLUNTEER)
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
    HubRoleFactory(hub=hub, user=captain, role=HubRole.Role.CAPTAIN)
    TOTPDevice.objects.create(user=captain, name="phone", confirmed=True)
    HubRoleFactory(hub=hub, user=volunteer, role=HubRole.Role.VOLUNTEER)
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


# --- Pieces stored on the phone (static/js/pieces-sw.js) ------------------------------------


def store_pieces(page) -> None:
    page.goto("/people/my-day/")
    expect(page.locator("[data-offline-ready]")).to_have_attribute("data-offline-ready", "1")
    saved = page.get_by_text("Saved on this phone: these lists open without signal.")
    expect(saved).to_be_visible()


def stored_caches(page) -> list[str]:
    return page.evaluate("caches.keys()")


def test_a_volunteer_opens_their_piece_with_no_signal_and_the_taps_are_sent_once_back_online(
    phone_page, volunteer_piece, screenshot
):
    volunteer, world = volunteer_piece
    page = phone_page
    sign_in(page, volunteer)
    store_pieces(page)

    page.context.set_offline(True)
    page.goto(f"/hubs/pieces/{world.piece.pk}/")
    expect(page.get_by_role("heading", name="100 Steinway St", level=2)).to_be_visible()
    expect(page.locator(".walk-door")).to_have_count(6)
    door(page, world, 2).get_by_role("button", name="Signed").click()
    expect(page.locator("#walk-queue")).to_have_text("Saved on this phone — 1 waiting to send")
    screenshot(page, "phone-walk-list-opened-offline")
    assert DoorResult.objects.count() == 0

    page.context.set_offline(False)
    expect(page.locator("#walk-progress")).to_contain_text("1 of 6 doors done", timeout=20_000)
    expect(page.locator("#walk-queue")).to_have_text("All results sent.")
    page.reload()
    expect(page.locator("#walk-progress")).to_contain_text("1 of 6 doors done")
    saved = DoorResult.objects.get()
    assert (saved.door_id, saved.result, saved.by_id) == (world.doors[2].pk, "signed", volunteer.pk)


def test_signing_out_removes_the_pieces_stored_on_the_phone(phone_page, volunteer_piece):
    volunteer, world = volunteer_piece
    page = phone_page
    sign_in(page, volunteer)
    store_pieces(page)
    assert stored_caches(page) == [f"organizer-pieces-u{volunteer.pk}"]

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    # Polled from here: wait_for_function's string predicate is refused by the page's CSP.
    for _ in range(100):
        if not page.evaluate("caches.keys()"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("caches.keys()") == []
    page.context.set_offline(True)
    with pytest.raises(PlaywrightError):
        page.goto(f"/hubs/pieces/{world.piece.pk}/")


def test_the_worker_is_served_with_its_scope_and_never_from_a_cache(client):
    response = client.get("/hubs/pieces/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/hubs/pieces/"
    # Every response of ours is no-store (organizer/middleware.py): a new worker is fetched at once.
    assert "no-store" in response["Cache-Control"]
    assert b"cache-pieces" in response.content


def test_a_double_tap_on_a_door_button_records_one_result(phone_page, volunteer_piece):
    volunteer, world = volunteer_piece
    page = phone_page
    sign_in(page, volunteer)
    page.goto(f"/hubs/pieces/{world.piece.pk}/")
    door(page, world, 3).get_by_role("button", name="Signed").dblclick()
    expect(door(page, world, 3).locator(".walk-badge")).to_have_text("Signed")
    expect(page.locator("#walk-queue")).to_have_text("All results sent.")
    page.reload()
    expect(page.locator("#walk-progress")).to_contain_text("1 of 6 doors done")
    assert DoorResult.objects.filter(door=world.doors[3]).count() == 1


def test_results_have_distinct_colours_by_meaning_and_say_it_in_words(phone_page, volunteer_piece):
    volunteer, world = volunteer_piece
    page = phone_page
    sign_in(page, volunteer)
    page.goto(f"/hubs/pieces/{world.piece.pk}/")
    taps = {0: "Signed", 1: "Talked", 2: "Not home", 3: "Come back later", 4: "Refused", 5: "Moved"}
    for index, label in taps.items():
        door(page, world, index).get_by_role("button", name=label).click()
        expect(door(page, world, index).locator(".walk-badge")).to_contain_text(label)
    expect(page.locator("#walk-progress")).to_contain_text("6 of 6 doors done")

    def colour(index: int, what: str) -> str:
        return door(page, world, index).evaluate(
            "(el, what) => what === 'edge' ? getComputedStyle(el).borderLeftColor"
            " : getComputedStyle(el.querySelector('.walk-badge')).backgroundColor",
            what,
        )

    for what in ("badge", "edge"):
        signed, talked, not_home, come_back, refused, moved = (colour(i, what) for i in range(6))
        assert not_home == come_back and refused == moved, what
        assert len({signed, talked, not_home, refused}) == 4, what
    not_home_button = door(page, world, 0).get_by_role("button", name="Not home")
    signed_button = door(page, world, 0).get_by_role("button", name="Signed")
    background = "el => getComputedStyle(el).backgroundColor"
    assert not_home_button.evaluate(background) != signed_button.evaluate(background)
    assert door(page, world, 2).locator(".walk-badge").inner_text() == "Not home"


# --- The whole loop on phones (390 px): captain and volunteer -------------------------------


def test_on_phones_a_captain_cuts_and_assigns_the_volunteer_walks_offline_and_the_rest_moves(
    phone_page, browser, live_server, captain_hub, screenshot
):
    hub, captain, volunteer = captain_hub
    page = phone_page
    sign_in(page, captain)
    page.goto(f"/hubs/{hub.slug}/")
    page.get_by_role("button", name="Cut turf").click()
    page.get_by_label("Turf name").fill("Steinway")
    page.get_by_label("ZIP codes").fill("11103")
    page.get_by_role("button", name="Preview count").click()
    expect(page.locator("#turf-count")).to_contain_text("6 doors")
    page.get_by_role("button", name="Save turf").click()
    page.get_by_label("Doors per piece (about)").fill("3")
    page.get_by_role("button", name="Split").click()
    page.locator(".piece").first.get_by_role("link", name="Assign").click()
    page.get_by_label("Assign to").select_option(label="Vic Vega")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".piece").first).to_contain_text("Vic Vega")
    screenshot(page, "phone-captain-assigned", full_page=True)
    piece = TurfPiece.objects.get(turf__name="Steinway", number=1)

    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    sign_in(phone, volunteer)
    expect(phone.locator("[data-offline-ready]")).to_have_attribute("data-offline-ready", "1")
    context.set_offline(True)  # the basement
    phone.get_by_role("link", name="Steinway · piece 1").click()
    doors = phone.locator(".walk-door")
    expect(doors).to_have_count(3)
    doors.nth(0).get_by_role("button", name="Talked").click()
    doors.nth(1).get_by_role("button", name="Not home").dblclick()
    expect(phone.locator("#walk-queue")).to_have_text("Saved on this phone — 2 waiting to send")
    screenshot(phone, "phone-volunteer-offline-taps", full_page=True)
    assert DoorResult.objects.count() == 0
    context.set_offline(False)
    expect(phone.locator("#walk-progress")).to_contain_text("2 of 3 doors done", timeout=20_000)
    assert sorted(DoorResult.objects.values_list("result", flat=True)) == ["not_home", "talked"]

    page.reload()
    first = page.locator(f"#piece-{piece.pk}")
    expect(first).to_contain_text("2 attempted")
    first.get_by_role("link", name="Move remaining doors").click()
    page.get_by_label("Cara Cap").check()
    page.get_by_role("button", name="Move remaining doors").click()
    expect(page.locator(".emptied-pieces")).to_contain_text("Piece 1")
    screenshot(page, "phone-captain-emptied-piece", full_page=True)

    phone.goto("/people/my-day/")
    expect(phone.get_by_role("heading", name="My day", level=1)).to_be_visible()
    expect(phone.get_by_text("Steinway · piece 1")).to_have_count(0)
    context.close()
