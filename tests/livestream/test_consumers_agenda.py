"""Agenda and interest frames over the room websocket (whole ASGI stack, in-memory or Redis layer)."""

import pytest
from channels.db import database_sync_to_async

from events.models import Role
from livestream import hub, services
from livestream.models import AgendaSlot, RoomInterest
from tests.factories import AgendaSlotFactory, EventRoleFactory, UserFactory

from .conftest import receive, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def test_state_on_connect_has_the_agenda_now_presenting_and_server_time(live, room, organiser, viewer):
    first, second = AgendaSlotFactory(room=room), AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)

    async def scenario(sockets):
        _socket, state = await sockets.join(room, viewer)
        assert [(slot["id"], slot["state"]) for slot in state["agenda"]] == [
            (first.pk, "presenting"),
            (second.pk, "pending"),
        ]
        assert state["presenting"] == first.pk
        assert state["agenda"][0]["ends_at"] is not None
        assert isinstance(state["server_ms"], int) and state["server_time"].endswith("+00:00")

    live(scenario)


def test_organiser_moves_the_agenda_and_every_socket_sees_it(live, room, organiser, viewer):
    first, second = AgendaSlotFactory(room=room), AgendaSlotFactory(room=room)

    async def scenario(sockets):
        console, _ = await sockets.join(room, organiser)
        alice, _ = await sockets.join(room, viewer)
        anonymous, _ = await sockets.join(room)
        await send(console, {"type": "pitch.next"})
        started = [await receive(socket) for socket in (console, alice, anonymous)]
        assert started[0] == started[1] == started[2]
        assert (started[0]["type"], started[0]["seq"], started[0]["slot"]["id"]) == ("pitch.started", 1, first.pk)
        assert started[0]["ended"] is None

        await send(console, {"type": "pitch.extend", "seconds": 60})
        extended = [await receive(socket) for socket in (console, alice, anonymous)]
        assert {(f["type"], f["seq"], f["slot"]["extended_seconds"]) for f in extended} == {("pitch.extended", 2, 60)}

        await send(console, {"type": "pitch.next"})
        for socket in (console, alice, anonymous):
            moved = await receive(socket)
            assert (moved["seq"], moved["slot"]["id"], moved["ended"]["id"], moved["ended"]["state"]) == (
                3,
                second.pk,
                first.pk,
                "done",
            )

        await send(console, {"type": "agenda.reorder", "slot_ids": [second.pk, first.pk]})
        await send(console, {"type": "pitch.end"})
        for socket in (console, alice, anonymous):
            reordered = await receive(socket)
            assert (reordered["type"], [s["id"] for s in reordered["agenda"]]) == (
                "agenda.updated",
                [second.pk, first.pk],
            )
            ended = await receive(socket)
            assert (ended["type"], ended["seq"], ended["slot"]["state"]) == ("pitch.ended", 5, "done")

    live(scenario)


def test_viewers_cannot_move_the_agenda_and_bad_input_gets_error_frames(live, room, organiser, viewer):
    AgendaSlotFactory(room=room)

    async def scenario(sockets):
        console, _ = await sockets.join(room, organiser)
        alice, _ = await sockets.join(room, viewer)
        for frame in ({"type": "pitch.next"}, {"type": "pitch.extend", "seconds": 60}, {"type": "pitch.end"}):
            await send(alice, frame)
            error = await receive(alice)
            assert (error["type"], error["code"], error["for"]) == ("error", "not_allowed", frame["type"])
        await send(console, {"type": "pitch.extend", "seconds": 60})
        assert (await receive(console))["code"] == "not_found"  # nothing on stage yet
        await send(console, {"type": "pitch.next", "slot_id": "first"})
        assert (await receive(console))["code"] == "bad_request"
        await send(console, {"type": "agenda.reorder", "slot_ids": [1, 2, 3]})
        assert (await receive(console))["code"] == "bad_request"
        await send(console, {"type": "agenda.set"})
        assert (await receive(console))["code"] == "unknown_type"  # the agenda is set on its page
        await send(console, {"type": "pitch.next"})
        assert (await receive(console))["type"] == "pitch.started"
        await send(console, {"type": "pitch.extend", "seconds": 9999})
        error = await receive(console)
        # The organiser's profile language is Chinese, so the refusal is in Chinese.
        assert (error["code"], error["message"]) == ("bad_request", "每次可将路演延长 1 至 600 秒。")
        # Alice saw only the pitch that started: no refusal reached her.
        assert (await receive(alice))["type"] == "pitch.started"

    live(scenario)
    assert AgendaSlot.objects.get().extended_seconds == 0


