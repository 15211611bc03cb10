"""From a roadshow pitch to a company in the ledger, through the pages people use, and the
programme dashboard's counts follow.

An enterprise marks interest while a project pitches in a room, asks its team for a meeting,
the talent accepts a time; the organiser records a signed deal and a landed company, moves the
company red → yellow and records an inspection. The test opens its own room, so the demo room's
agenda stays as the other browser tests expect it. Screenshots in English and Chinese.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from landing.validators import credit_code_complete

pytestmark = pytest.mark.browser

EVENT = "haicheng-innovation-contest-2026"
ROOM = "docking-flow-roadshow"
ORGANISER = "organiser@haizhi.example"
ENTERPRISE = "enterprise@haizhi.example"
TALENT = "entrant4@haizhi.example"  # owns the submitted surgical-robot project, no company yet
PROJECT = "Minimally invasive surgical robot"
CREDIT_CODE = credit_code_complete("91330200MAPW0417")


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator('main form[action^="/accounts/login/"]')
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/dashboard/")


def new_page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context, context.new_page()


def figures(page, base_url: str) -> dict[str, int]:
    page.goto(f"{base_url}/events/{EVENT}/insights/")
    return {
        name: int(page.locator(f"#figure-{name}").inner_text())
        for name in ("registered", "signed-deals", "landed", "red", "yellow", "blue")
    }


def select_option_containing(page, selector: str, text: str) -> None:
    value = page.locator(f"{selector} option", has_text=text).first.get_attribute("value")
    page.select_option(selector, value)


@pytest.fixture
def people(browser):
    pages = {}
    contexts = []
    for key in ("organiser", "enterprise", "talent"):
        context, page = new_page(browser)
        contexts.append(context)
        pages[key] = page
    yield pages
    for context in contexts:
        context.close()


def test_interest_to_meeting_to_deal_to_ledger_moves_the_dashboard(people, daphne_server, screenshot_dir):
    base = daphne_server.base_url
    organiser, enterprise, talent = people["organiser"], people["enterprise"], people["talent"]
    sign_in(organiser, base, ORGANISER)
    sign_in(enterprise, base, ENTERPRISE)
    sign_in(talent, base, TALENT)
    before = figures(organiser, base)
    organiser.screenshot(path=screenshot_dir / "70-dashboard-before-en.png", full_page=True)

    # The organiser opens a room with the talent's project on its agenda and starts the pitch.
    organiser.goto(f"{base}/rooms/new/{EVENT}/")
    form = organiser.locator("#room-form")
    form.locator("[name=title_zh]").fill("对接流程路演")
    form.locator("[name=title_en]").fill("Docking flow roadshow")
    form.locator("[name=slug]").fill(ROOM)
    form.locator("[name=hls_url]").fill("https://video.example.org/live/docking-flow.m3u8")
    form.locator("button[type=submit]").click()
    organiser.wait_for_url(f"**/rooms/{ROOM}/agenda/")
    select_option_containing(organiser, "select[name='agenda-0-entry']", PROJECT)
    organiser.locator("#agenda-form button[type=submit]").first.click()
    organiser.wait_for_url(f"**/rooms/{ROOM}/agenda/")
    organiser.goto(f"{base}/rooms/{ROOM}/console/")
    expect(organiser.locator("#room-connection")).to_have_text("Connected")
    organiser.locator('[data-console="room.go_live"]').click()
    organiser.get_by_role("button", name="Next pitch").click()
    expect(organiser.locator("#presenting-title")).to_contain_text(PROJECT)

    # The enterprise watches and marks interest: a lead for docking.
    enterprise.goto(f"{base}/rooms/{ROOM}/")
    expect(enterprise.locator("#presenting-title")).to_contain_text(PROJECT)
    interest = enterprise.locator("#interest-button")
    interest.click()
    expect(interest).to_be_disabled()
    enterprise.screenshot(path=screenshot_dir / "71-room-interest-en.png", full_page=True)

    # ... and asks the project's team for a meeting, proposing a time next week.
    enterprise.goto(f"{base}/events/{EVENT}/docking/mine/")
    followed = enterprise.locator("li", has_text=PROJECT)
    followed.get_by_role("link", name="Request a meeting").click()
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(10, 0))
    enterprise.locator("[name=slot1_start]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    enterprise.locator("[name=slot1_end]").fill((start + dt.timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"))
    enterprise.locator("[name=message]").fill("We would like to pilot the robot in our hospital network.")
    enterprise.get_by_role("button", name="Send the request").click()
    expect(enterprise.locator("#request-status")).to_have_text("Waiting for an answer")

    # The talent accepts the proposed time.
    talent.goto(f"{base}/events/{EVENT}/docking/mine/")
    talent.locator("tr", has_text=PROJECT).get_by_role("link", name=PROJECT).first.click()
    talent.locator("input[name='accept-slot']").first.check()
    talent.locator("[name='accept-online_url']").fill("https://meet.example.org/robot-pilot")
    talent.get_by_role("button", name="Accept", exact=True).click()
    expect(talent.locator("#request-status")).to_have_text("Accepted")
    talent.screenshot(path=screenshot_dir / "72-meeting-accepted-en.png", full_page=True)

    # The organiser records the signed deal ...
    organiser.goto(f"{base}/events/{EVENT}/docking/deals/new/")
    select_option_containing(organiser, "select[name=entry]", PROJECT)
    select_option_containing(organiser, "select[name=enterprise]", "Blue Sea")
    organiser.select_option("select[name=kind]", "cooperation")
    organiser.select_option("select[name=stage]", "signed")
    organiser.locator("[name=amount_cny]").fill("6000000")
    organiser.locator("[name=signed_on]").fill(dt.date.today().isoformat())
    organiser.locator("main form button[type=submit]").first.click()
    expect(organiser.locator("main")).to_contain_text("¥6,000,000")

    # ... and the company that landed, red at first; then it moves to yellow after an inspection.
    organiser.goto(f"{base}/events/{EVENT}/ledger/companies/new/")
    organiser.locator("[name=name_zh]").fill("海城微创手术机器人有限公司")
    organiser.locator("[name=name_en]").fill("Haicheng Surgical Robotics Co., Ltd.")
    organiser.locator("[name=credit_code]").fill(CREDIT_CODE)
    organiser.locator("[name=incorporated_on]").fill(dt.date.today().isoformat())
    select_option_containing(organiser, "select[name=entry]", PROJECT)
    organiser.locator("main form button[type=submit]").first.click()
    expect(organiser.locator("main")).to_contain_text(CREDIT_CODE)
    status_form = organiser.locator("#status-form")
    status_form.locator("select[name=to_status]").select_option("yellow")
    status_form.locator("[name=note]").fill("Workshop lease signed; fit-out started.")
    status_form.locator("button[type=submit]").click()
    inspection_form = organiser.locator("#inspection-form")
    inspection_form.locator("[name=inspected_on]").fill(dt.date.today().isoformat())
    inspection_form.locator("[name=inspectors]").fill("Liu Jianguo")
    inspection_form.locator("[name=findings]").fill("Fit-out under way; clean room walls in place.")
    inspection_form.locator("button[type=submit]").click()
    expect(organiser.locator("main")).to_contain_text("Fit-out under way; clean room walls in place.")
    organiser.screenshot(path=screenshot_dir / "73-ledger-company-yellow-en.png", full_page=True)

    # The dashboard counts the new deal and company, and the company's history page tells it all.
    after = figures(organiser, base)
    assert after["signed-deals"] == before["signed-deals"] + 1
    assert after["landed"] == before["landed"] + 1
    assert after["yellow"] == before["yellow"] + 1
    assert (after["red"], after["blue"], after["registered"]) == (before["red"], before["blue"], before["registered"])
    expect(organiser.locator(".insights-chart[data-chart=funnel]")).to_have_attribute("data-rendered", "1")
    organiser.screenshot(path=screenshot_dir / "74-dashboard-after-en.png", full_page=True)
    organiser.locator("#table-companies").get_by_role("link", name=re.compile(PROJECT)).click()
    expect(organiser.locator("#history-deals")).to_contain_text("¥6,000,000")
    accepted = organiser.locator("#history-meetings li", has_text=start.strftime("%Y-%m-%d %H:%M"))
    expect(accepted.locator("[data-meeting-status]")).to_have_text("Scheduled")
    expect(organiser.locator("#history-ledger-status")).to_have_text("Yellow: under construction")
    expect(organiser.locator("#history-pitches")).to_contain_text("1 interested")
    organiser.screenshot(path=screenshot_dir / "75-entry-history-en.png", full_page=True)

    with organiser.expect_navigation():
        organiser.select_option("#language-select", "zh-hans")
    assert organiser.locator("html").get_attribute("lang") == "zh-Hans"
    organiser.goto(f"{base}/events/{EVENT}/insights/")
    assert int(organiser.locator("#figure-yellow").inner_text()) == after["yellow"]
    organiser.screenshot(path=screenshot_dir / "76-dashboard-after-zh.png", full_page=True)
    organiser.goto(f"{base}/events/{EVENT}/insights/report/")
    organiser.emulate_media(media="print")
    organiser.screenshot(path=screenshot_dir / "77-monthly-report-print-zh.png", full_page=True)
