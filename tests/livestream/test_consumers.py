"""The room websocket through the whole ASGI stack (origin check, session auth, routing, hub)."""

import pytest
from channels.db import database_sync_to_async
from django.utils import translation
from django.utils.translation import gettext

from events.models import Role
from livestream import hub, services
from livestream.models import ChatMessage, RoadshowRoom
from tests.factories import EventRoleFactory, RoadshowRoomFactory, UserFactory

from .conftest import receive, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def test_connect_gets_the_room_state(live, room, viewer):
    services.chat_send(room=room, user=viewer, text="earlier", client_id="0")

    async def scenario(sockets):
        _socket, state = await sockets.join(room, viewer)
        assert state["seq"] == 1
        assert state["resume"] is False
        assert state["presence"] == 1
        assert state["room"]["slug"] == room.slug and state["room"]["status"] == "live"
        assert state["me"] == {
            "id": viewer.pk,
            "signed_in": True,
            "can_post": True,
            "moderator": False,
            "muted": False,
            "can_mark_interest": False,
            "interested_entries": [],
            "own_entries": [],
        }
        assert [m["text"] for m in state["chat"]] == ["earlier"]
        assert state["questions"] == [] and state["polls"] == []
        assert (state["agenda"], state["presenting"], state["interest"]) == ([], None, [])
        assert state["reactions"] == {"applause": 0, "heart": 0, "fire": 0, "idea": 0}

    live(scenario)


def test_chat_round_trip_reaches_both_sockets(live, room, viewer):
    other = UserFactory()

    async def scenario(sockets):
        alice, _ = await sockets.join(room, viewer)
        bob, _ = await sockets.join(room, other)
        await send(alice, {"type": "chat.send", "text": "你好 <script>", "client_id": "a-1"})
        for socket in (alice, bob):
            frame = await receive(socket)
            assert (frame["type"], frame["seq"], frame["text"], frame["client_id"]) == (
                "chat.message",
                1,
                "你好 <script>",
                "a-1",
            )
            assert frame["user"]["id"] == viewer.pk

    live(scenario)
    assert ChatMessage.objects.get().text == "你好 <script>"


def test_resend_is_answered_to_the_sender_only_and_stored_once(live, room, viewer):
    other = UserFactory()

    async def scenario(sockets):
        alice, _ = await sockets.join(room, viewer)
        bob, _ = await sockets.join(room, other)
        await send(alice, {"type": "chat.send", "text": "once", "client_id": "dup"})
        assert (await receive(alice))["seq"] == 1
        assert (await receive(bob))["seq"] == 1
        await send(alice, {"type": "chat.send", "text": "once", "client_id": "dup"})
        again = await receive(alice)
        assert (again["type"], again["seq"], again["duplicate"]) == ("chat.message", 1, True)
        # Bob's next frame is the next real message, not the resend.
        await send(alice, {"type": "chat.send", "text": "twice", "client_id": "next"})
        assert (await receive(bob))["text"] == "twice"

    live(scenario)
    assert ChatMessage.objects.count() == 2


def test_reconnect_with_since_gets_exactly_the_missed_events(live, room, viewer):
    other = UserFactory()

    async def scenario(sockets):
        alice, _ = await sockets.join(room, viewer)
        await send(alice, {"type": "chat.send", "text": "seen", "client_id": "1"})
        assert (await receive(alice))["seq"] == 1
        await alice.disconnect()
        sockets.open.remove(alice)
        for n in (2, 3, 4):
            await database_sync_to_async(services.chat_send)(
                room=room, user=other, text=f"missed {n}", client_id=str(n)
            )
        alice, state = await sockets.join(room, viewer, since=1)
        assert (state["resume"], state["seq"]) == (True, 4)
        assert "chat" not in state
        missed = [await receive(alice) for _ in range(3)]
        assert [(f["seq"], f["text"]) for f in missed] == [(2, "missed 2"), (3, "missed 3"), (4, "missed 4")]
        # Then live events follow.
        await database_sync_to_async(services.chat_send)(room=room, user=other, text="live", client_id="5")
        assert [(f["seq"], f["text"]) for f in [await receive(alice)]] == [(5, "live")]

    live(scenario)


