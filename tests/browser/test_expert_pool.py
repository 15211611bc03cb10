"""The expert pool through the pages people use: an organiser picks two biomedicine experts
from the pool for the 2027 camp and invites them; one accepts from "My invitations" and
becomes a judge of that event, the other's invitation stays pending. Screenshots in English."""

import re

import pytest
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

EVENT = "biomedicine-camp-2027"
EVENT_TITLE = "2027 Biomedicine Special Contest (in preparation)"
ORGANISER = "organiser@haizhi.example"
ACCEPTING = "expert2@haizhi.example"  # Claire Dubois, biomedicine and new materials, not a judge of the camp
PENDING = "judge5@haizhi.example"  # Emily Clark judges the 2026 contest; biomedicine in the pool


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator('main form[action^="/accounts/login/"]')
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/dashboard/")


@pytest.fixture
def people(browser):
    pages, contexts = {}, []
    for key in ("organiser", "expert"):
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        pages[key] = context.new_page()
    yield pages
    for context in contexts:
        context.close()


def expert_row(page, name: str):
    return page.locator("#pool tbody tr", has=page.locator("strong", has_text=name))


def test_organiser_invites_two_experts_and_one_accepts(people, daphne_server, screenshot_dir):
    base = daphne_server.base_url
    organiser, expert = people["organiser"], people["expert"]
    sign_in(organiser, base, ORGANISER)
    organiser.goto(f"{base}/events/{EVENT}/")
    organiser.locator("#judging").get_by_role("link", name="Expert pool").click()
    organiser.wait_for_url(f"**/events/{EVENT}/experts/")
    organiser.select_option("#id_field", "biomedicine")
    organiser.locator("#pool-filters button[type=submit]").click()
    organiser.wait_for_url(re.compile(r".*field=biomedicine.*"))
    names = organiser.locator("#pool tbody tr strong").all_inner_texts()
    assert "Claire Dubois" in names and "He Haiyang" not in names  # marine experts are filtered out
    organiser.screenshot(path=screenshot_dir / "80-expert-pool-en.png", full_page=True)

    for name, message in (("Claire Dubois", "Your biomaterials view would help."), ("Emily Clark", "")):
        row = expert_row(organiser, name)
        if message:
            row.locator("textarea[name=message]").fill(message)
        row.locator(".invite-form button[type=submit]").click()
        expect(organiser.locator(".messages")).to_contain_text(f"{name} is invited to judge.")
        expect(expert_row(organiser, name)).to_contain_text("Pending")
    expect(organiser.locator("#invitations tbody tr")).to_have_count(2)
    organiser.screenshot(path=screenshot_dir / "81-expert-pool-invited-en.png", full_page=True)

    # The expert answers in the site, from the user menu's "My invitations to judge" (the e-mail's
    # link leads to the same page; its sending is tested in tests/experts, where Celery runs eagerly
    # in both modes: this daphne has no worker beside it when it runs on Redis).
    sign_in(expert, base, ACCEPTING)
    expert.goto(f"{base}/experts/invitations/")
    expert.locator("#my-invitations").get_by_role("link", name=EVENT_TITLE).click()
    expect(expert.locator("main")).to_contain_text("Your biomaterials view would help.")
    expert.screenshot(path=screenshot_dir / "82-invitation-en.png", full_page=True)
    expert.get_by_role("button", name="Accept").click()
    expert.wait_for_url(f"**/events/{EVENT}/")
    expect(expert.locator(".messages")).to_contain_text("you are now a judge of")
    expect(expert.locator("#judging")).to_contain_text("My judging")
    expert.screenshot(path=screenshot_dir / "83-invitation-accepted-en.png", full_page=True)

    organiser.reload()
    expect(expert_row(organiser, "Claire Dubois")).to_contain_text("Judge of this event")
    expect(expert_row(organiser, "Emily Clark")).to_contain_text("Pending")
    answers = organiser.locator("#invitations tbody tr").all_inner_texts()
    assert sorted(answer.split("\t")[-2].strip() for answer in answers) == ["Accepted", "Pending"]
    organiser.screenshot(path=screenshot_dir / "84-expert-pool-answered-en.png", full_page=True)


def test_pool_for_a_round_shows_field_coverage_and_conflicts(page, daphne_server, screenshot_dir):
    base = daphne_server.base_url
    sign_in(page, base, ORGANISER)
    page.goto(f"{base}/events/haicheng-innovation-contest-2026/judging/manage/rounds/2/assignments/")
    page.get_by_role("link", name="Invite judges from the expert pool").click()
    page.wait_for_url("**/experts/?round=*")  # the round's id
    expect(page.locator("#coverage li").first).to_be_visible()
    expect(page.locator("#coverage")).to_contain_text("Biomedicine and health")
    expect(expert_row(page, "Claire Dubois")).to_contain_text("Pending")  # the demo's invitation
    page.screenshot(path=screenshot_dir / "85-expert-pool-round-coverage-en.png", full_page=True)
