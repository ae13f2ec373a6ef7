"""My day and the walk list on a phone, with and without JavaScript: one form per follow-up row
(Complete, snoozes, a picked date) and the reassign picker; the walk list's "Add note / new
person" form, cloned from the page's single copy with JavaScript, a link to it without."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from contacts.models import FollowUp
from hubs.models import DoorResult, HubRole
from tests.browser.conftest import PHONE
from tests.browser.test_log_journey import sign_in
from tests.factories import (
    ContactFactory,
    HubFactory,
    HubMemberFactory,
    HubRoleFactory,
    PhoneFactory,
    UserFactory,
)
from tests.hubs.test_walk import build_piece

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organizer(transactional_db):
    hub = HubFactory(name="Eastside", slug="eastside")
    user = UserFactory(email="rosa@example.org", name="Rosa Ortiz", role=Role.ORGANIZER)
    HubRoleFactory(hub=hub, user=user, role=HubRole.Role.ORGANIZER)
    for i in range(25):
        person = ContactFactory(owner=user, first_name=f"Pat{i}", last_name="Lee")
        HubMemberFactory(contact=person, hub=hub)
        if i < 4:
            PhoneFactory(contact=person, raw=f"212-555-{1000 + i}", e164=f"+1212555{1000 + i}")
            FollowUp.objects.create(
                contact=person, assigned_to=user, created_by=user, what=f"Task {i}",
                due_on=timezone.localdate() + dt.timedelta(days=i - 1),
            )  # fmt: skip
    return user, hub  # 25 people never contacted: more than My day lists


def test_my_day_rows_complete_snooze_and_reassign_with_javascript(
    phone_page, organizer, screenshot
):
    user, _hub = organizer
    page = phone_page
    sign_in(page, user)
    screenshot(page, "phone-actions-my-day", full_page=True)
    expect(
        page.get_by_role("link", name="See all my people not contacted in 30+ days")
    ).to_be_visible()
    row = page.locator("li.followup", has_text="Task 0")
    expect(row.locator(".overdue-tag")).to_have_text("Overdue")
    row.get_by_role("button", name="Complete").click()
    expect(page.get_by_text("Done: Task 0")).to_be_visible()
    expect(page.locator("li.followup", has_text="Task 0")).to_have_count(0)
    page.locator("li.followup", has_text="Task 1").get_by_role(
        "button", name="Snooze a week"
    ).click()
    expect(page.get_by_text("Moved to")).to_be_visible()
    row = page.locator("li.followup", has_text="Task 2")
    row.get_by_role("button", name="Reassign", exact=True).click()
    expect(row.get_by_role("button", name="Reassign follow-up")).to_be_visible()
    row.get_by_text("Pick a date").click()
    row.scroll_into_view_if_needed()
    screenshot(page, "phone-actions-my-day-open")
    page.goto("/people/my-day/")
    screenshot(page, "phone-actions-my-day-top")
    assert FollowUp.objects.get(what="Task 0").status == "done"
    assert FollowUp.objects.get(what="Task 1").due_on == timezone.localdate() + dt.timedelta(7)


def test_my_day_rows_work_as_plain_forms_without_javascript(browser, live_server, organizer):
    user, _hub = organizer
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE,
                                  java_script_enabled=False)  # fmt: skip
    page = context.new_page()
    sign_in(page, user)
    page.locator("li.followup", has_text="Task 0").get_by_role("button", name="Complete").click()
    expect(page.get_by_text("Done: Task 0")).to_be_visible()
    row = page.locator("li.followup", has_text="Task 2")
    row.get_by_text("Pick a date").click()
    row.get_by_label("Snooze until").fill((timezone.localdate() + dt.timedelta(5)).isoformat())
    row.get_by_role("button", name="Snooze to this date").click()
    expect(page.get_by_text("Moved to")).to_be_visible()
    page.locator("li.followup", has_text="Task 3").get_by_role(
        "button", name="Reassign", exact=True
    ).click()
    expect(page.get_by_role("button", name="Reassign follow-up")).to_be_visible()
    context.close()
    assert FollowUp.objects.get(what="Task 0").status == "done"
    assert FollowUp.objects.get(what="Task 2").due_on == timezone.localdate() + dt.timedelta(5)


@pytest.fixture
def volunteer_piece(transactional_db):
    hub = HubFactory(name="Astoria", slug="astoria")
    volunteer = UserFactory(email="vic@example.org", name="Vic Vega", role=Role.VOLUNTEER)
    HubRoleFactory(hub=hub, user=volunteer, role=HubRole.Role.VOLUNTEER)
    world = build_piece(hub, assigned_to=volunteer, doors=6, per_building=3, street="Steinway St")
    return volunteer, world


def test_a_door_note_form_opens_with_and_without_javascript(
    browser, phone_page, live_server, volunteer_piece, screenshot
):
    volunteer, world = volunteer_piece
    page = phone_page
    sign_in(page, volunteer)
    page.goto(f"/hubs/pieces/{world.piece.pk}/")
    door = page.locator(f"#door-{world.doors[0].pk}")
    door.get_by_role("button", name="Signed").click()
    expect(door.locator(".walk-badge")).to_have_text("Signed")
    expect(page.locator("#walk-progress")).to_contain_text("1 of 6 doors done")
    door = page.locator(f"#door-{world.doors[0].pk}")
    door.get_by_text("Add note / new person").click()
    expect(door.locator("select[name=result]")).to_have_value("signed")
    expect(door.get_by_label("Who answered")).to_be_visible()
    screenshot(page, "phone-actions-walk-note", full_page=False)
    door.get_by_label("Who answered").select_option(index=1)
    door.get_by_label("Note").fill("Came back")
    door.get_by_role("button", name="Save note").click()
    expect(door.locator(".walk-latest")).to_contain_text("Came back")
    assert DoorResult.objects.filter(note="Came back", contact__isnull=False).count() == 1
    page.goto(f"/hubs/pieces/{world.piece.pk}/")
    screenshot(page, "phone-actions-walk-list", full_page=True)

    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE,
                                  java_script_enabled=False)  # fmt: skip
    page = context.new_page()
    sign_in(page, volunteer)
    page.goto(f"/hubs/pieces/{world.piece.pk}/")
    door = page.locator(f"#door-{world.doors[2].pk}")
    door.get_by_role("button", name="Not home").click()
    door = page.locator(f"#door-{world.doors[2].pk}")
    expect(door.locator(".walk-badge")).to_have_text("Not home")
    door.get_by_text("Add note / new person").click()
    door.get_by_role("link", name="Open the note form").click()
    door = page.locator(f"#door-{world.doors[2].pk}")
    expect(door.locator("select[name=result]")).to_have_value("not_home")
    door.locator("select[name=result]").select_option("talked")
    door.get_by_label("Note").fill("Paper-free")
    door.get_by_label("First name").fill("Nia")
    screenshot(page, "phone-actions-walk-nojs-note", full_page=False)
    door.get_by_role("button", name="Save note").click()
    expect(page.locator(f"#door-{world.doors[2].pk} .walk-latest")).to_contain_text("Paper-free")
    context.close()
    assert DoorResult.objects.get(note="Paper-free").contact.first_name == "Nia"