def test_anonymous_viewer_watches_a_public_room_but_cannot_post(live, room, viewer):
    async def scenario(sockets):
        anonymous, state = await sockets.join(room)
        assert state["me"] == {
            "id": None,
            "signed_in": False,
            "can_post": False,
            "moderator": False,
            "muted": False,
            "can_mark_interest": False,
            "interested_entries": [],
            "own_entries": [],
        }
        await send(anonymous, {"type": "chat.send", "text": "hi", "client_id": "x"})
        error = await receive(anonymous)
        assert error["type"] == "error" and error["code"] == "not_signed_in" and error["for"] == "chat.send"
        assert error["client_id"] == "x"
        # The socket stays open and keeps receiving the room.
        await database_sync_to_async(services.chat_send)(room=room, user=viewer, text="hello", client_id="1")
        assert (await receive(anonymous))["text"] == "hello"

    live(scenario)
    assert ChatMessage.objects.count() == 1


def test_registered_only_room_refuses_anonymous_sockets(live):
    room = RoadshowRoomFactory(visibility=RoadshowRoom.Visibility.REGISTERED)
    member = UserFactory()

    async def scenario(sockets):
        socket, connected = await sockets.connect(room)
        assert connected  # accepted to say why, then closed
        error = await receive(socket)
        assert error["code"] == "not_signed_in"
        assert (await socket.receive_output(timeout=10)) == {"type": "websocket.close", "code": 4403}
        sockets.open.remove(socket)
        _socket, state = await sockets.join(room, member)
        assert state["room"]["visibility"] == "registered"

    live(scenario)


def test_unknown_room_is_refused(live):
    async def scenario(sockets):
        socket, _connected = await sockets.connect(RoadshowRoom(slug="no-such-room"))
        assert (await receive(socket))["code"] == "not_found"
        assert (await socket.receive_output(timeout=10))["code"] == 4404
        sockets.open.remove(socket)

    live(scenario)


def test_error_frames_are_in_the_users_language_and_the_socket_stays_open(live, room):
    english = UserFactory(language="en")
    chinese = UserFactory(language="zh-hans")

    async def scenario(sockets):
        en_socket, _ = await sockets.join(room, english)
        zh_socket, _ = await sockets.join(room, chinese)
        too_long = "x" * 501
        await send(en_socket, {"type": "chat.send", "text": too_long, "client_id": "1"})
        await send(zh_socket, {"type": "chat.send", "text": too_long, "client_id": "1"})
        en_error, zh_error = await receive(en_socket), await receive(zh_socket)
        assert en_error["code"] == zh_error["code"] == "too_long"
        assert en_error["message"] == "This is too long: at most 500 characters."
        with translation.override("zh-hans"):
            expected = gettext("This is too long: at most %(limit)d characters.") % {"limit": 500}
        assert zh_error["message"] == expected
        await send(en_socket, {"type": "ping"})
        assert (await receive(en_socket))["type"] == "pong"

    live(scenario)


def test_malformed_and_unknown_frames_get_error_frames(live, room, viewer):
    async def scenario(sockets):
        socket, _ = await sockets.join(room, viewer)
        await socket.send_to(text_data="{not json")
        assert (await receive(socket))["code"] == "bad_request"
        await socket.send_to(text_data="[1, 2]")
        assert (await receive(socket))["code"] == "bad_request"
        await send(socket, {"type": "teleport.now"})
        assert (await receive(socket))["code"] == "unknown_type"
        await send(socket, {"type": "chat.explode"})
        assert (await receive(socket))["code"] == "unknown_type"
        await send(socket, {"type": "chat.send", "text": ["not", "text"], "client_id": "1"})
        assert (await receive(socket))["code"] == "bad_request"
        await send(socket, {"type": "ping"})
        assert (await receive(socket))["type"] == "pong"

    live(scenario)


def test_too_long_muted_and_rate_limited_get_error_frames(live, room, viewer, organiser, settings):
    settings.LIVESTREAM_RATE_LIMITS = {**settings.LIVESTREAM_RATE_LIMITS, "chat": (2, 3600)}

    async def scenario(sockets):
        socket, _ = await sockets.join(room, viewer)
        await send(socket, {"type": "chat.send", "text": "x" * 501, "client_id": "long"})
        assert (await receive(socket))["code"] == "too_long"
        for n in range(2):
            await send(socket, {"type": "chat.send", "text": f"m{n}", "client_id": str(n)})
            assert (await receive(socket))["seq"] == n + 1
        await send(socket, {"type": "chat.send", "text": "m2", "client_id": "2"})
        assert (await receive(socket))["code"] == "rate_limited"
        await database_sync_to_async(services.user_mute)(room=room, user=organiser, target_id=viewer.pk)
        assert await receive(socket) == {"type": "me", "muted": True}
        await send(socket, {"type": "chat.send", "text": "m3", "client_id": "3"})
        assert (await receive(socket))["code"] == "muted"

    live(scenario)


def test_foreign_origin_is_refused(live, room, viewer):
    async def scenario(sockets):
        _socket, connected = await sockets.connect(room, viewer, origin="http://evil.example")
        assert connected is False
        _socket, connected = await sockets.connect(room, viewer, origin=None)
        assert connected is False

    live(scenario)


