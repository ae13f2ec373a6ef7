"""The public "call your legislator" page on a phone (390 px), end to end: a supporter enters
a ZIP, sees their own senator and the governor with the script, taps to call, then "I called"
records the action (credited to the organizer whose link they used), and the campaign's
pressure-actions goal moves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from campaigns.models import (
    Campaign,
    District,
    DistrictZip,
    Goal,
    PressureAction,
    PressurePage,
    Target,
)
from campaigns.services.events import recruiter_code_for_user
from hubs.models import HubRole
from tests.browser.test_walk_journey import sign_in
from tests.factories import ContactFactory, HubFactory, HubRoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def call_world(transactional_db):
    hub = HubFactory(name="Bushwick", slug="bushwick")
    organizer = UserFactory(email="olga@example.org", name="Olga Ortiz", role=Role.ORGANIZER)
    HubRoleFactory(hub=hub, user=organizer, role=HubRole.Role.ORGANIZER)
    ContactFactory(first_name="Olga", last_name="Ortiz", user=organizer)
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Fund childcare",
        slug="fund-childcare",
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=25),
    )
    campaign.hubs.set([hub])
    Goal.objects.create(campaign=campaign, metric="pressure_actions", target=50)
    ours = District.objects.create(kind="state_senate", name="18")
    theirs = District.objects.create(kind="state_senate", name="17")
    DistrictZip.objects.create(zip_code="11237", district=ours)
    DistrictZip.objects.create(zip_code="11220", district=theirs)
    targets = [
        Target.objects.create(
            name="Kathy Hale", office="Governor", level="state", phone="(518) 555-0100"
        ),
        Target.objects.create(
            name="Julia Sanz",
            office="State Senator",
            level="state",
            district=ours,
            phone="(518) 555-0118",
            email="sanz@example.org",
        ),
        Target.objects.create(
            name="Andrew Gower",
            office="State Senator",
            level="state",
            district=theirs,
            phone="(518) 555-0117",
        ),
    ]
    for target in targets:
        target.campaigns.add(campaign)
    PressurePage.objects.create(
        campaign=campaign,
        ask="Tell Albany: fund childcare",
        script="Hi, I live in your district. Please fund free childcare this year.",
        email_subject="Fund childcare",
        email_body="Please fund free childcare.",
    )
    return organizer, campaign, targets


def test_a_supporter_calls_their_senator_and_the_goal_moves(phone_page, call_world, screenshot):
    organizer, campaign, (_governor, senator, _other) = call_world
    page = phone_page
    code = recruiter_code_for_user(user=organizer).code

    page.goto(f"/call/{campaign.slug}/?r={code}")
    expect(page.get_by_role("heading", name="Tell Albany: fund childcare", level=1)).to_be_visible()
    page.get_by_label("Your ZIP code or street address").fill("11237")
    page.get_by_role("button", name="Find my officials").click()

    expect(page.get_by_role("heading", name="State Senator Julia Sanz")).to_be_visible()
    expect(page.get_by_role("heading", name="Governor Kathy Hale")).to_be_visible()
    expect(page.get_by_text("Andrew Gower")).to_have_count(0)
    expect(page.get_by_text("Please fund free childcare this year.")).to_be_visible()
    call = page.get_by_role("button", name="Call (518) 555-0118")
    expect(call).to_have_attribute("href", "tel:+15185550118")
    expect(page.get_by_role("button", name="Write an email").first).to_have_attribute(
        "href",
        "mailto:sanz@example.org?subject=Fund%20childcare&body=Please%20fund%20free%20childcare.",
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "phone-call-targets")

    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Mobile phone").fill("(718) 555-0142")
    page.get_by_label("How did it go?").fill("Left a message with the aide")
    page.get_by_role("button", name="I called Julia Sanz").click()
    expect(page.get_by_text("Thank you! Your action is counted.")).to_be_visible()
    # the targets are still there for the next call
    expect(page.get_by_role("heading", name="Governor Kathy Hale")).to_be_visible()
    screenshot(page, "phone-call-done")

    action = PressureAction.objects.get()
    assert (action.target, action.kind) == (senator, "call")
    assert action.contact.first_name == "Rosa"
    assert action.recruited_by.user == organizer
    assert action.notes == "Left a message with the aide"

    sign_in(page, organizer)
    page.goto(f"/campaigns/{campaign.slug}/")
    expect(page.locator("#goal-pressure_actions [data-count]")).to_have_text("1")
