import copy
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from events.models import Role
from tests.factories import EventRoleFactory, RoadshowRoomFactory, UserFactory

RECEIVE_TIMEOUT = 10  # seconds a socket may wait for a frame it is owed (a wait, not an assertion)


@pytest.fixture(autouse=True)
def _live_settings(settings):
    """Ticks are run by hand in tests; each test gets a fresh channel layer (its own Redis prefix)."""
    settings.LIVESTREAM_TICK_SECONDS = 3600
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    if "prefix" in layers["default"].get("CONFIG", {}):
        layers["default"]["CONFIG"]["prefix"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CHANNEL_LAYERS = layers  # Channels drops its cached layers when this setting changes


@pytest.fixture
def room():
    return RoadshowRoomFactory()


@pytest.fixture
def organiser(room):
    user = UserFactory(name_en="Olga Organiser", name_zh="组织者")
    EventRoleFactory(event=room.event, user=user, role=Role.ORGANISER)
    return user


@pytest.fixture
def viewer():
    return UserFactory(name_en="Vera Viewer", name_zh="观众", language="en")


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Sockets:
    """Opens room sockets through the whole ASGI stack (origin check, auth, routing) and closes them all."""

    def __init__(self):
        self.open: list[WebsocketCommunicator] = []

    async def connect(self, room, user=None, *, since=None, origin="http://testserver", headers=()):
        from contest_site.asgi import application

        all_headers = [(b"host", b"testserver"), *headers]
        if origin:
            all_headers.append((b"origin", origin.encode()))
        if user is not None:
            cookie = await database_sync_to_async(_session_cookie)(user)
            all_headers.append((b"cookie", f"sessionid={cookie}".encode()))
        path = f"/ws/rooms/{room.slug}/" + (f"?since={since}" if since is not None else "")
        socket = WebsocketCommunicator(application, path, headers=all_headers)
        connected, _code = await socket.connect(timeout=RECEIVE_TIMEOUT)
        if connected:
            self.open.append(socket)
        return socket, connected

    async def join(self, room, user=None, **kwargs):
        """Connect and return (socket, the room.state frame)."""
        socket, connected = await self.connect(room, user, **kwargs)
        assert connected
        state = await receive(socket)
        assert state["type"] == "room.state"
        return socket, state

    async def close_all(self):
        for socket in self.open:
            await socket.disconnect()
        self.open = []


async def receive(socket) -> dict:
    return json.loads(await socket.receive_from(timeout=RECEIVE_TIMEOUT))


async def send(socket, frame: dict) -> None:
    await socket.send_to(text_data=json.dumps(frame))


@pytest.fixture
def live():
    """Run an async scenario ``scenario(sockets)`` to its end, closing every socket it opened."""
    from asgiref.sync import async_to_sync

    def run(scenario):
        async def main():
            sockets = Sockets()
            try:
                await scenario(sockets)
            finally:
                await sockets.close_all()

        async_to_sync(main)()

    return run