def test_a_viewer_who_reconnects_gets_the_pitch_changes_missed(live, room, organiser, viewer):
    AgendaSlotFactory.create_batch(2, room=room)

    async def scenario(sockets):
        alice, state = await sockets.join(room, viewer)
        await alice.disconnect()
        sockets.open.remove(alice)
        await database_sync_to_async(services.pitch_start)(room=room, user=organiser)
        await database_sync_to_async(services.pitch_start)(room=room, user=organiser)
        alice, resumed = await sockets.join(room, viewer, since=state["seq"])
        assert (resumed["resume"], resumed["presenting"]) == (True, resumed["agenda"][1]["id"])
        missed = [await receive(alice), await receive(alice)]
        assert [(f["type"], f["seq"]) for f in missed] == [("pitch.started", 1), ("pitch.started", 2)]

    live(scenario)


def test_interest_counts_reach_organisers_and_the_entrant_only(live, room, organiser, viewer):
    slot = AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    enterprise = UserFactory(name_en="Zhou Xiao")
    EventRoleFactory(event=room.event, user=enterprise, role=Role.ENTERPRISE)
    entrant = slot.entry.owner

    async def scenario(sockets):
        console, _ = await sockets.join(room, organiser)
        owner, owner_state = await sockets.join(room, entrant)
        alice, _ = await sockets.join(room, viewer)
        buyer, buyer_state = await sockets.join(room, enterprise)
        assert owner_state["interest"] == [{"entry_id": slot.entry_id, "total": 0}]
        assert buyer_state["me"]["can_mark_interest"] is True
        await send(buyer, {"type": "interest.mark", "slot_id": slot.pk})
        marked = {"type": "interest.marked", "slot_id": slot.pk, "entry_id": slot.entry_id, "duplicate": False}
        assert await receive(buyer) == marked
        await send(buyer, {"type": "interest.mark", "slot_id": slot.pk})
        assert await receive(buyer) == {**marked, "duplicate": True}
        await send(alice, {"type": "interest.mark", "slot_id": slot.pk})
        assert (await receive(alice))["code"] == "not_allowed"

        await hub.hub_for(room.pk).tick()
        for socket in (console, owner, alice, buyer):
            assert await receive(socket) == {"type": "presence", "count": 4}
        to_organiser = await receive(console)
        assert (to_organiser["type"], to_organiser["entry_id"], to_organiser["total"]) == (
            "interest",
            slot.entry_id,
            1,
        )
        assert [(p["id"], p["name_en"]) for p in to_organiser["people"]] == [(enterprise.pk, "Zhou Xiao")]
        assert await receive(owner) == {"type": "interest", "entry_id": slot.entry_id, "total": 1}
        # The audience got nothing: their next frame is the answer to a ping.
        for socket in (alice, buyer):
            await send(socket, {"type": "ping"})
            assert (await receive(socket))["type"] == "pong"

    live(scenario)
    assert RoomInterest.objects.count() == 1


def test_interest_marked_in_another_process_is_pushed_here(live, room, organiser):
    slot = AgendaSlotFactory(room=room, state="done", started_at=room.created_at)
    services.interest_mark(room=room, user=organiser, slot_id=slot.pk)

    async def scenario(sockets):
        console, _ = await sockets.join(room, organiser)
        room_hub = hub.hub_for(room.pk)
        await room_hub.handle({"type": "hub.interest", "process": "other-process", "entry_ids": [slot.entry_id]})
        await room_hub.tick()
        assert (await receive(console))["type"] == "presence"
        pushed = await receive(console)
        assert (pushed["type"], pushed["total"], [p["id"] for p in pushed["people"]]) == (
            "interest",
            1,
            [organiser.pk],
        )

    live(scenario)


def test_room_details_edited_on_the_page_reach_every_socket(live, room, organiser, viewer):
    async def scenario(sockets):
        alice, _ = await sockets.join(room, viewer)
        await database_sync_to_async(services.room_update)(
            room=room, user=organiser, title_en="Final, day 2", hls_url="https://video.example/day2.m3u8"
        )
        updated = await receive(alice)
        assert (updated["type"], updated["seq"], updated["room"]["title_en"]) == ("room.updated", 1, "Final, day 2")
        assert updated["room"]["video"] == {
            "hls_url": "https://video.example/day2.m3u8",
            "embed_url": "",
            "recording_url": "",
        }

    live(scenario)
