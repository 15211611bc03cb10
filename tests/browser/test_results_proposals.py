"""After a round's results, the organiser proposes docking meetings, gives one a time, sends it,
and the investor finds the invitation in "My docking". Screenshots in English."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.test_docking_flow import EVENT, new_page, sign_in

pytestmark = pytest.mark.browser

ORGANISER = "organiser@haizhi.example"
INVESTOR = "investor@haizhi.example"
INVESTOR_NAME = "Lin Jiayi"


@pytest.fixture
def pages(browser):
    contexts, opened = [], []
    for _ in range(2):
        context, page = new_page(browser)
        contexts.append(context)
        opened.append(page)
    yield opened
    for context in contexts:
        context.close()


def test_organiser_sends_a_proposed_meeting_and_the_investor_sees_it(pages, daphne_server, screenshot_dir):
    base = daphne_server.base_url
    organiser, investor = pages
    sign_in(organiser, base, ORGANISER)
    sign_in(investor, base, INVESTOR)

    # From the released results of the preliminary round to its proposals page.
    organiser.goto(f"{base}/events/{EVENT}/judging/manage/rounds/1/results/")
    organiser.get_by_role("link", name="Propose docking meetings").click()
    organiser.wait_for_url("**/docking/rounds/1/proposals/")
    organiser.locator("#generate button[type=submit]").click()
    expect(organiser.locator("body")).to_contain_text("meetings proposed")

    row = (
        organiser.locator("#proposals tbody tr")
        .filter(has=organiser.locator("option[selected]", has_text=INVESTOR_NAME))
        .first
    )
    row_id = row.get_attribute("id")
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=21), dt.time(15, 0))
    row.locator("input[name$='-starts_at']").fill(start.strftime("%Y-%m-%dT%H:%M"))
    row.locator("input[name$='-ends_at']").fill((start + dt.timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M"))
    row.get_by_role("button", name="Save").click()
    organiser.wait_for_url("**/docking/rounds/1/proposals/")
    sent_row = organiser.locator(f"#{row_id}")
    organiser.screenshot(path=screenshot_dir / "80-meeting-proposals-en.png", full_page=True)
    sent_row.get_by_role("button", name="Send").click()
    expect(organiser.locator(f"#{row_id}")).to_contain_text("Sent")
    request_link = organiser.locator(f"#{row_id} a[href*='/docking/requests/']").get_attribute("href")

    # The investor sees the invitation among the requests received.
    investor.goto(f"{base}/events/{EVENT}/docking/mine/")
    invitation = investor.locator(f"a[href='{request_link}']").first
    expect(invitation).to_be_visible()
    investor.screenshot(path=screenshot_dir / "81-investor-invitation-en.png", full_page=True)
    invitation.click()
    expect(investor.locator("#request-status")).to_have_text("Waiting for an answer")
