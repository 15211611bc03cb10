"""A moderator turns a viewer's chat message into a Q&A question from the console; the viewer
sees the message leave the chat and the question appear under their name."""

import pytest
from playwright.sync_api import expect

from . import test_room_agenda
from .test_room_agenda import ORGANISER, ROOM, VIEWER, VIEWER_NAME_EN, connected, sign_in

pytestmark = pytest.mark.browser

viewer_page = test_room_agenda.viewer_page  # the second browser, as in the agenda flow


def test_moderator_turns_a_chat_message_into_a_question(page, viewer_page, daphne_server, screenshot_dir):
    console, viewer = page, viewer_page
    sign_in(console, daphne_server.base_url, ORGANISER)
    sign_in(viewer, daphne_server.base_url, VIEWER)
    console.goto(daphne_server.url(f"/rooms/{ROOM}/console/"))
    viewer.goto(daphne_server.url(f"/rooms/{ROOM}/"))
    connected(console)
    connected(viewer)

    text = "How large is the market in Haicheng?"
    viewer.locator("#chat-input").fill(text)
    viewer.locator("#chat-form button[type=submit]").click()
    message = console.locator("#chat-list li", has_text=text)
    expect(message).to_have_count(1)
    expect(viewer.locator("#chat-list li", has_text=text)).to_have_count(1)
    message.get_by_role("button", name="To Q&A").click()

    for screen in (viewer, console):
        expect(screen.locator("#chat-list li", has_text=text)).to_have_count(0)
        question = screen.locator("#question-list li", has_text=text)
        expect(question).to_have_count(1)
        expect(question).to_contain_text(VIEWER_NAME_EN)
    console.screenshot(path=screenshot_dir / "60-room-chat-to-question-en.png", full_page=True)
