"""Real Chromium for journey tests, driven by Playwright's sync API.

Uses the system Chromium (``apt-get install chromium``) because Playwright's own browser
download is not available everywhere. Without it the browser tests are skipped locally, but
in CI (``CI`` set) a missing browser is a failure, never a silent skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM would otherwise
# refuse to run in the test body ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = (
            f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _page(browser, live_server, **context_options) -> Iterator:
    context = browser.new_context(base_url=live_server.url, locale="en-US", **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A 390 px wide touch phone (iPhone 12-14 size)."""
    yield from _page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def desktop_page(browser, live_server):
    yield from _page(browser, live_server, viewport=DESKTOP)


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves a PNG of the viewport to test-artifacts/ (gitignored)."""

    def save(page, name: str, *, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save
