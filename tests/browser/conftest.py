"""Browser fixtures: Debian's Chromium driven by Playwright against a real daphne server."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e_server import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# Package scope, not session: Playwright's sync API keeps an asyncio loop running while it is
# open, and Django refuses ORM calls from tests in other folders while a loop is running.
@pytest.fixture(scope="package")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_page(browser, viewport: dict) -> Iterator:
    # An English browser: the site's default is Chinese, so the switch to Chinese is a real change.
    context = browser.new_context(locale="en-GB", viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser) -> Iterator:
    yield from _new_page(browser, DESKTOP)


@pytest.fixture
def phone_page(browser) -> Iterator:
    yield from _new_page(browser, PHONE)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
