"""Anonymous viewers joining afresh share one connect state per hub while nothing changes it."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from livestream import hub, services

from .conftest import receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def builds(monkeypatch):
    """Counts the room states built (for anyone)."""
    counted = []
    original = services.room_state

    def counting(**kwargs):
        counted.append(kwargs["user"])
        return original(**kwargs)

    monkeypatch.setattr(services, "room_state", counting)
    return counted


def test_anonymous_joins_share_one_state_built_once(live, room, viewer, builds):
    services.chat_send(room=room, user=viewer, text="earlier", client_id="0")

    async def scenario(sockets):
        states = [(await sockets.join(room))[1] for _ in range(3)]
        assert len(builds) == 1
        assert [[m["text"] for m in state["chat"]] for state in states] == [["earlier"]] * 3
        assert [state["presence"] for state in states] == [1, 2, 3]  # presence is each socket's own
        assert all(state["me"]["signed_in"] is False for state in states)

    live(scenario)


def test_anonymous_joins_at_once_wait_for_one_build(live, room, builds):
    async def scenario(sockets):
        joined = await asyncio.gather(*(sockets.join(room) for _ in range(6)))
        assert len(builds) == 1
        assert {state["seq"] for _socket, state in joined} == {0}

    live(scenario)


def test_a_stored_event_makes_the_next_anonymous_join_read_afresh(live, room, viewer, builds):
    async def scenario(sockets):
        first, _ = await sockets.join(room)
        await database_sync_to_async(services.chat_send)(room=room, user=viewer, text="news", client_id="1")
        assert (await receive(first))["text"] == "news"  # fanned out: the shared state is out of date
        _second, state = await sockets.join(room)
        assert len(builds) == 2
        assert state["seq"] == 1 and [m["text"] for m in state["chat"]] == ["news"]

    live(scenario)


def test_a_state_older_than_its_limit_is_read_afresh(live, room, builds, monkeypatch):
    monkeypatch.setattr(hub, "ANONYMOUS_STATE_MAX_AGE", 0.0)

    async def scenario(sockets):
        await sockets.join(room)
        await sockets.join(room)
        assert len(builds) == 2

    live(scenario)


def test_signed_in_and_resuming_sockets_get_states_of_their_own(live, room, viewer, builds):
    async def scenario(sockets):
        await sockets.join(room)
        _socket, mine = await sockets.join(room, viewer)
        await sockets.join(room, since=0)
        assert len(builds) == 3
        assert mine["me"]["signed_in"] is True and mine["me"]["id"] == viewer.pk

    live(scenario)


def test_an_event_stored_while_the_shared_state_is_built_reaches_the_joining_socket(live, room, viewer, monkeypatch):
    """The event lands between the build's read and the join's end: the socket gets it live, once."""
    original = services.room_state

    def slow_state(**kwargs):
        state = original(**kwargs)
        services.chat_send(room=room, user=viewer, text="meanwhile", client_id="m")  # after the read
        return state

    monkeypatch.setattr(services, "room_state", slow_state)

    async def scenario(sockets):
        socket, state = await sockets.join(room)
        assert state["seq"] == 0 and state["chat"] == []
        frame = await receive(socket)
        assert (frame["type"], frame["seq"], frame["text"]) == ("chat.message", 1, "meanwhile")
        assert await socket.receive_nothing(timeout=0.3)

    live(scenario)
