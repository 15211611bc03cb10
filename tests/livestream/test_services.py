import datetime as dt
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from events.models import Role
from livestream import services
from livestream.models import ChatMessage, PollVote, Question, RoadshowRoom, RoomEvent, RoomMute
from livestream.services import LiveError
from tests.factories import EventRoleFactory, RoadshowRoomFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _refusal(call, **kwargs) -> str:
    with pytest.raises(LiveError) as caught:
        call(**kwargs)
    return caught.value.code


def test_chat_message_is_stored_with_the_next_seq_and_returned_as_a_frame(room, viewer):
    frame = services.chat_send(room=room, user=viewer, text="  Hello <b>all</b>  ", client_id="c1")
    message = ChatMessage.objects.get()
    assert message.text == "Hello <b>all</b>"  # stored raw: pages render it as text
    assert frame == {
        "type": "chat.message",
        "seq": 1,
        "client_id": "c1",
        "text": "Hello <b>all</b>",
        "user": {"id": viewer.pk, "name_zh": "观众", "name_en": "Vera Viewer", "moderator": False},
        "created_at": message.created_at.isoformat(),
    }
    event = RoomEvent.objects.get()
    assert (event.seq, event.type, event.visibility) == (1, "chat.message", "all")
    assert RoadshowRoom.objects.get(pk=room.pk).last_seq == 1


def test_resend_with_the_same_client_id_is_not_stored_twice(room, viewer):
    first = services.chat_send(room=room, user=viewer, text="Once", client_id="same")
    again = services.chat_send(room=room, user=viewer, text="Once", client_id="same")
    assert again == {**first, "duplicate": True}
    assert ChatMessage.objects.count() == 1
    assert RoomEvent.objects.count() == 1
    # Another person may use the same client_id: ids are per user.
    other = UserFactory()
    services.chat_send(room=room, user=other, text="Mine", client_id="same")
    assert ChatMessage.objects.count() == 2


def test_seq_is_strictly_increasing_across_kinds_of_events(room, viewer, organiser):
    services.chat_send(room=room, user=viewer, text="a", client_id="1")
    services.question_ask(room=room, user=viewer, text="Why?", client_id="q1")
    services.slow_mode_set(room=room, user=organiser, seconds=5)
    services.chat_send(room=room, user=organiser, text="b", client_id="2")
    assert list(RoomEvent.objects.filter(room=room).values_list("seq", "type")) == [
        (1, "chat.message"),
        (2, "question.asked"),
        (3, "room.slow_mode"),
        (4, "chat.message"),
    ]


def test_seqs_of_different_rooms_are_independent(room, viewer):
    other_room = RoadshowRoomFactory(event=room.event)
    services.chat_send(room=room, user=viewer, text="a", client_id="1")
    services.chat_send(room=other_room, user=viewer, text="b", client_id="1")
    assert ChatMessage.objects.get(room=other_room).seq == 1


def test_refusals(room, viewer, organiser):
    anonymous = AnonymousUser()
    assert _refusal(services.chat_send, room=room, user=anonymous, text="hi", client_id="1") == "not_signed_in"
    assert _refusal(services.chat_send, room=room, user=viewer, text=" \n\t ", client_id="1") == "empty"
    too_long = "长" * 501
    assert _refusal(services.chat_send, room=room, user=viewer, text=too_long, client_id="1") == "too_long"
    assert _refusal(services.chat_send, room=room, user=viewer, text="hi", client_id="") == "bad_request"
    assert _refusal(services.chat_send, room=room, user=viewer, text=5, client_id="x") == "bad_request"
    assert ChatMessage.objects.count() == 0
    assert RoadshowRoom.objects.get(pk=room.pk).last_seq == 0


def test_exactly_the_maximum_length_is_accepted(room, viewer):
    services.chat_send(room=room, user=viewer, text="x" * 500, client_id="1")
    assert len(ChatMessage.objects.get().text) == 500


def test_control_and_bidi_override_characters_are_removed(room, viewer):
    services.chat_send(room=room, user=viewer, text="a\x00b\u202ec\nd\x1b", client_id="1")
    assert ChatMessage.objects.get().text == "abc\nd"


def test_ended_room_refuses_posts(room, viewer, organiser):
    services.room_end(room=room, user=organiser)
    assert _refusal(services.chat_send, room=room, user=viewer, text="late", client_id="1") == "room_ended"
    assert _refusal(services.question_ask, room=room, user=viewer, text="late?", client_id="1") == "room_ended"


