"""Events on a phone, end to end: a person opens an organizer's recruiter link and RSVPs; the
organizer signs them in at the door with the network cut for part of it; the campaign's
attendance goal moves; the first-timer follow-up lands on an organizer's My day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from campaigns.models import Campaign, Event, Goal, Rsvp
from campaigns.services.events import recruiter_code_for_user
from hubs.models import HubRole
from tests.browser.test_walk_journey import sign_in
from tests.factories import HubFactory, HubRoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    hub = HubFactory(name="Bushwick", slug="bushwick")
    organizer = UserFactory(email="olga@example.org", name="Olga Ortiz", role=Role.ORGANIZER)
    HubRoleFactory(hub=hub, user=organizer, role=HubRole.Role.ORGANIZER)
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Our Time",
        slug="our-time",
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=25),
    )
    campaign.hubs.set([hub])
    Goal.objects.create(campaign=campaign, metric="attendance", target=30)
    start = timezone.now() + dt.timedelta(minutes=30)
    event = Event.objects.create(
        title="Childcare potluck",
        kind=Event.Kind.POTLUCK,
        hub=hub,
        campaign=campaign,
        organizer=organizer,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        place="Maria Hernandez Park",
    )
    code = recruiter_code_for_user(user=organizer)
    return organizer, campaign, event, code


def test_recruiter_link_rsvp_offline_sign_in_goal_and_follow_up(phone_page, world, screenshot):
    organizer, campaign, event, code = world
    page = phone_page

    page.goto(f"/e/{event.pk}/?r={code.code}")
    expect(page.get_by_role("heading", name="Childcare potluck", level=1)).to_be_visible()
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Luna")
    page.get_by_label("Mobile phone").fill("(718) 555-0142")
    page.get_by_label("Yes, text me about this event").check()
    screenshot(page, "phone-event-rsvp")
    page.get_by_role("button", name="Sign me up").click()
    expect(page.get_by_text("You're signed up. Thank you!")).to_be_visible()
    rsvp = Rsvp.objects.get(event=event)
    assert rsvp.recruited_by.user == organizer
    assert rsvp.sms_consent

    sign_in(page, organizer)
    page.goto(f"/campaigns/events/{event.pk}/kiosk/")
    page.get_by_label("Find by name or phone").fill("0142")
    row = page.locator(f"#rsvp-{rsvp.pk}")
    expect(row).to_be_visible()
    page.context.set_offline(True)
    row.get_by_role("button", name="Sign in Rosa Luna").click()
    expect(page.locator("#kiosk-queue")).to_have_text("Saved on this device — 1 waiting to send")
    expect(row.get_by_text("Signed in")).to_be_visible()
    screenshot(page, "phone-kiosk-offline")
    rsvp.refresh_from_db()
    assert rsvp.attended_at is None
    page.context.set_offline(False)
    expect(page.locator("#kiosk-queue")).to_have_text("All sign-ins sent.")
    rsvp.refresh_from_db()
    assert rsvp.attended_at is not None and rsvp.first_time

    page.goto(f"/campaigns/{campaign.slug}/")
    expect(page.locator("#goal-attendance [data-count]")).to_have_text("1")

    page.goto(f"/campaigns/events/{event.pk}/")
    page.get_by_role("button", name="Create follow-ups for first-timers").click()
    expect(page.get_by_text("1 follow-up created for first-timers.")).to_be_visible()
    page.goto("/people/my-day/")
    expect(page.get_by_text("First time at Childcare potluck")).to_be_visible()
    screenshot(page, "phone-my-day-first-timer")
