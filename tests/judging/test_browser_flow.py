"""In Chromium, on the demo programme: a judge scores an entry of the blind semi-final in English
(autosave, a saved draft, then submission); the organiser confirms who advances; the entrant of
the advancing showcase project sees it is a finalist. Screenshots on a phone and a desktop."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, SCREENSHOT_DIR

# Its own server: confirming the semi-final's advancement changes who the demo's finalists are.
pytestmark = [pytest.mark.browser, pytest.mark.daphne_server("judging")]

CONTEST = "haicheng-innovation-contest-2026"
SHOWCASE_TITLE = "CRISPR precision gene-editing therapy platform"


# Module scope: Playwright's sync API runs an asyncio loop while it is open, and the database
# tests in this folder must not run under it.
@pytest.fixture(scope="module")
def chromium() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(chromium, viewport: dict):
    context = chromium.new_context(locale="en-GB", viewport=viewport)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator('main form[action^="/accounts/login/"]')
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/dashboard/")


def test_judge_scores_organiser_advances_entrant_sees_the_new_status(chromium, daphne_server):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    base = daphne_server.base_url

    # A judge on a phone: the semi-final list, then the first entry still to score.
    context, judge = new_page(chromium, PHONE)
    sign_in(judge, base, "judge1@haizhi.example")
    judge.goto(f"{base}/events/{CONTEST}/judging/rounds/2/")
    expect(judge.locator("h1")).to_contain_text("Semi-final")
    to_score = judge.locator("li.list-group-item", has_text="To score").first
    to_score.locator("a").click()
    expect(judge.locator("#card-title")).to_contain_text("Your scorecard")
    expect(judge.locator("main")).to_contain_text("This round is blind")
    judge.screenshot(path=SCREENSHOT_DIR / "40-judging-scorecard-phone-en.png", full_page=True)

    judge.get_by_label("Innovation (30 %)").fill("8")
    expect(judge.locator("#autosave-status")).to_contain_text("Draft saved at")  # htmx autosave
    judge.get_by_label("Technical maturity (25 %)").fill("11")
    expect(judge.locator("#autosave-status")).to_contain_text("Enter a score from 0 to 10.")
    judge.get_by_label("Technical maturity (25 %)").fill("7.5")
    judge.get_by_role("button", name="Save draft").click()
    expect(judge.locator(".alert-success")).to_contain_text("Your draft is saved.")
    expect(judge.get_by_label("Innovation (30 %)")).to_have_value("8")
    expect(judge.get_by_label("Technical maturity (25 %)")).to_have_value("7.5")

    judge.get_by_role("button", name="Submit scorecard").click()
    expect(judge.locator(".invalid-feedback").first).to_contain_text("before submitting")
    for label, value in (("Market (20 %)", "6"), ("Team (15 %)", "7"), ("Landing plan (10 %)", "5.5")):
        judge.get_by_label(label).fill(value)
    judge.get_by_label("Feedback to the entrant (optional)").fill("A clear plan; name your pilot customers.")
    judge.get_by_role("button", name="Submit scorecard").click()
    judge.wait_for_url(re.compile(r".*/judging/rounds/2/$"))
    expect(judge.locator(".alert-success")).to_contain_text("Your card is submitted. Thank you.")
    context.close()

    # The organiser confirms the advancement of the semi-final (top one per track become finalists).
    context, organiser = new_page(chromium, DESKTOP)
    sign_in(organiser, base, "organiser@haizhi.example")
    organiser.goto(f"{base}/events/{CONTEST}/judging/manage/rounds/2/advancement/")
    showcase_row = organiser.locator("#preview tbody tr", has_text=SHOWCASE_TITLE)
    expect(showcase_row).to_contain_text("yes")
    organiser.screenshot(path=SCREENSHOT_DIR / "41-judging-advancement-preview-en.png", full_page=True)
    organiser.get_by_role("button", name="Confirm advancement").click()
    expect(organiser.locator(".alert-success").first).to_contain_text("Advancement confirmed:")
    expect(organiser.locator("#outcomes tbody tr", has_text=SHOWCASE_TITLE)).to_contain_text("yes")
    context.close()

    # The entrant sees the new status on their dashboard.
    context, entrant = new_page(chromium, DESKTOP)
    sign_in(entrant, base, "entrant2@haizhi.example")
    expect(entrant.locator("main")).to_contain_text(f"{SHOWCASE_TITLE} · Finalist")
    context.close()