def test_moderator_hide_reaches_everyone(live, room, viewer, organiser):
    other = UserFactory()

    async def scenario(sockets):
        mod, _ = await sockets.join(room, organiser)
        alice, _ = await sockets.join(room, viewer)
        bob, _ = await sockets.join(room, other)
        await send(alice, {"type": "chat.send", "text": "rude", "client_id": "1"})
        for socket in (mod, alice, bob):
            assert (await receive(socket))["seq"] == 1
        await send(mod, {"type": "chat.hide", "message_seq": 1})
        for socket in (mod, alice, bob):
            assert await receive(socket) == {"type": "chat.hidden", "seq": 2, "message_seq": 1}

    live(scenario)


def test_non_moderator_cannot_hide(live, room, viewer):
    other = UserFactory()

    async def scenario(sockets):
        alice, _ = await sockets.join(room, viewer)
        bob, _ = await sockets.join(room, other)
        await send(alice, {"type": "chat.send", "text": "mine", "client_id": "1"})
        assert (await receive(alice))["seq"] == 1
        assert (await receive(bob))["seq"] == 1
        await send(bob, {"type": "chat.hide", "message_seq": 1})
        error = await receive(bob)
        assert (error["type"], error["code"], error["for"]) == ("error", "not_allowed", "chat.hide")
        # Alice's next frame is her next message: nothing was hidden.
        await send(alice, {"type": "chat.send", "text": "still here", "client_id": "2"})
        alice_copy, bob_copy = await receive(alice), await receive(bob)
        assert alice_copy == bob_copy
        assert (alice_copy["seq"], alice_copy["text"]) == (2, "still here")

    live(scenario)
    assert ChatMessage.objects.filter(hidden=True).count() == 0


def test_moderator_frames_never_reach_audience_sockets(live, room, viewer, organiser):
    async def scenario(sockets):
        mod, _ = await sockets.join(room, organiser)
        alice, _ = await sockets.join(room, viewer)
        target = await database_sync_to_async(UserFactory)()
        await send(mod, {"type": "user.mute", "user_id": target.pk})
        muted = await receive(mod)
        assert (muted["type"], muted["seq"], muted["user"]["id"]) == ("user.muted", 1, target.pk)
        await send(mod, {"type": "room.slow_mode", "seconds": 10})
        assert (await receive(mod))["seq"] == 2
        # The audience socket gets seq 2 next: seq 1 (moderators only) never reached it.
        assert await receive(alice) == {"type": "room.slow_mode", "seq": 2, "seconds": 10}

    live(scenario)


def test_questions_and_polls_over_the_socket(live, room, viewer, organiser):
    async def scenario(sockets):
        mod, _ = await sockets.join(room, organiser)
        alice, _ = await sockets.join(room, viewer)
        await send(alice, {"type": "question.ask", "text": "When do you ship?", "client_id": "q"})
        asked = await receive(alice)
        assert (asked["type"], asked["question"]["text"], asked["question"]["votes"]) == (
            "question.asked",
            "When do you ship?",
            0,
        )
        assert (await receive(mod))["seq"] == asked["seq"]
        await send(mod, {"type": "question.upvote", "question_id": asked["question"]["id"]})
        assert (await receive(alice))["question"]["votes"] == 1
        assert (await receive(mod))["question"]["votes"] == 1
        options = [{"label_zh": "是", "label_en": "Yes"}, {"label_zh": "否", "label_en": "No"}]
        await send(mod, {"type": "poll.open", "question_zh": "投资吗？", "question_en": "Invest?", "options": options})
        opened = await receive(alice)
        assert opened["type"] == "poll.opened" and [o["label_en"] for o in opened["poll"]["options"]] == ["Yes", "No"]
        await receive(mod)
        yes = opened["poll"]["options"][0]["id"]
        await send(alice, {"type": "poll.vote", "poll_id": opened["poll"]["id"], "option_id": yes})
        assert await receive(alice) == {"type": "poll.voted", "poll_id": opened["poll"]["id"], "option_id": yes}
        await hub.hub_for(room.pk).tick()
        for socket in (alice, mod):
            assert (await receive(socket)) == {"type": "presence", "count": 2}
            results = await receive(socket)
            assert results["type"] == "poll.results"
            assert [o["votes"] for o in results["poll"]["options"]] == [1, 0]
        await send(mod, {"type": "poll.close", "poll_id": opened["poll"]["id"]})
        closed = await receive(alice)
        assert (closed["type"], closed["poll"]["status"], closed["poll"]["total"]) == ("poll.closed", "closed", 1)

    live(scenario)


