"""The People list in Chromium: what is exported is what is shown."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.conftest import login
from tests.factories import ContactFactory, HubMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page, live_server, user) -> None:
    client = login(Client(), user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_export_after_typing_a_search_downloads_only_the_rows_shown(
    desktop_page, live_server, cast
):
    for name in ("Zoe", "Yan", "Xi"):
        HubMemberFactory(contact=ContactFactory(first_name=name, last_name="Other"), hub=cast.hub_a)
    page = desktop_page
    sign_in_as(page, live_server, cast.organizer_a)
    page.goto("/people/")
    expect(page.get_by_text("4 people", exact=True)).to_be_visible()

    page.get_by_label("Search by name, phone or email").fill("alvarez")  # htmx, no submit
    expect(page.get_by_text("1 person", exact=True)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export this list (CSV)").click()

    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert [r["last_name"] for r in csv.DictReader(io.StringIO(body))] == ["Alvarez"]


@pytest.mark.parametrize("where", ["my_day", "person"])
def test_coming_back_from_a_call_offers_a_one_tap_outcome_that_logs_it(
    phone_page, live_server, cast, where
):
    from django.utils import timezone

    from contacts.models import FollowUp, Interaction
    from tests.factories import PhoneFactory

    PhoneFactory(contact=cast.person_a, e164="+12125550142")
    FollowUp.objects.create(
        contact=cast.person_a, assigned_to=cast.organizer_a, due_on=timezone.localdate(),
        what="Call Ana", created_by=cast.organizer_a,
    )  # fmt: skip
    page = phone_page
    sign_in_as(page, live_server, cast.organizer_a)
    if where == "my_day":
        page.goto("/people/my-day/")
        call = page.get_by_role("link", name="Call (212) 555-0142")
    else:
        page.goto(f"/people/{cast.person_a.pk}/")
        call = page.get_by_role("link", name="(212) 555-0142")
    # No dialer in a test browser: the tap is seen by the page, the tel: navigation is dropped.
    page.evaluate(
        """document.addEventListener('click', (e) => {
             if (e.target.closest('a[href^="tel:"]')) e.preventDefault();
           }, true)"""
    )
    call.click()

    offer = page.locator("form.call-outcome")
    expect(offer).to_contain_text("How did the call with Ana Alvarez go?")
    offer.get_by_role("button", name="No answer").click()

    expect(page.get_by_text("Call with Ana Alvarez logged: No answer")).to_be_visible()
    call_row = Interaction.objects.get()
    assert (call_row.kind, call_row.outcome) == ("call", "no_answer")
    expect(page.locator("form.call-outcome")).to_have_count(0)  # asked once


def test_a_captain_ticks_people_and_tags_them_on_a_phone(phone_page, live_server, cast):
    from contacts.models import Contact

    zoe = ContactFactory(first_name="Zoe", last_name="Other")
    HubMemberFactory(contact=zoe, hub=cast.hub_a)
    page = phone_page
    sign_in_as(page, live_server, cast.captain_a)
    page.goto("/people/")
    page.get_by_text("Act on several people").click()
    for person in (cast.person_a, zoe):
        page.locator(f"input[name=ids][value='{person.pk}']").check()
    page.get_by_label("Tag to add").fill("phone bank")
    page.get_by_role("button", name="Tag them").click()

    expect(page.get_by_text("Tag them: 2 of 2 people changed")).to_be_visible()
    tagged = Contact.objects.filter(tags__name="phone bank").values_list("pk", flat=True)
    assert set(tagged) == {cast.person_a.pk, zoe.pk}