def test_registered_only_room_and_unpublished_event_refuse_outsiders(viewer):
    room = RoadshowRoomFactory(event__is_published=False)
    assert _refusal(services.chat_send, room=room, user=viewer, text="hi", client_id="1") == "not_allowed"
    assert _refusal(services.room_state, room=room, user=viewer) == "not_allowed"


def test_muted_user_cannot_post_until_unmuted(room, viewer, organiser):
    services.user_mute(room=room, user=organiser, target_id=viewer.pk)
    assert RoomMute.objects.filter(room=room, user=viewer).exists()
    assert _refusal(services.chat_send, room=room, user=viewer, text="hi", client_id="1") == "muted"
    assert _refusal(services.question_ask, room=room, user=viewer, text="hi?", client_id="1") == "muted"
    services.user_mute(room=room, user=organiser, target_id=viewer.pk, muted=False)
    services.chat_send(room=room, user=viewer, text="hi", client_id="1")
    assert ChatMessage.objects.count() == 1


def test_mute_event_is_for_moderators_only(room, viewer, organiser):
    frame = services.user_mute(room=room, user=organiser, target_id=viewer.pk)
    assert frame["type"] == "user.muted" and frame["muted"] is True and frame["user"]["id"] == viewer.pk
    assert RoomEvent.objects.get(type="user.muted").visibility == "moderators"
    assert services.events_since(room=room, user=viewer, since=0) == []
    assert [f["type"] for f in services.events_since(room=room, user=organiser, since=0)] == ["user.muted"]


def test_only_moderators_moderate_and_moderators_cannot_be_muted(room, viewer, organiser):
    message = services.chat_send(room=room, user=organiser, text="hi", client_id="1")
    assert _refusal(services.chat_hide, room=room, user=viewer, message_seq=message["seq"]) == "not_allowed"
    assert _refusal(services.user_mute, room=room, user=viewer, target_id=organiser.pk) == "not_allowed"
    assert _refusal(services.user_mute, room=room, user=organiser, target_id=organiser.pk) == "not_allowed"
    assert _refusal(services.slow_mode_set, room=room, user=viewer, seconds=10) == "not_allowed"
    assert _refusal(services.room_end, room=room, user=viewer) == "not_allowed"
    # A judge of the event is not a moderator either.
    judge = UserFactory()
    EventRoleFactory(event=room.event, user=judge, role=Role.JUDGE)
    assert _refusal(services.chat_hide, room=room, user=judge, message_seq=message["seq"]) == "not_allowed"
    # Being an organiser of another event gives nothing here.
    elsewhere = UserFactory()
    EventRoleFactory(user=elsewhere, role=Role.ORGANISER)
    assert _refusal(services.chat_hide, room=room, user=elsewhere, message_seq=message["seq"]) == "not_allowed"


def test_rate_limit_per_user_per_room(room, viewer, settings):
    settings.LIVESTREAM_RATE_LIMITS = {**settings.LIVESTREAM_RATE_LIMITS, "chat": (3, 3600)}
    for n in range(3):
        services.chat_send(room=room, user=viewer, text=f"m{n}", client_id=str(n))
    assert _refusal(services.chat_send, room=room, user=viewer, text="m3", client_id="3") == "rate_limited"
    # The same person in another room, and another person here, have their own allowance.
    services.chat_send(room=RoadshowRoomFactory(event=room.event), user=viewer, text="m", client_id="x")
    services.chat_send(room=room, user=UserFactory(), text="m", client_id="x")
    # A resend of a stored message is answered, not counted.
    assert services.chat_send(room=room, user=viewer, text="m0", client_id="0")["duplicate"] is True
    assert ChatMessage.objects.filter(room=room, user=viewer).count() == 3


def test_slow_mode_spaces_messages_but_not_moderators(room, viewer, organiser):
    services.slow_mode_set(room=room, user=organiser, seconds=30)
    services.chat_send(room=room, user=viewer, text="first", client_id="1")
    assert _refusal(services.chat_send, room=room, user=viewer, text="second", client_id="2") == "slow_mode"
    ChatMessage.objects.filter(user=viewer).update(created_at=timezone.now() - dt.timedelta(seconds=31))
    services.chat_send(room=room, user=viewer, text="second", client_id="2")
    services.chat_send(room=room, user=organiser, text="a", client_id="1")
    services.chat_send(room=room, user=organiser, text="b", client_id="2")
    assert ChatMessage.objects.count() == 4
    assert _refusal(services.slow_mode_set, room=room, user=organiser, seconds=3601) == "bad_request"
    assert _refusal(services.slow_mode_set, room=room, user=organiser, seconds="5") == "bad_request"


