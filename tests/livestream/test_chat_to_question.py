"""Moderators turn a chat message into a Q&A question asked by the message's author."""

import pytest
from django.utils import translation

from events.models import Role
from livestream import services
from livestream.models import ChatMessage, Question, RoomEvent
from livestream.services import LiveError
from tests.factories import EventRoleFactory, RoadshowRoomFactory, UserFactory

from .conftest import receive, send

pytestmark = pytest.mark.integration


def _refusal(**kwargs) -> tuple[str, str]:
    with translation.override("en"):
        with pytest.raises(LiveError) as caught:
            services.chat_to_question(**kwargs)
        return caught.value.code, caught.value.frame()["message"]


@pytest.mark.django_db
def test_the_question_keeps_the_author_and_text_and_the_message_is_hidden(room, organiser, viewer):
    sent = services.chat_send(room=room, user=viewer, text="What is your burn rate?", client_id="c1")
    asked = services.chat_to_question(room=room, user=organiser, message_seq=sent["seq"])
    question = Question.objects.get()
    assert (question.user, question.text, question.votes, question.source_message.seq) == (
        viewer,
        "What is your burn rate?",
        0,
        sent["seq"],
    )
    assert asked == {
        "type": "question.asked",
        "seq": sent["seq"] + 2,
        "question": {
            "id": question.pk,
            "seq": sent["seq"] + 2,
            "text": "What is your burn rate?",
            "user": {"id": viewer.pk, "name_zh": "观众", "name_en": "Vera Viewer", "moderator": False},
            "votes": 0,
            "answered": False,
            "created_at": question.created_at.isoformat(),
        },
    }
    message = ChatMessage.objects.get()
    assert (message.hidden, message.hidden_by) == (True, organiser)
    assert list(RoomEvent.objects.filter(room=room).values_list("seq", "type", "hidden")) == [
        (sent["seq"], "chat.message", True),
        (sent["seq"] + 1, "chat.hidden", False),
        (sent["seq"] + 2, "question.asked", False),
    ]
    assert RoomEvent.objects.get(type="chat.hidden").payload == {"message_seq": sent["seq"]}


@pytest.mark.django_db
def test_converting_twice_stores_one_question(room, organiser, viewer):
    sent = services.chat_send(room=room, user=viewer, text="Pricing?", client_id="c1")
    first = services.chat_to_question(room=room, user=organiser, message_seq=sent["seq"])
    second_moderator = UserFactory()
    EventRoleFactory(event=room.event, user=second_moderator, role=Role.ORGANISER)
    again = services.chat_to_question(room=room, user=second_moderator, message_seq=sent["seq"])
    assert again == {**first, "duplicate": True}
    assert Question.objects.count() == 1
    assert RoomEvent.objects.filter(room=room).count() == 3


@pytest.mark.django_db
def test_only_moderators_of_the_rooms_event_convert(room, organiser, viewer):
    sent = services.chat_send(room=room, user=viewer, text="Pricing?", client_id="c1")
    entrant = UserFactory()
    EventRoleFactory(event=room.event, user=entrant, role=Role.ENTRANT)
    other_organiser = UserFactory()
    EventRoleFactory(event=RoadshowRoomFactory().event, user=other_organiser, role=Role.ORGANISER)
    for user in (viewer, entrant, other_organiser):
        assert _refusal(room=room, user=user, message_seq=sent["seq"]) == (
            "not_allowed",
            "You are not allowed to do this in this room.",
        )
    assert Question.objects.count() == 0
    assert ChatMessage.objects.get().hidden is False


@pytest.mark.django_db
def test_missing_hidden_and_too_long_messages_and_ended_rooms_are_refused(room, organiser, viewer, settings):
    assert _refusal(room=room, user=organiser, message_seq=99) == ("not_found", "There is no such message.")
    assert _refusal(room=room, user=organiser, message_seq="1") == ("not_found", "There is no such message.")
    hidden = services.chat_send(room=room, user=viewer, text="Rude", client_id="c1")
    services.chat_hide(room=room, user=organiser, message_seq=hidden["seq"])
    assert _refusal(room=room, user=organiser, message_seq=hidden["seq"]) == ("not_found", "There is no such message.")
    long = services.chat_send(room=room, user=viewer, text="x" * 301, client_id="c2")
    assert _refusal(room=room, user=organiser, message_seq=long["seq"]) == (
        "too_long",
        "This is too long: at most 300 characters.",
    )
    fine = services.chat_send(room=room, user=viewer, text="Fine", client_id="c3")
    services.room_end(room=room, user=organiser)
    assert _refusal(room=room, user=organiser, message_seq=fine["seq"]) == ("room_ended", "This room has ended.")
    assert Question.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_everyone_sees_the_message_go_and_the_question_come_and_replay_holds_both(live, room, organiser, viewer):
    bob = UserFactory(language="en")

    async def scenario(sockets):
        mod, _ = await sockets.join(room, organiser)
        alice, _ = await sockets.join(room, viewer)
        watcher, _ = await sockets.join(room, bob)
        await send(alice, {"type": "chat.send", "text": "Can I invest?", "client_id": "c1"})
        message = await receive(alice)
        for socket in (mod, watcher):
            assert (await receive(socket))["seq"] == message["seq"]

        await send(watcher, {"type": "chat.to_question", "message_seq": message["seq"]})
        refused = await receive(watcher)
        assert (refused["type"], refused["code"], refused["for"]) == ("error", "not_allowed", "chat.to_question")

        await send(mod, {"type": "chat.to_question", "message_seq": message["seq"]})
        for socket in (mod, alice, watcher):
            assert await receive(socket) == {
                "type": "chat.hidden",
                "seq": message["seq"] + 1,
                "message_seq": message["seq"],
            }
            asked = await receive(socket)
            assert (asked["type"], asked["seq"], asked["question"]["text"], asked["question"]["user"]["id"]) == (
                "question.asked",
                message["seq"] + 2,
                "Can I invest?",
                viewer.pk,
            )

        # Again: the moderator alone is answered; nobody else is told twice.
        await send(mod, {"type": "chat.to_question", "message_seq": message["seq"]})
        again = await receive(mod)
        assert (again["type"], again["duplicate"], again["seq"]) == ("question.asked", True, message["seq"] + 2)
        for socket in (alice, watcher):
            await send(socket, {"type": "ping"})
            assert (await receive(socket))["type"] == "pong"

        # A socket that missed both changes gets them on reconnect with since...
        late, state = await sockets.join(room, bob, since=message["seq"])
        assert state["resume"] is True
        assert [(await receive(late))["type"] for _ in range(2)] == ["chat.hidden", "question.asked"]
        # ...and a fresh connect shows the question, not the message.
        _fresh, full = await sockets.join(room, bob)
        assert full["chat"] == []
        assert [(q["text"], q["user"]["id"], q["votes"]) for q in full["questions"]] == [
            ("Can I invest?", viewer.pk, 0)
        ]

    live(scenario)
    assert Question.objects.count() == 1
