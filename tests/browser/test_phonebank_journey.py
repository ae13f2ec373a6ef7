"""A phone bank on a phone, end to end: a volunteer caller opens their call list, works three
people one at a time (one asks not to be called again), and the campaign's call goal moves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from campaigns.models import CallTarget, Campaign, Goal
from campaigns.services.calls import QuestionInput, call_list_create
from contacts.models import Contact
from hubs.models import HubRole
from tests.browser.test_walk_journey import sign_in
from tests.factories import (
    ContactFactory,
    HubFactory,
    HubMemberFactory,
    HubRoleFactory,
    PhoneFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    hub = HubFactory(name="Bushwick", slug="bushwick")
    staff = UserFactory(email="sam@example.org", name="Sam Staff", role=Role.STAFF)
    organizer = UserFactory(email="olga@example.org", name="Olga Ortiz", role=Role.ORGANIZER)
    volunteer = UserFactory(email="vic@example.org", name="Vic Vega", role=Role.VOLUNTEER)
    HubRoleFactory(hub=hub, user=organizer, role=HubRole.Role.ORGANIZER)
    HubRoleFactory(hub=hub, user=volunteer, role=HubRole.Role.VOLUNTEER)
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Childcare for all",
        slug="childcare",
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=25),
    )
    campaign.hubs.set([hub])
    Goal.objects.create(campaign=campaign, metric="calls_made", target=300)
    for n, (first, last) in enumerate([("Rosa", "Luna"), ("Tom", "Reyes"), ("Ana", "Diaz")]):
        person = ContactFactory(first_name=first, last_name=last)
        HubMemberFactory(contact=person, hub=hub)
        PhoneFactory(contact=person, raw=f"(718) 555-01{n:02d}", e164=f"+1718555010{n}")
    call_list = call_list_create(
        by=staff,
        campaign=campaign,
        hub=hub,
        name="Potluck invitations",
        kind="call",
        script="Hi {first_name}, this is {caller} with the Bushwick hub. Can you come Saturday?",
        source="people",
        questions=[QuestionInput(text="Coming Saturday?", kind="single", choices=("Yes", "No"))],
        callers=[volunteer],
    )
    return organizer, volunteer, campaign, call_list


def test_a_caller_works_three_people_and_the_call_goal_moves(phone_page, world, screenshot):
    organizer, volunteer, campaign, call_list = world
    page = phone_page
    sign_in(page, volunteer)
    page.goto("/campaigns/calls/")
    page.get_by_role("button", name="Start calling").click()

    seen = []
    for step in ("talked", "no_answer", "do_not_call"):
        name = page.locator("h1[data-person]")
        expect(name).to_be_visible()
        seen.append(name.inner_text())
        expect(page.locator("a.call-now")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if step == "talked":
            screenshot(page, "phone-phonebank-caller")
            page.get_by_label("Yes").check()
            page.get_by_role("button", name="Talked").click()
        elif step == "no_answer":
            page.get_by_role("button", name="No answer").click()
        else:
            page.get_by_role("button", name="Do not call").click()
        expect(page.get_by_text("Saved.")).to_be_visible()

    expect(page.get_by_text("Nobody is left to call on this list")).to_be_visible()
    assert len(set(seen)) == 3
    assert CallTarget.objects.filter(call_list=call_list).exclude(result="").count() == 3
    do_not_call = CallTarget.objects.get(result="do_not_call").contact_id
    assert Contact.objects.get(pk=do_not_call).do_not_call
    assert list(call_list.questions.get().answers.values_list("choices", flat=True)) == [["Yes"]]

    page.context.clear_cookies()
    sign_in(page, organizer)
    page.goto(f"/campaigns/{campaign.slug}/")
    expect(page.locator("#goal-calls_made [data-count]")).to_have_text("3")
    screenshot(page, "phone-phonebank-goal")
