"""A campaign on a phone, end to end: a supporter signs on the public page through an
organizer's recruiter link and the campaign's signature goal moves; a volunteer taps "Signed"
at a door of the campaign's turf and it moves again; the same volunteer works three people
from a call list (one asks not to be called again) and the call goal moves. A paper sheet is
typed without the mouse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from campaigns.models import CallTarget, Campaign, Goal, Petition, Signature
from campaigns.services.calls import QuestionInput, call_list_create
from campaigns.services.events import recruiter_code_for_user
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
from tests.hubs.test_walk import build_piece

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    hub = HubFactory(name="Bushwick", slug="bushwick")
    organizer = UserFactory(email="olga@example.org", name="Olga Ortiz", role=Role.ORGANIZER)
    volunteer = UserFactory(email="vic@example.org", name="Vic Vega", role=Role.VOLUNTEER)
    HubRoleFactory(hub=hub, user=organizer, role=HubRole.Role.ORGANIZER)
    HubRoleFactory(hub=hub, user=volunteer, role=HubRole.Role.VOLUNTEER)
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Fix the heat",
        slug="fix-the-heat",
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=25),
    )
    campaign.hubs.set([hub])
    walk = build_piece(hub, assigned_to=volunteer, doors=2, street="Knickerbocker Ave")
    campaign.turfs.set([walk.piece.turf])
    Goal.objects.create(campaign=campaign, metric="signatures", target=500)
    Goal.objects.create(campaign=campaign, metric="calls_made", target=300)
    petition = Petition.objects.create(
        campaign=campaign,
        title="Heat for every apartment",
        text="We ask the landlord to fix the boilers before winter.",
        target_name="Acme Realty",
        goal=500,
    )
    for n, (first, last) in enumerate([("Tom", "Reyes"), ("Ana", "Diaz"), ("Lu", "Chen")]):
        person = ContactFactory(first_name=first, last_name=last)
        HubMemberFactory(contact=person, hub=hub)
        PhoneFactory(contact=person, raw=f"(718) 555-02{n:02d}", e164=f"+1718555020{n}")
    call_list_create(
        by=UserFactory(email="sam@example.org", name="Sam Staff", role=Role.STAFF),
        campaign=campaign,
        hub=hub,
        name="Boiler meeting invitations",
        kind="call",
        script="Hi {first_name}, this is {caller} with the Bushwick hub. Can you come Saturday?",
        source="people",
        questions=[QuestionInput(text="Coming Saturday?", kind="single", choices=("Yes", "No"))],
        callers=[volunteer],
    )
    return organizer, volunteer, campaign, petition, walk


def test_signatures_online_and_at_the_door_and_calls_move_the_goals(phone_page, world, screenshot):
    organizer, volunteer, campaign, petition, walk = world
    page = phone_page
    code = recruiter_code_for_user(user=organizer)

    page.goto(f"/p/{petition.pk}/?r={code.code}")
    expect(page.get_by_role("heading", name="Heat for every apartment", level=1)).to_be_visible()
    expect(page.locator("#petition-count strong")).to_have_text("0")
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Luna")
    page.get_by_label("Mobile phone").fill("(718) 555-0142")
    page.get_by_label("ZIP code").fill("11237")
    page.get_by_label("Yes, keep me posted").check()
    screenshot(page, "phone-petition-sign")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_text("Thank you for signing!")).to_be_visible()
    expect(page.locator("#petition-count strong")).to_have_text("1")
    signature = Signature.objects.get()
    assert signature.recruited_by.user == organizer
    assert signature.consent_at is not None

    sign_in(page, organizer)
    page.goto(f"/campaigns/{campaign.slug}/")
    expect(page.locator("#goal-signatures [data-count]")).to_have_text("1")

    page.context.clear_cookies()
    sign_in(page, volunteer)
    page.goto(f"/hubs/pieces/{walk.piece.pk}/")
    page.locator(f"#door-{walk.doors[0].pk}").get_by_role("button", name="Signed").click()
    expect(page.locator(f"#door-{walk.doors[0].pk} .walk-badge")).to_have_text("Signed")

    # The same volunteer calls through the hub's list: one person at a time.
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
    assert CallTarget.objects.exclude(result="").count() == 3
    assert Contact.objects.get(
        pk=CallTarget.objects.get(result="do_not_call").contact_id
    ).do_not_call

    page.context.clear_cookies()
    sign_in(page, organizer)
    page.goto(f"/campaigns/{campaign.slug}/")
    expect(page.locator("#goal-signatures [data-count]")).to_have_text("2")
    expect(page.locator("#goal-calls_made [data-count]")).to_have_text("3")
    screenshot(page, "phone-campaign-goals")
    assert Signature.objects.filter(source="door").count() == 1


def test_a_paper_sheet_is_typed_with_the_keyboard_only(desktop_page, world, screenshot):
    organizer, _volunteer, _campaign, petition, _walk = world
    page = desktop_page
    sign_in(page, organizer)
    page.goto(f"/campaigns/petitions/{petition.pk}/paper/")
    page.get_by_label("Name").first.focus()
    lines = [
        ("Ana Alvarez", "1 Elm St", "11237", "718 555 0100", ""),
        ("Bo Baker", "2 Elm St", "11237", "", "bo@example.org"),
    ]
    for line in lines:
        for value in line:
            page.keyboard.type(value)
            page.keyboard.press("Enter")
    # Enter on the last field of a line moves to the next line (adding one past the tenth).
    expect(page.locator("[data-paper-row]")).to_have_count(10)
    for _ in range(8 * 5 - 1):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("[data-paper-row]")).to_have_count(11)
    expect(page.locator("#id_row-10-name")).to_be_focused()
    page.get_by_role("button", name="Check the sheet").click()
    expect(page.get_by_text("new person")).to_have_count(2)
    screenshot(page, "desktop-paper-sheet-preview")
    page.get_by_role("button", name="Save the sheet").click()
    expect(page.get_by_text("2 signatures saved (2 new).")).to_be_visible()
    assert set(Signature.objects.values_list("source", "collected_by")) == {("paper", organizer.pk)}
