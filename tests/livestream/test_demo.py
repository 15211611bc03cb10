import pytest
from django.core.management import call_command

from livestream import services
from livestream.models import ChatMessage, Poll, Question, RoadshowRoom, RoomEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_demo_room_is_live_with_chat_questions_and_a_closed_poll():
    call_command("seed_demo", "--quiet-logins")
    room = RoadshowRoom.objects.get(slug="haicheng-2026-final-roadshow")
    assert (room.event.slug, room.status, room.visibility) == ("haicheng-innovation-contest-2026", "live", "public")
    assert ChatMessage.objects.filter(room=room).count() == 5
    assert list(Question.objects.filter(room=room).values_list("votes", flat=True)) == [3, 2, 0]
    poll = Poll.objects.get(room=room)
    assert poll.status == "closed"
    results = services.poll_results(poll_id=poll.pk)["poll"]
    assert [option["votes"] for option in results["options"]] == [2, 1, 1]
    # 5 messages, 3 questions, 5 upvotes, poll opened and closed: 15 events numbered 1..15.
    assert list(RoomEvent.objects.filter(room=room).values_list("seq", flat=True)) == list(range(1, 16))
    assert room.last_seq == 15


def test_demo_room_seeds_once():
    call_command("seed_demo", "--quiet-logins")
    call_command("seed_demo", "--quiet-logins")
    assert RoadshowRoom.objects.count() == 1
    assert RoomEvent.objects.count() == 15
