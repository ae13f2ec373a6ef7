"""On a phone, an organizer makes an API token (the key is shown once, in a field to copy),
uses it, and revokes it."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.test_journey import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organizer_makes_uses_and_revokes_a_token_on_a_phone(
    phone_page, live_server, screenshot
):
    organizer = UserFactory(email="org@example.org", role=Role.ORGANIZER)
    page = phone_page
    sign_in(page, organizer)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    page.get_by_label("Token name").fill("Parsons sync")
    page.get_by_role("button", name="Make token").click()
    key_field = page.get_by_label("Token", exact=True)
    expect(key_field).to_be_visible()
    key = key_field.input_value()
    assert key.startswith("org_")
    screenshot(page, "phone-api-token-made")
    api = f"{live_server.url}/api/v2/people"
    assert requests.get(api, headers={"OSDI-API-Token": key}, timeout=10).status_code == 200

    page.reload()
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)  # shown once
    page.get_by_role("button", name="Revoke token Parsons sync").click()
    page.get_by_role("button", name="Revoke this token").click()
    expect(page.get_by_role("status")).to_contain_text("Parsons sync” revoked")
    expect(page.get_by_text("Revoked", exact=False).last).to_be_visible()
    assert requests.get(api, headers={"OSDI-API-Token": key}, timeout=10).status_code == 401