def test_presence_is_aggregated_into_one_frame_per_tick(live, room):
    viewers = UserFactory.create_batch(12)

    async def scenario(sockets):
        joined = [await sockets.join(room, user) for user in viewers]
        room_hub = hub.hub_for(room.pk)
        await room_hub.tick()
        for socket, _state in joined:
            assert await receive(socket) == {"type": "presence", "count": 12}
        # Nobody came or went: the next tick sends nothing, so each socket's next frame is the pong.
        await room_hub.tick()
        first = joined[0][0]
        await send(first, {"type": "ping"})
        assert (await receive(first))["type"] == "pong"
        await joined[-1][0].disconnect()
        sockets.open.remove(joined[-1][0])
        await room_hub.tick()
        assert await receive(first) == {"type": "presence", "count": 11}

    live(scenario)


def test_reactions_are_pushed_as_one_aggregated_frame(live, room):
    viewers = UserFactory.create_batch(3)

    async def scenario(sockets):
        joined = [(await sockets.join(room, user))[0] for user in viewers]
        for socket in joined:
            await send(socket, {"type": "reaction.send", "kind": "applause"})
        await send(joined[0], {"type": "reaction.send", "kind": "heart"})
        await send(joined[0], {"type": "reaction.send", "kind": "boo"})
        assert (await receive(joined[0]))["code"] == "bad_request"
        # Reactions are handled in order per socket: a ping answered means its reactions were counted.
        for socket in joined:
            await send(socket, {"type": "ping"})
            assert (await receive(socket))["type"] == "pong"
        await hub.hub_for(room.pk).tick()
        for socket in joined:
            assert await receive(socket) == {"type": "presence", "count": 3}
            assert await receive(socket) == {"type": "reactions", "counts": {"applause": 3, "heart": 1}}
        assert await database_sync_to_async(services.reaction_totals)(room.pk) == {
            "applause": 3,
            "heart": 1,
            "fire": 0,
            "idea": 0,
        }

    live(scenario)


def test_two_hubs_share_presence_counts_through_the_layer(live, room):
    """Another process's hub announces its count; this process adds it to its own."""

    async def scenario(sockets):
        socket, _ = await sockets.join(room, await database_sync_to_async(UserFactory)())
        room_hub = hub.hub_for(room.pk)
        await room_hub.handle({"type": "hub.presence", "process": "other-process", "count": 40})
        await room_hub.tick()
        assert await receive(socket) == {"type": "presence", "count": 41}
        await room_hub.handle({"type": "hub.presence", "process": "other-process", "count": 0})
        await room_hub.tick()
        assert await receive(socket) == {"type": "presence", "count": 1}

    live(scenario)


def test_hub_fills_a_gap_in_seq_from_the_database(live, room, viewer):
    async def scenario(sockets):
        socket, _ = await sockets.join(room, viewer)
        room_hub = hub.hub_for(room.pk)
        # Stored, but its broadcast is lost (as if the layer dropped it): store without a hub listening.
        await database_sync_to_async(_store_silently)(room, viewer)
        await database_sync_to_async(services.chat_send)(room=room, user=viewer, text="second", client_id="2")
        assert [(await receive(socket))["text"] for _ in range(2)] == ["lost in transit", "second"]
        assert room_hub.last_seq == 2

    live(scenario)


def _store_silently(room, user):
    from unittest import mock

    with mock.patch("livestream.broadcast.group_send"):
        services.chat_send(room=room, user=user, text="lost in transit", client_id="1")


def test_judge_of_the_event_is_not_a_moderator_on_the_socket(live, room):
    judge = UserFactory()
    EventRoleFactory(event=room.event, user=judge, role=Role.JUDGE)

    async def scenario(sockets):
        socket, state = await sockets.join(room, judge)
        assert state["me"]["moderator"] is False
        await send(socket, {"type": "room.end"})
        assert (await receive(socket))["code"] == "not_allowed"

    live(scenario)


def test_a_process_joins_a_rooms_group_once_however_many_sockets(live, room, settings):
    if "InMemoryChannelLayer" not in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        pytest.skip("group membership is inspected on the in-memory layer")
    from channels.layers import get_channel_layer

    from livestream.broadcast import room_group

    async def scenario(sockets):
        for _ in range(3):
            await sockets.join(room)
        members = get_channel_layer().groups[room_group(room.pk)]
        assert list(members) == [hub.hub_for(room.pk).channel]
        await sockets.close_all()
        assert hub.hub_for(room.pk) is None
        assert room_group(room.pk) not in get_channel_layer().groups

    live(scenario)