def test_hidden_message_leaves_state_and_replay(room, viewer, organiser):
    kept = services.chat_send(room=room, user=viewer, text="kept", client_id="1")
    rude = services.chat_send(room=room, user=viewer, text="rude words", client_id="2")
    frame = services.chat_hide(room=room, user=organiser, message_seq=rude["seq"])
    assert frame == {"type": "chat.hidden", "seq": 3, "message_seq": 2}
    assert ChatMessage.objects.get(seq=2).hidden_by == organiser
    state = services.room_state(room=room, user=viewer)
    assert [m["text"] for m in state["chat"]] == ["kept"]
    replay = services.events_since(room=room, user=viewer, since=0)
    assert [(f["type"], f["seq"]) for f in replay] == [("chat.message", kept["seq"]), ("chat.hidden", 3)]
    assert "rude words" not in str(replay)
    assert _refusal(services.chat_hide, room=room, user=organiser, message_seq=2) == "not_found"


def test_events_since_returns_exactly_the_later_events_in_order(room, viewer):
    for n in range(5):
        services.chat_send(room=room, user=viewer, text=f"m{n}", client_id=str(n))
    assert [f["seq"] for f in services.events_since(room=room, user=viewer, since=2)] == [3, 4, 5]
    assert [f["text"] for f in services.events_since(room=room, user=viewer, since=2, until=4)] == ["m2", "m3"]
    assert services.events_since(room=room, user=viewer, since=5) == []


def test_state_resumes_from_since_or_starts_over(room, viewer, settings):
    for n in range(3):
        services.chat_send(room=room, user=viewer, text=f"m{n}", client_id=str(n))
    full = services.room_state(room=room, user=viewer)
    assert (full["resume"], full["seq"], [m["text"] for m in full["chat"]]) == (False, 3, ["m0", "m1", "m2"])
    resumed = services.room_state(room=room, user=viewer, since=1)
    assert resumed["resume"] is True and "chat" not in resumed
    settings.LIVESTREAM_RESUME_MAX_EVENTS = 1
    assert services.room_state(room=room, user=viewer, since=1)["resume"] is False
    # A since from the future (another database) starts over too.
    assert services.room_state(room=room, user=viewer, since=99)["resume"] is False


def test_questions_upvote_once_and_sort_by_votes(room, viewer, organiser):
    first = services.question_ask(room=room, user=viewer, text="First?", client_id="1")["question"]
    second = services.question_ask(room=room, user=viewer, text="Second?", client_id="2")["question"]
    voters = UserFactory.create_batch(2)
    for voter in voters:
        services.question_upvote(room=room, user=voter, question_id=second["id"])
    frame = services.question_upvote(room=room, user=viewer, question_id=first["id"])
    assert frame == {
        "type": "question.updated",
        "seq": 5,
        "question": {"id": first["id"], "votes": 1, "answered": False},
    }
    assert _refusal(services.question_upvote, room=room, user=viewer, question_id=first["id"]) == "already_voted"
    state = services.room_state(room=room, user=viewer)
    assert [(q["text"], q["votes"]) for q in state["questions"]] == [("Second?", 2), ("First?", 1)]
    answered = services.question_mark_answered(room=room, user=organiser, question_id=second["id"])
    assert answered["question"] == {"id": second["id"], "votes": 2, "answered": True}
    services.question_hide(room=room, user=organiser, question_id=first["id"])
    assert [q["text"] for q in services.room_state(room=room, user=viewer)["questions"]] == ["Second?"]
    assert _refusal(services.question_upvote, room=room, user=voters[0], question_id=first["id"]) == "not_found"
    assert Question.objects.get(pk=first["id"]).hidden is True


