"""The room hub's figures (core.metrics): open sockets and rooms in this process, frames fanned out, fan-out lag."""

import pytest
from prometheus_client import REGISTRY

from tests.factories import UserFactory

from .conftest import receive, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def figure(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


def test_sockets_frames_and_lag_are_reported(live, room, viewer):
    frames_before = figure("haizhi_room_frames_total")
    flushes_before = figure("haizhi_room_fanout_lag_seconds_count")
    seen = {}
    other = UserFactory()

    async def scenario(sockets):
        alice, _ = await sockets.join(room, viewer)
        bob, _ = await sockets.join(room, other)
        seen["joined"] = (figure("haizhi_room_sockets"), figure("haizhi_room_hubs"))
        await send(alice, {"type": "chat.send", "text": "hello", "client_id": "m-1"})
        for socket in (alice, bob):
            assert (await receive(socket))["type"] == "chat.message"
        await sockets.close_all()
        seen["left"] = (figure("haizhi_room_sockets"), figure("haizhi_room_hubs"))

    live(scenario)
    assert seen == {"joined": (2.0, 1.0), "left": (0.0, 0.0)}
    assert figure("haizhi_room_frames_total") == frames_before + 1  # one frame, however many sockets
    assert figure("haizhi_room_fanout_lag_seconds_count") >= flushes_before + 1
