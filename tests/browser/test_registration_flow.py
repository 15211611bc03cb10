"""Issue 4 acceptance, in Chromium against daphne: a newcomer signs up, switches the site to
Chinese and registers a project with a team member, a logo, a PDF deck and the required
answers, and submits it; the organiser finds it in the screening list and screens it in;
the entrant then sees the new status and the timeline of the entry.

Selectors use ids, names, values and addresses, never button texts, so the test reads the
same in Chinese and in English. With ``REDIS_URL`` set, Celery tasks are queued to Redis
and not run, so the e-mails and site notifications are only checked in the embedded mode.
"""

import io
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from .conftest import DESKTOP

pytestmark = pytest.mark.browser

CONTEST = "haicheng-innovation-contest-2026"
REGISTRATION = f"/events/{CONTEST}/registration/"
ENTRANT_EMAIL = "registrant@example.org"
ENTRANT_PASSWORD = "Str0ng-pass-phrase!"
ENTRANT_ZONE = "Europe/Rome"
ORGANISER_EMAIL = "organiser@haizhi.example"
DEMO_PASSWORD = "haizhi-demo-2026"
TITLE_ZH = "深海声呐阵列智能识别系统"
TITLE_EN = "Deep-sea sonar array recognition system"
MEMBER_NAME = "Sofia Rossi"
SCREEN_REASON = "团队扎实，技术路线清晰"
SUMMARY_ZH = "面向海洋牧场与港口安防的声呐阵列，用深度学习实时识别水下目标。"
SUMMARY_ADDED = "已在两个港口试点。"
CONFIRM_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/accounts/confirm-email/[^/\s]+/)")
# Without REDIS_URL Celery runs tasks at once; with it they wait in Redis for a worker.
TASKS_RUN_AT_ONCE = not os.environ.get("REDIS_URL")


def path_of(url: str) -> str:
    return urlsplit(url).path


def switch_language(page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("#language-select", code)
    assert page.locator("html").get_attribute("lang") == {"zh-hans": "zh-Hans", "en": "en"}[code]


def logo_png(path: Path) -> Path:
    image = Image.new("RGB", (480, 480), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, 440, 440), fill=(14, 92, 160))
    draw.text((240, 240), "DSR", fill="white", anchor="mm", font_size=120)
    image.save(path, format="PNG")
    return path


def deck_pdf(path: Path) -> Path:
    """A two-slide deck: Pillow writes each picture as a page of a valid PDF."""
    slides = []
    for number, line in enumerate([TITLE_EN, "Team · Market · Funding"], start=1):
        slide = Image.new("RGB", (960, 540), (14, 92, 160))
        draw = ImageDraw.Draw(slide)
        draw.rectangle((40, 40, 920, 500), fill="white")
        draw.text((80, 240), line, fill="black", font_size=36)
        draw.text((880, 470), str(number), fill="grey", font_size=20)
        slides.append(slide)
    out = io.BytesIO()
    slides[0].save(out, format="PDF", save_all=True, append_images=slides[1:], resolution=96)
    path.write_bytes(out.getvalue())
    return path


