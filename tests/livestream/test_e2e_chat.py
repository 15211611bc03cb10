"""Two real websocket clients (the ``websockets`` library) in the demo room of a real daphne server."""

import asyncio
import http.cookiejar
import json
import re
import urllib.parse
import urllib.request

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from core.demo import DEMO_PASSWORD

# The livestream server: the browser flows on the shared one expect the demo room's chat and stage untouched.
pytestmark = [pytest.mark.e2e, pytest.mark.daphne_server("livestream")]

ROOM = "haicheng-2026-final-roadshow"
WAIT_SECONDS = 15  # how long a client waits for a frame it is owed (a wait, not an assertion)


def _session_cookie(base_url: str, email: str) -> str:
    """Sign in through the real login form and return the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/accounts/login/") as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": email, "password": DEMO_PASSWORD})
    request = urllib.request.Request(
        f"{base_url}/accounts/login/", data=form.encode(), headers={"Referer": f"{base_url}/accounts/login/"}
    )
    with opener.open(request):
        pass
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, f"login as {email} failed"
    return cookies["sessionid"]


async def _next(socket, frame_type: str) -> dict:
    """The next frame of ``frame_type`` (presence and reaction pushes may come in between)."""
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), WAIT_SECONDS))
        if frame["type"] == frame_type:
            return frame


async def _chat_round_trip(base_url: str, cookies: list[str]) -> tuple[list[dict], list[dict]]:
    ws_url = base_url.replace("http://", "ws://") + f"/ws/rooms/{ROOM}/"
    headers = [{"Origin": base_url, "Cookie": f"sessionid={cookie}"} for cookie in cookies]
    async with (
        websockets.connect(ws_url, additional_headers=headers[0]) as alice,
        websockets.connect(ws_url, additional_headers=headers[1]) as bob,
    ):
        states = [await _next(alice, "room.state"), await _next(bob, "room.state")]
        await alice.send(json.dumps({"type": "chat.send", "text": "e2e: 你好 <b>bob</b>", "client_id": "e2e-1"}))
        messages = [await _next(alice, "chat.message"), await _next(bob, "chat.message")]
    return states, messages


def test_chat_round_trip_between_two_clients_through_daphne(daphne_server):
    cookies = [
        _session_cookie(daphne_server.base_url, "audience@haizhi.example"),
        _session_cookie(daphne_server.base_url, "enterprise@haizhi.example"),
    ]
    states, messages = asyncio.run(_chat_round_trip(daphne_server.base_url, cookies))
    assert [state["me"]["signed_in"] for state in states] == [True, True]
    assert states[0]["seq"] == states[1]["seq"]
    alice_copy, bob_copy = messages
    assert alice_copy == bob_copy
    assert (alice_copy["text"], alice_copy["client_id"], alice_copy["seq"]) == (
        "e2e: 你好 <b>bob</b>",
        "e2e-1",
        states[0]["seq"] + 1,
    )
    assert alice_copy["user"]["name_en"] == "Zhou Xiao"


def test_foreign_origin_is_refused_by_daphne(daphne_server):
    ws_url = daphne_server.base_url.replace("http://", "ws://") + f"/ws/rooms/{ROOM}/"

    async def connect_from_elsewhere():
        async with websockets.connect(ws_url, additional_headers={"Origin": "http://evil.example"}):
            pass

    with pytest.raises(InvalidStatus) as refused:
        asyncio.run(connect_from_elsewhere())
    assert refused.value.response.status_code == 403
