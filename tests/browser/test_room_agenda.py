"""The organiser moves the demo room's agenda from the console; a viewer in another browser sees
"now presenting" change, marks interest and chats. Screenshots in English and Chinese."""

import re

import pytest
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ROOM = "haicheng-2026-final-roadshow"
ORGANISER = "organiser@haizhi.example"
VIEWER = "audience@haizhi.example"  # Zhou Xiao, the contest's audience role: may mark interest
VIEWER_NAME_EN = "Zhou Xiao"


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator('main form[action^="/accounts/login/"]')
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/dashboard/")


def switch_language(page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("#language-select", code)


def connected(page) -> None:
    """The socket is open and the state applied (the status line says so in either language)."""
    expect(page.locator("#room-connection")).to_have_text(re.compile(r"^(Connected|已连接)$"))


@pytest.fixture
def viewer_page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_organiser_starts_the_next_pitch_and_a_viewer_sees_it(page, viewer_page, daphne_server, screenshot_dir):
    console, viewer = page, viewer_page
    sign_in(console, daphne_server.base_url, ORGANISER)
    sign_in(viewer, daphne_server.base_url, VIEWER)
    console.goto(daphne_server.url(f"/rooms/{ROOM}/console/"))
    viewer.goto(daphne_server.url(f"/rooms/{ROOM}/"))
    connected(console)
    connected(viewer)

    agenda_titles = viewer.locator("#agenda-list li .fw-semibold")
    assert agenda_titles.count() >= 2, "the demo room's agenda needs the registration demo's finalists"
    first_title, second_title = agenda_titles.nth(0).inner_text(), agenda_titles.nth(1).inner_text()
    expect(viewer.locator("#presenting-title")).to_have_text("Nobody is on stage yet.")
    expect(viewer.locator("#interest-button")).to_be_hidden()

    console.get_by_role("button", name="Next pitch").click()
    expect(viewer.locator("#presenting-title")).to_have_text(first_title)
    expect(console.locator("#presenting-title")).to_have_text(first_title)
    expect(viewer.locator("#pitch-countdown")).to_have_text(re.compile(r"^0[78]:\d\d left$"))
    expect(viewer.locator('#agenda-list li[data-state="presenting"] .fw-semibold')).to_have_text(first_title)

    console.get_by_role("button", name="+3 min").click()
    expect(viewer.locator("#pitch-countdown")).to_have_text(re.compile(r"^1[01]:\d\d left$"))

    interest = viewer.locator("#interest-button")
    expect(interest).to_have_text("I'm interested")
    interest.click()
    expect(interest).to_have_text("You are interested ✓")
    expect(interest).to_be_disabled()
    expect(console.locator("#interest-list")).to_contain_text(VIEWER_NAME_EN)
    expect(console.locator("#interest-list")).to_contain_text(first_title)

    viewer.locator("#chat-input").fill("Great pitch! 讲得很好 <b>not bold</b>")
    viewer.locator("#chat-form button[type=submit]").click()
    message = console.locator("#chat-list li", has_text="Great pitch!")
    expect(message).to_contain_text("Great pitch! 讲得很好 <b>not bold</b>")  # shown as text, not markup
    expect(message.locator("b")).to_have_count(0)
    viewer.screenshot(path=screenshot_dir / "30-room-now-presenting-en.png", full_page=True)
    console.screenshot(path=screenshot_dir / "31-room-console-en.png", full_page=True)

    console.get_by_role("button", name="Next pitch").click()
    expect(viewer.locator("#presenting-title")).to_have_text(second_title)
    expect(viewer.locator("#agenda-list li").nth(0)).to_have_attribute("data-state", "done")
    expect(interest).to_have_text("I'm interested")  # a new project on stage
    expect(interest).to_be_enabled()

    switch_language(viewer, "zh-hans")
    switch_language(console, "zh-hans")
    connected(viewer)
    connected(console)
    assert viewer.locator("html").get_attribute("lang") == "zh-Hans"
    expect(viewer.locator("#presenting-title")).to_have_text(second_title)
    expect(viewer.locator("#pitch-countdown")).to_have_text(re.compile(r"\d\d:\d\d"))
    viewer.screenshot(path=screenshot_dir / "32-room-now-presenting-zh.png", full_page=True)
    console.screenshot(path=screenshot_dir / "33-room-console-zh.png", full_page=True)

    console.locator('[data-console="pitch.end"]').click()
    expect(viewer.locator("#presenting-title")).not_to_have_text(second_title)
    expect(viewer.locator("#pitch-countdown")).to_be_empty()
    expect(viewer.locator('#agenda-list li[data-state="done"]')).to_have_count(2)
