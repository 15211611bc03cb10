"""A visitor signs up, verifies the e-mail, signs in and switches the site to Chinese, in Chromium."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CONTEST_SLUG = "haicheng-innovation-contest-2026"
CONTEST_TITLE_EN = "2026 Haicheng Overseas Talent Innovation Contest"
CONTEST_TITLE_ZH = "2026 海城海外人才创新创业大赛"
NEWCOMER_EMAIL = "newcomer@example.org"
NEWCOMER_PASSWORD = "Str0ng-pass-phrase!"
CONFIRM_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/accounts/confirm-email/[^/\s]+/)")


def path_of(url: str) -> str:
    return urlsplit(url).path


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def selected_language(page) -> tuple[str, str]:
    select = page.locator("#language-select")
    return select.input_value(), select.locator("option:checked").inner_text()


def switch_language(page, code: str) -> None:
    """Pick a language in the nav bar's selector; it submits itself and the page reloads."""
    with page.expect_navigation():
        page.select_option("#language-select", code)


def test_signup_verify_login_and_switch_to_chinese(page, daphne_server, screenshot_dir):
    page.goto(daphne_server.url("/"))
    assert html_lang(page) == "en"
    assert selected_language(page) == ("en", "English")
    expect(page.get_by_role("link", name=CONTEST_TITLE_EN)).to_be_visible()
    page.screenshot(path=screenshot_dir / "01-home-en.png", full_page=True)

    page.click('nav a[href="/accounts/signup/"]')
    page.wait_for_url("**/accounts/signup/")
    signup_form = page.locator('main form[action^="/accounts/signup/"]')
    signup_form.locator("input[name=email]").fill(NEWCOMER_EMAIL)
    signup_form.locator("input[name=password1]").fill(NEWCOMER_PASSWORD)
    signup_form.locator("input[name=password2]").fill(NEWCOMER_PASSWORD)
    page.screenshot(path=screenshot_dir / "02-signup-filled.png", full_page=True)
    signup_form.locator("button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert path_of(page.url) == "/accounts/confirm-email/"
    page.screenshot(path=screenshot_dir / "03-verify-email-sent.png", full_page=True)

    message = daphne_server.newest_email(to=NEWCOMER_EMAIL)
    assert message["To"] == NEWCOMER_EMAIL
    assert message["Subject"].startswith("[Haizhi] ")
    links = CONFIRM_LINK.findall(message.get_body(preferencelist=("plain",)).get_content())
    assert len(links) == 1
    confirm_url = links[0]
    assert confirm_url.startswith(daphne_server.base_url)

    page.goto(confirm_url)
    # allauth re-signs the key (address id, timestamp, signature) whenever it renders the form,
    # so the form posts to the same address id but not always to the very link in the e-mail.
    address_id = path_of(confirm_url).removeprefix("/accounts/confirm-email/").split(":")[0]
    confirm_form = page.locator(f'main form[action^="/accounts/confirm-email/{address_id}:"]')
    expect(confirm_form).to_have_count(1)
    page.screenshot(path=screenshot_dir / "04-confirm-email.png", full_page=True)
    confirm_form.locator("button[type=submit]").click()
    page.wait_for_url("**/accounts/login/")

    login_form = page.locator('main form[action^="/accounts/login/"]')
    login_form.locator("input[name=login]").fill(NEWCOMER_EMAIL)
    login_form.locator("input[name=password]").fill(NEWCOMER_PASSWORD)
    page.screenshot(path=screenshot_dir / "05-login.png", full_page=True)
    login_form.locator("button[type=submit]").click()
    page.wait_for_url("**/dashboard/")
    assert path_of(page.url) == "/dashboard/"
    assert html_lang(page) == "en"
    # Signed in: the nav bar offers the account menu instead of "sign up".
    assert page.locator('nav a[href="/accounts/signup/"]').count() == 0
    assert page.locator('nav form[action="/accounts/logout/"]').count() == 1
    page.screenshot(path=screenshot_dir / "06-dashboard-en.png", full_page=True)

    switch_language(page, "zh-hans")
    assert path_of(page.url) == "/dashboard/"
    assert html_lang(page) == "zh-Hans"
    assert selected_language(page) == ("zh-hans", "简体中文")
    page.screenshot(path=screenshot_dir / "07-dashboard-zh.png", full_page=True)

    page.click("nav a.navbar-brand")
    page.wait_for_url(daphne_server.url("/"))
    assert html_lang(page) == "zh-Hans"
    assert selected_language(page) == ("zh-hans", "简体中文")
    expect(page.get_by_role("link", name=CONTEST_TITLE_ZH)).to_be_visible()
    assert page.get_by_role("link", name=CONTEST_TITLE_EN).count() == 0
    page.screenshot(path=screenshot_dir / "08-home-zh.png", full_page=True)


def test_language_switch_stays_on_the_event_page(page, daphne_server, screenshot_dir):
    event_path = f"/events/{CONTEST_SLUG}/"
    page.goto(daphne_server.url(event_path))
    assert html_lang(page) == "en"
    assert page.locator("main h1").inner_text() == CONTEST_TITLE_EN

    switch_language(page, "zh-hans")
    assert path_of(page.url) == event_path
    assert html_lang(page) == "zh-Hans"
    assert page.locator("main h1").inner_text() == CONTEST_TITLE_ZH
    assert selected_language(page) == ("zh-hans", "简体中文")
    page.screenshot(path=screenshot_dir / "10-event-zh.png", full_page=True)

    switch_language(page, "en")
    assert path_of(page.url) == event_path
    assert html_lang(page) == "en"
    assert page.locator("main h1").inner_text() == CONTEST_TITLE_EN


def test_phone_width_nav_collapses_and_opens(phone_page, daphne_server, screenshot_dir):
    page = phone_page
    page.goto(daphne_server.url("/"))
    toggler = page.locator("nav .navbar-toggler")
    nav_menu = page.locator("#site-nav")
    expect(toggler).to_be_visible()
    expect(nav_menu).to_be_hidden()
    # Nothing sticks out sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    page.screenshot(path=screenshot_dir / "20-phone-home-nav-collapsed.png", full_page=True)

    toggler.click()
    # Bootstrap's collapse animates; it is done when the menu has "show" and no longer "collapsing".
    expect(nav_menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(nav_menu).not_to_have_class(re.compile(r"collapsing"))
    assert toggler.get_attribute("aria-expanded") == "true"
    expect(page.locator("#language-select")).to_be_visible()
    expect(nav_menu.locator('a[href="/accounts/signup/"]')).to_be_visible()
    page.screenshot(path=screenshot_dir / "21-phone-home-nav-open.png", full_page=True)
