"""The API docs page in Chromium: Swagger UI, served from our static files, draws every
operation under the Content-Security-Policy, and "Try it out" answers with the signed-in
session's data."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_csp import LISTEN
from tests.browser.test_turf_cut_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_draws_the_api_and_tries_a_call_with_no_csp_violation(
    desktop_page, live_server, cast
):
    page = desktop_page
    page.add_init_script(LISTEN)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    sign_in_as(page, live_server, cast.organizer_a)
    response = page.goto("/api/v1/docs/")
    assert response.status == 200
    expect(page.get_by_text("Organizer API").first).to_be_visible()
    expect(page.get_by_label("Filter the operations by tag")).to_be_visible()
    operation = page.locator(".opblock-summary", has_text="/api/v1/hubs/").first
    expect(operation).to_be_visible()
    operation.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    body = page.locator(".live-responses-table").first
    expect(body).to_contain_text('"slug": "hub-a"')
    assert "hub-b" not in body.inner_text()  # the organizer's own hubs only
    assert refused + page.evaluate("window.__csp || []") == []