def test_polls_open_vote_once_close(room, viewer, organiser):
    opened = services.poll_open(
        room=room,
        user=organiser,
        question_zh="哪个项目最有潜力？",
        question_en="Which project has the most potential?",
        options=[{"label_zh": "固态电池", "label_en": "Solid-state battery"}, {"label_en": "Gene therapy"}],
    )
    poll = opened["poll"]
    assert [o["label_zh"] for o in poll["options"]] == ["固态电池", "Gene therapy"]
    assert (
        _refusal(
            services.poll_open, room=room, user=organiser, question_zh="再来", question_en="", options=poll["options"]
        )
        == "poll_open"
    )
    battery, gene = (o["id"] for o in poll["options"])
    assert services.poll_vote(room=room, user=viewer, poll_id=poll["id"], option_id=gene) == {
        "type": "poll.voted",
        "poll_id": poll["id"],
        "option_id": gene,
    }
    assert (
        _refusal(services.poll_vote, room=room, user=viewer, poll_id=poll["id"], option_id=battery) == "already_voted"
    )
    services.poll_vote(room=room, user=organiser, poll_id=poll["id"], option_id=gene)
    results = services.poll_results(poll_id=poll["id"])["poll"]
    assert ([o["votes"] for o in results["options"]], results["total"]) == ([0, 2], 2)
    closed = services.poll_close(room=room, user=organiser, poll_id=poll["id"])
    assert closed["poll"]["status"] == "closed" and closed["poll"]["total"] == 2
    late = UserFactory()
    assert _refusal(services.poll_vote, room=room, user=late, poll_id=poll["id"], option_id=gene) == "poll_closed"
    assert PollVote.objects.count() == 2
    assert _refusal(services.poll_open, room=room, user=viewer, question_zh="?", question_en="", options=[]) == (
        "not_allowed"
    )
    assert (
        _refusal(
            services.poll_open,
            room=room,
            user=organiser,
            question_zh="一个选项",
            question_en="",
            options=[{"label_zh": "是"}],
        )
        == "bad_request"
    )


def test_room_goes_live_then_ends_and_not_back(organiser):
    room = RoadshowRoomFactory(status="scheduled")
    EventRoleFactory(event=room.event, user=organiser, role=Role.ORGANISER)
    live = services.room_go_live(room=room, user=organiser)
    assert live["status"] == "live" and live["started_at"] is not None
    ended = services.room_end(room=room, user=organiser)
    assert ended["status"] == "ended" and ended["ended_at"] is not None
    assert _refusal(services.room_go_live, room=room, user=organiser) == "bad_state"
    assert RoadshowRoom.objects.get(pk=room.pk).status == "ended"


def test_reactions_are_checked_not_stored(room, viewer, settings):
    settings.LIVESTREAM_RATE_LIMITS = {**settings.LIVESTREAM_RATE_LIMITS, "reaction": (2, 3600)}
    assert services.reaction_check(room=room, user=viewer, kind="applause") == "applause"
    assert _refusal(services.reaction_check, room=room, user=viewer, kind="boo") == "bad_request"
    services.reaction_check(room=room, user=viewer, kind="heart")
    assert _refusal(services.reaction_check, room=room, user=viewer, kind="heart") == "rate_limited"
    assert RoomEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_concurrent_senders_get_distinct_consecutive_seqs():
    room = RoadshowRoomFactory()
    users = UserFactory.create_batch(8)
    errors: list[BaseException] = []

    def post(user):
        try:
            for n in range(5):
                services.chat_send(room=room, user=user, text=f"{n}", client_id=f"{n}")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(ChatMessage.objects.values_list("seq", flat=True)) == list(range(1, 41))
    assert RoadshowRoom.objects.get(pk=room.pk).last_seq == 40


def test_room_state_query_count_does_not_grow_with_chat_and_questions(room, viewer):
    from django.test.utils import CaptureQueriesContext

    def post_by_new_people(count: int) -> None:
        for person in UserFactory.create_batch(count):
            services.chat_send(room=room, user=person, text="hi", client_id="c")
            services.question_ask(room=room, user=person, text="why?", client_id="q")

    post_by_new_people(1)
    services.room_state(room=room, user=viewer)  # the viewer's roles are looked up once and kept
    with CaptureQueriesContext(connection) as few:
        services.room_state(room=room, user=viewer)
    post_by_new_people(12)
    with CaptureQueriesContext(connection) as many:
        state = services.room_state(room=room, user=viewer)
    assert (len(state["chat"]), len(state["questions"])) == (13, 13)
    assert len(many) == len(few)
