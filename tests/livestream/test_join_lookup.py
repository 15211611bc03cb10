"""Joining sockets share the room's row per process: no query for an anonymous join once the hub is up,
and every change to the room (or its event) reaches the next join."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db.backends.utils import CursorWrapper

from events.models import Role
from livestream import broadcast, hub, services
from livestream.models import RoadshowRoom
from tests.factories import EventRoleFactory, UserFactory

from .conftest import receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def queries(monkeypatch):
    """Every SQL statement run, in any thread (the database thread included)."""
    seen: list[str] = []
    original = CursorWrapper._execute_with_wrappers

    def counting(self, sql, params, many, executor):
        seen.append(sql)
        return original(self, sql, params, many, executor)

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", counting)
    return seen


@pytest.fixture
def room_reads(monkeypatch):
    """The rooms read by slug for joining sockets."""
    slugs: list[str] = []
    original = hub._room_by_slug

    def counting(slug):
        slugs.append(slug)
        return original(slug)

    monkeypatch.setattr(hub, "_room_by_slug", counting)
    return slugs


async def refusal(sockets, room) -> tuple[str, int]:
    """Connect a socket that is refused: (the error code, the close code)."""
    socket, connected = await sockets.connect(room)
    assert connected  # accepted to say why, then closed
    code = (await receive(socket))["code"]
    close = await socket.receive_output(timeout=10)
    sockets.open.remove(socket)
    return code, close["code"]


def test_anonymous_joins_after_the_first_query_nothing(live, room, queries):
    async def scenario(sockets):
        await sockets.join(room)
        first = len(queries)
        assert first > 0
        for expected_presence in (2, 3, 4, 5):
            _socket, state = await sockets.join(room)
            assert state["presence"] == expected_presence
        assert queries[first:] == []

    live(scenario)


def test_joins_at_once_read_the_room_once(live, room, room_reads):
    async def scenario(sockets):
        joined = await asyncio.gather(*(sockets.join(room) for _ in range(8)))
        assert {state["room"]["slug"] for _socket, state in joined} == {room.slug}
        await sockets.join(room)
        assert room_reads == [room.slug]

    live(scenario)


def test_signed_in_joins_still_check_the_person(live, room, room_reads):
    person = UserFactory()

    async def scenario(sockets):
        _socket, before = await sockets.join(room, person)
        assert before["me"]["moderator"] is False
        await database_sync_to_async(EventRoleFactory)(event=room.event, user=person, role=Role.ORGANISER)
        _socket, after = await sockets.join(room, person)
        assert after["me"]["moderator"] is True  # the room is shared, the person's roles are not
        assert room_reads == [room.slug]

    live(scenario)


def test_a_room_that_ends_is_read_afresh_by_the_next_join(live, room, room_reads):
    organiser = UserFactory()
    EventRoleFactory(event=room.event, user=organiser, role=Role.ORGANISER)

    async def scenario(sockets):
        first, state = await sockets.join(room)
        assert state["room"]["status"] == "live"
        await database_sync_to_async(
            lambda: services.room_end(room=RoadshowRoom.objects.get(pk=room.pk), user=organiser)
        )()
        assert (await receive(first))["status"] == "ended"  # the hub has seen the room.status event
        _second, state = await sockets.join(room)
        assert state["room"]["status"] == "ended"
        assert room_reads == [room.slug, room.slug]

    live(scenario)


def test_an_edit_outside_the_live_layer_reaches_the_next_join(live, room):
    async def scenario(sockets):
        await sockets.join(room)

        def close_to_the_public():
            edited = RoadshowRoom.objects.get(pk=room.pk)
            edited.visibility = RoadshowRoom.Visibility.REGISTERED
            edited.save()  # as the admin does

        await database_sync_to_async(close_to_the_public)()
        assert await refusal(sockets, room) == ("not_signed_in", 4403)

    live(scenario)


def test_another_process_announcing_a_change_makes_joins_read_afresh(live, room, room_reads):
    async def scenario(sockets):
        await sockets.join(room)

        def changed_elsewhere():
            # No signal here: the change is another process's, which announces it to the room's group.
            RoadshowRoom.objects.filter(pk=room.pk).update(visibility=RoadshowRoom.Visibility.REGISTERED)
            broadcast.group_send(room.pk, {"type": "room.changed"})

        await database_sync_to_async(changed_elsewhere)()
        for _attempt in range(100):  # the hub handles the message on its own task
            if hub._room_changed_at.get(room.pk, 0) > hub.hub_for(room.pk).subscribed_from:
                break
            await asyncio.sleep(0.01)
        assert await refusal(sockets, room) == ("not_signed_in", 4403)
        assert room_reads == [room.slug, room.slug]

    live(scenario)


def test_a_deleted_room_is_not_served(live, room):
    async def scenario(sockets):
        await sockets.join(room)
        await database_sync_to_async(lambda: RoadshowRoom.objects.get(pk=room.pk).delete())()
        assert await refusal(sockets, room) == ("not_found", 4404)

    live(scenario)


def test_an_unpublished_event_closes_its_rooms_to_new_joins(live, room):
    async def scenario(sockets):
        await sockets.join(room)

        def unpublish():
            event = room.event
            event.is_published = False
            event.save()

        await database_sync_to_async(unpublish)()
        assert await refusal(sockets, room) == ("not_signed_in", 4403)

    live(scenario)


def test_a_room_older_than_its_limit_is_read_afresh(live, room, room_reads, monkeypatch):
    monkeypatch.setattr(hub, "ROOM_CACHE_SECONDS", 0.0)

    async def scenario(sockets):
        await sockets.join(room)
        await sockets.join(room)
        assert room_reads == [room.slug, room.slug]

    live(scenario)


def test_a_room_is_read_again_once_its_last_socket_left(live, room, room_reads):
    async def scenario(sockets):
        await sockets.join(room)
        await sockets.close_all()  # the hub stops: nothing tells this process of changes any more
        await sockets.join(room)
        assert room_reads == [room.slug, room.slug]

    live(scenario)
