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
    expect(page.get_by_text("4 people")).to_be_visible()

    page.get_by_label("Search by name, phone or email").fill("alvarez")  # htmx, no submit
    expect(page.get_by_text("1 person", exact=True)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export this list (CSV)").click()

    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert [r["last_name"] for r in csv.DictReader(io.StringIO(body))] == ["Alvarez"]