def sign_up_and_sign_in(page, server, email: str, password: str) -> None:
    """Sign up, confirm the address from the e-mail, and sign in (allauth's mandatory verification)."""
    page.goto(server.url("/accounts/signup/"))
    form = page.locator('main form[action^="/accounts/signup/"]')
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password1]").fill(password)
    form.locator("input[name=password2]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    body = server.newest_email(to=email).get_body(preferencelist=("plain",)).get_content()
    (confirm_url,) = CONFIRM_LINK.findall(body)
    page.goto(confirm_url)
    page.locator('main form[action^="/accounts/confirm-email/"] button[type=submit]').click()
    page.wait_for_url("**/accounts/login/")
    sign_in(page, server, email, password)


def sign_in(page, server, email: str, password: str) -> None:
    if path_of(page.url) != "/accounts/login/":
        page.goto(server.url("/accounts/login/"))
    form = page.locator('main form[action^="/accounts/login/"]')
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/dashboard/")


def field_errors(page) -> list[str]:
    return page.locator("main .invalid-feedback").all_inner_texts()


@pytest.fixture
def entrant_page(browser) -> Iterator:
    """An entrant abroad: an English browser in Rome, seven hours behind China in November."""
    context = browser.new_context(locale="en-GB", timezone_id=ENTRANT_ZONE, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def local_clock(iso_moment: str) -> str:
    return datetime.fromisoformat(iso_moment).astimezone(ZoneInfo(ENTRANT_ZONE)).strftime("%H:%M")


def test_entrant_registers_in_chinese_organiser_screens_in_entrant_sees_status(
    entrant_page, browser, daphne_server, screenshot_dir, tmp_path
):
    server = daphne_server
    page = entrant_page
    # --- The entrant: a newcomer with no role in the contest yet ----------------------------
    sign_up_and_sign_in(page, server, ENTRANT_EMAIL, ENTRANT_PASSWORD)
    switch_language(page, "zh-hans")

    page.goto(server.url(f"/events/{CONTEST}/"))
    page.locator(f'main a[href="{REGISTRATION}"]').first.click()
    page.wait_for_url(server.url(REGISTRATION))
    expect(page.locator("#my-entries li")).to_have_count(1)  # "no entry yet"
    expect(page.locator("#my-entries a")).to_have_count(0)
    # The window is shown in China time and, for a visitor elsewhere, in their own time too.
    expect(page.locator("main time.js-local-time + span").first).to_contain_text(ENTRANT_ZONE)
    page.screenshot(path=screenshot_dir / "30-registration-home-zh.png", full_page=True)

    # Any signed-in person may start an entry while registration is open; that makes them an entrant.
    page.locator("#start-entry").click()
    page.wait_for_url(re.compile(r"/registration/entries/\d+/edit/$"))
    entry_id = int(re.search(r"/entries/(\d+)/edit/$", page.url)[1])
    entry_path = f"{REGISTRATION}entries/{entry_id}/"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    expect(page.locator("h1 .status-badge")).to_have_attribute("data-status", "draft")

    page.fill("#id_entry-title_zh", TITLE_ZH)
    page.fill("#id_entry-title_en", TITLE_EN)
    page.select_option("#id_entry-track", label="高端装备")
    page.select_option("#id_entry-stage", "prototype")
    page.fill("#id_entry-summary", SUMMARY_ZH)
    page.fill("#id_entry-technology", "128 阵元宽带声呐与轻量化神经网络，识别准确率 96%。")
    page.fill("#id_entry-ip_summary", "发明专利 2 项，软件著作权 3 项。")
    page.fill("#id_entry-patent_count", "2")
    page.fill("#id_entry-funding_sought", "12000000")
    page.fill("#id_entry-planned_city", "海城")
    page.fill("#id_entry-planned_park", "海城高新区创新园")
    page.fill("#id_entry-video_url", "https://video.example.org/sonar-pitch")
    # The demo contest's questions: eligibility (yes/no), company registration, markets, team size.
    questions = page.locator("#questions")
    questions.locator('input[type=radio][value="yes"]').check()
    questions.locator('input[type=radio][value="abroad"]').check()
    questions.locator('input[type=checkbox][value="china"]').check()
    questions.locator('input[type=checkbox][value="europe"]').check()
    questions.locator("input[inputmode=decimal]").fill("6")
    # The lead's row starts from the account (only an e-mail address here); the entrant completes it.
    expect(page.locator("#id_team-0-email")).to_have_value(ENTRANT_EMAIL)
    page.fill("#id_team-0-name", "林海")
    page.fill("#id_team-0-role", "项目负责人")
    page.select_option("#id_team-0-country", "IT")
    page.fill("#id_team-0-years_abroad", "9")
    page.fill("#id_team-1-name", MEMBER_NAME)
    page.fill("#id_team-1-role", "首席科学家")
    page.fill("#id_team-1-email", "sofia.rossi@example.it")
    page.fill("#id_team-1-organisation", "Università di Bologna")
    page.select_option("#id_team-1-country", "IT")
    page.fill("#id_team-1-years_abroad", "0")
    # The draft is autosaved as the entrant types; the time is told in the entrant's own zone.
    clock = page.locator('#autosave-status [data-autosave="saved"] time')
    expect(clock).to_have_count(1)
    assert clock.inner_text() == local_clock(clock.get_attribute("datetime"))
    page.screenshot(path=screenshot_dir / "31-registration-form-zh.png", full_page=True)

    with page.expect_navigation():
        page.locator("#entry-form button[name=save]").click()
    assert path_of(page.url) == f"{entry_path}edit/"
    assert field_errors(page) == []
    expect(page.locator("main .alert-success")).to_have_count(1)
    expect(page.locator("#id_entry-title_zh")).to_have_value(TITLE_ZH)
    expect(page.locator("#id_team-1-name")).to_have_value(MEMBER_NAME)
    assert page.locator("#id_team-1-id").input_value() != ""
    expect(page.locator("#id_team-2-name")).to_have_value("")  # room for one more
    # Only the files are still missing.
    expect(page.locator("#missing-items li")).to_have_count(1)

    page.set_input_files("#id_files-deck", deck_pdf(tmp_path / "sonar-deck.pdf"))
    page.set_input_files("#id_files-logo", logo_png(tmp_path / "sonar-logo.png"))
    with page.expect_navigation():
        page.locator("#upload-files").click()
    assert path_of(page.url) == f"{entry_path}edit/"
    assert field_errors(page) == []
    files = page.locator("#files")
    expect(files.locator('a[href^="/events/"][href*="/registration/files/"]')).to_have_text("sonar-deck.pdf")
    logo = files.locator('img[src*="size=thumb"]')
    expect(logo).to_have_count(1)
    assert page.evaluate("(img) => img.complete && img.naturalWidth", logo.element_handle()) == 320
    expect(page.locator("#missing-items")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "32-registration-files-zh.png", full_page=True)

    with page.expect_navigation():
        page.locator("#entry-form button[name=go_submit]").click()
    assert path_of(page.url) == f"{entry_path}submit/"
    expect(page.locator("#missing")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "33-registration-submit-zh.png", full_page=True)
    with page.expect_navigation():
        page.locator("#submit-entry").click()
    assert path_of(page.url) == entry_path
    expect(page.locator("h1 .status-badge")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#timeline li")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "34-registration-submitted-zh.png", full_page=True)

    # A submitted entry can still be changed until the deadline (with the Save button: no
    # autosave). Leaving the page with unsaved changes asks first, so nothing typed is lost.
    page.locator(f'main a[href="{entry_path}edit/"]').click()
    page.wait_for_url(server.url(f"{entry_path}edit/"))
    page.fill("#id_entry-summary", SUMMARY_ZH + SUMMARY_ADDED)
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.locator(f'main .breadcrumb a[href="{REGISTRATION}"]').click()
    expect(page.locator("#id_entry-summary")).to_have_value(SUMMARY_ZH + SUMMARY_ADDED)
    assert (dialogs, path_of(page.url)) == (["beforeunload"], f"{entry_path}edit/")
    with page.expect_navigation():
        page.locator("#entry-form button[name=save]").click()
    assert field_errors(page) == []
    expect(page.locator("h1 .status-badge")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#id_entry-summary")).to_have_value(SUMMARY_ZH + SUMMARY_ADDED)

    # --- The organiser: finds the entry in the screening list and screens it in -----------------
    organiser_context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    organiser_context.set_default_timeout(15_000)
    organiser = organiser_context.new_page()
    try:
        sign_in(organiser, server, ORGANISER_EMAIL, DEMO_PASSWORD)
        assert organiser.locator("html").get_attribute("lang") == "zh-Hans"
        organiser.goto(server.url(f"/events/{CONTEST}/"))
        organiser.locator(f'main a[href="{REGISTRATION}screening/"]').first.click()
        organiser.wait_for_url(server.url(f"{REGISTRATION}screening/"))
        organiser.fill("#id_q", "声呐")
        organiser.select_option("#id_status", "submitted")
        with organiser.expect_navigation():
            organiser.locator("#filter-entries").click()
        rows = organiser.locator("#bulk-form tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.locator(f'a[href="{entry_path}"]')).to_have_text(TITLE_ZH)
        expect(rows.locator(".status-badge")).to_have_attribute("data-status", "submitted")
        organiser.locator(f"#pick-{entry_id}").check()
        organiser.select_option("#id_to_status", "screened_in")
        organiser.fill("#id_reason", SCREEN_REASON)
        organiser.screenshot(path=screenshot_dir / "35-registration-screening-zh.png", full_page=True)
        with organiser.expect_navigation():
            organiser.locator("#bulk-apply").click()
        # Back on the same filtered list: the entry has left "submitted".
        assert path_of(organiser.url) == f"{REGISTRATION}screening/"
        expect(organiser.locator("main .alert-success")).to_have_count(1)
        expect(organiser.locator("#bulk-form tbody tr a")).to_have_count(0)
        organiser.goto(server.url(entry_path))
        expect(organiser.locator("h1 .status-badge")).to_have_attribute("data-status", "screened_in")
        expect(organiser.locator("#timeline li")).to_have_count(3)
        organiser.screenshot(path=screenshot_dir / "36-registration-screened-in-organiser-zh.png", full_page=True)
    finally:
        organiser_context.close()

    # --- The entrant sees the new status in "my entries" and on the entry's timeline ---------
    page.goto(server.url(REGISTRATION))
    mine = page.locator("#my-entries li.list-group-item")
    expect(mine).to_have_count(1)
    expect(mine.locator(f'a[href="{entry_path}"]')).to_have_text(TITLE_ZH)
    expect(mine.locator(".status-badge")).to_have_attribute("data-status", "screened_in")
    expect(mine.locator(".timeline li")).to_have_count(3)
    expect(mine.locator(".timeline li").last).to_contain_text(SCREEN_REASON)
    page.screenshot(path=screenshot_dir / "37-registration-my-entries-zh.png", full_page=True)

    page.locator(f'#my-entries a[href="{entry_path}"]').click()
    page.wait_for_url(server.url(entry_path))
    expect(page.locator("h1 .status-badge")).to_have_attribute("data-status", "screened_in")
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(3)
    expect(timeline.last).to_contain_text(SCREEN_REASON)
    expect(page.locator("main")).to_contain_text(MEMBER_NAME)
    expect(page.locator("main")).to_contain_text(SUMMARY_ADDED)
    # The entrant never sees the organisers' tools.
    expect(page.locator(f'form[action="{entry_path}status/"]')).to_have_count(0)
    expect(page.locator("#notes")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "38-registration-entry-timeline-zh.png", full_page=True)

    switch_language(page, "en")
    assert path_of(page.url) == entry_path
    expect(page.locator("h1")).to_contain_text(TITLE_EN)
    expect(page.locator("h1 .status-badge")).to_have_text("Screened in")
    page.screenshot(path=screenshot_dir / "39-registration-entry-en.png", full_page=True)

    if TASKS_RUN_AT_ONCE:
        # The account was made in an English browser, so its e-mails and notifications are in English.
        # (Python's parser keeps the space of a folded, encoded Subject line; mail readers drop it.)
        subjects = [m["Subject"].strip() for m in server.emails() if ENTRANT_EMAIL in m["To"]]
        assert subjects[:2] == [f"Your entry “{TITLE_EN}”: Screened in", f"We received your entry “{TITLE_EN}”"]
        page.goto(server.url("/notifications/"))
        expect(page.locator(f'main a[href="{entry_path}"]')).to_have_count(2)
