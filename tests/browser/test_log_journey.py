"""The organizer's core loop on a phone: log a one-on-one with a new person, find the follow-up
on My day, complete it. Plus: a half-typed log survives closing the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from contacts.models import Contact, FollowUp, Interaction
from hubs.models import HubRole
from tests.factories import PASSWORD, HubFactory, HubRoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organizer(transactional_db):
    hub = HubFactory(name="Eastside", slug="eastside")
    user = UserFactory(email="rosa@example.org", name="Rosa Ortiz", role=Role.ORGANIZER)
    HubRoleFactory(hub=hub, user=user, role=HubRole.Role.ORGANIZER)
    return user


def sign_in(page, user) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My day", level=1)).to_be_visible()


def test_an_organizer_logs_a_one_on_one_with_a_new_person_and_completes_the_follow_up(
    phone_page, organizer, screenshot
):
    page = phone_page
    sign_in(page, organizer)

    page.locator("a.log-action").click()
    expect(page.get_by_role("heading", name="Log a one-on-one", level=1)).to_be_visible()
    page.get_by_text("Add a new person").click()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Noor")
    page.get_by_label("Phone number", exact=True).fill("(212) 555-0142")
    page.get_by_label("Their story / notes").fill("Nurse on nights. Rent went up 20%.")
    page.get_by_label("2 · Supporter who takes action").check()
    page.get_by_role("button", name="Tomorrow", exact=True).click()
    page.get_by_label("Follow up about").fill("Ask Nia to host a potluck")
    screenshot(page, "phone-log-one-on-one", full_page=True)
    page.get_by_role("button", name="Save one-on-one").click()

    expect(page.get_by_role("heading", name="Nia Noor", level=1)).to_be_visible()
    expect(page.get_by_text("One-on-one with Nia Noor saved.")).to_be_visible()
    person = Contact.objects.get(first_name="Nia", last_name="Noor")
    assert person.owner == organizer and person.assessment == 2
    assert person.phones.get().e164 == "+12125550142"
    assert Interaction.objects.get(contact=person).notes == "Nurse on nights. Rent went up 20%."

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My day").click()
    upcoming = page.locator("section", has=page.locator("#upcoming-heading"))
    row = upcoming.locator("li", has_text="Ask Nia to host a potluck")
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name="Nia Noor")).to_be_visible()
    expect(row.get_by_role("link", name="Call (212) 555-0142")).to_have_attribute(
        "href", "tel:+12125550142"
    )
    screenshot(page, "phone-my-day-follow-up", full_page=True)
    row.get_by_role("button", name="Complete").click()

    expect(page.get_by_text("Done: Ask Nia to host a potluck")).to_be_visible()
    expect(page.locator("li", has_text="Ask Nia to host a potluck")).to_have_count(0)
    follow_up = FollowUp.objects.get(contact=person)
    assert follow_up.status == FollowUp.Status.DONE
    assert follow_up.completed_by == organizer


def test_a_half_typed_one_on_one_survives_closing_the_page(phone_page, organizer):
    page = phone_page
    sign_in(page, organizer)
    page.goto("/people/log/")
    page.get_by_label("Their story / notes").fill("Half a story")
    page.get_by_label("The ask").fill("Come Thursday?")

    page.goto("/people/my-day/")  # the page is left mid-way
    page.goto("/people/log/")

    expect(page.get_by_label("Their story / notes")).to_have_value("Half a story")
    expect(page.get_by_label("The ask")).to_have_value("Come Thursday?")

    page.get_by_text("Add a new person").click()
    page.get_by_label("First name").fill("Omar")
    page.get_by_role("button", name="Save one-on-one").click()
    expect(page.get_by_role("heading", name="Omar", level=1)).to_be_visible()
    assert Interaction.objects.get().notes == "Half a story"

    page.goto("/people/log/")  # once saved, the draft is gone
    expect(page.get_by_label("Their story / notes")).to_have_value("")


def test_back_then_save_again_saves_one_person_and_one_conversation(phone_page, organizer):
    page = phone_page
    sign_in(page, organizer)
    page.goto("/people/log/")
    page.get_by_text("Add a new person").click()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Noor")
    page.get_by_label("Phone number", exact=True).fill("(212) 555-0142")
    page.get_by_label("Their story / notes").fill("Nurse on nights.")
    page.get_by_role("button", name="Save one-on-one").click()
    expect(page.get_by_role("heading", name="Nia Noor", level=1)).to_be_visible()

    page.go_back()  # the browser refills the form (with a fresh token, without the phone)
    expect(page.get_by_role("heading", name="Log a one-on-one", level=1)).to_be_visible()
    page.get_by_role("button", name="Save one-on-one").click()

    expect(page.get_by_role("heading", name="Nia Noor", level=1)).to_be_visible()
    assert Contact.objects.filter(first_name="Nia", last_name="Noor").count() == 1
    assert Interaction.objects.count() == 1


def test_a_picked_person_stays_picked_through_a_new_search_and_a_restored_draft(
    phone_page, organizer
):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import ContactFactory

    ana = ContactFactory(first_name="Ana", last_name="Alvarez", owner=organizer)
    ContactFactory(first_name="Bo", last_name="Baker", owner=organizer)
    page = phone_page
    sign_in(page, organizer)
    page.goto("/people/log/")
    search = page.get_by_label("Find a person by name or phone")
    search.fill("alv")
    page.locator("#who-results").get_by_text("Ana Alvarez").click()
    chosen = page.locator("#who-chosen input[name=contact]")
    expect(chosen).to_be_checked()

    search.fill("bak")  # another search: Ana stays picked
    expect(page.locator("#who-results").get_by_text("Bo Baker")).to_be_visible()
    expect(chosen).to_be_checked()
    page.get_by_label("Their story / notes").fill("Wants a tenants' meeting")

    page.goto("/people/my-day/")  # leave; the draft (with the stale search) comes back
    page.goto("/people/log/")
    expect(page.locator("#who-results").get_by_text("Bo Baker")).to_be_visible()
    expect(page.locator("#who-chosen").get_by_text("Ana Alvarez")).to_be_visible()
    expect(chosen).to_be_checked()
    page.get_by_role("button", name="In 3 days").click()
    in_3_days = timezone.localdate() + dt.timedelta(days=3)
    expect(page.get_by_label("Follow up on")).to_have_value(in_3_days.isoformat())
    page.get_by_role("button", name="Save one-on-one").click()

    expect(page.get_by_role("heading", name="Ana Alvarez", level=1)).to_be_visible()
    interaction = Interaction.objects.get()
    assert interaction.contact == ana and interaction.notes == "Wants a tenants' meeting"
    assert FollowUp.objects.get().due_on == in_3_days
