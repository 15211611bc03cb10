import pytest
from django.core.management import call_command

from livestream import services
from livestream.models import AgendaSlot, ChatMessage, Poll, Question, RoadshowRoom, RoomEvent
from registration.models import Entry

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_demo_room_is_live_with_chat_questions_a_closed_poll_and_an_agenda_of_finalists():
    call_command("seed_demo", "--quiet-logins")
    room = RoadshowRoom.objects.get(slug="haicheng-2026-final-roadshow")
    assert (room.event.slug, room.status, room.visibility) == ("haicheng-innovation-contest-2026", "live", "public")
    assert ChatMessage.objects.filter(room=room).count() == 5
    assert list(Question.objects.filter(room=room).values_list("votes", flat=True)) == [3, 2, 0]
    poll = Poll.objects.get(room=room)
    assert poll.status == "closed"
    results = services.poll_results(poll_id=poll.pk)["poll"]
    assert [option["votes"] for option in results["options"]] == [2, 1, 1]

    finalists = list(
        Entry.objects.filter(event=room.event, status="finalist").order_by("pk").values_list("pk", flat=True)
    )
    awarded = list(Entry.objects.filter(event=room.event, status="awarded").order_by("pk").values_list("pk", flat=True))
    slots = list(AgendaSlot.objects.filter(room=room).order_by("position"))
    assert [slot.entry_id for slot in slots] == [*finalists, *awarded][:8]
    assert slots  # the registration demo seeds finalists (see the test below for a contest without any)
    assert {(slot.state, slot.duration_minutes) for slot in slots} == {("pending", 8)}
    assert [(slot.planned_start - room.started_at).total_seconds() for slot in slots] == [
        600.0 * n for n in range(len(slots))
    ]
    # 5 messages, 3 questions, 5 upvotes, poll opened and closed, the agenda: 16 events numbered 1..16.
    assert list(RoomEvent.objects.filter(room=room).values_list("seq", flat=True)) == list(range(1, 17))
    assert RoomEvent.objects.get(room=room, seq=16).type == "agenda.updated"
    assert room.last_seq == 16


def test_demo_room_seeds_once():
    call_command("seed_demo", "--quiet-logins")
    call_command("seed_demo", "--quiet-logins")
    assert RoadshowRoom.objects.count() == 1
    assert RoomEvent.objects.count() == 16
    assert AgendaSlot.objects.count() == Entry.objects.filter(status__in=["finalist", "awarded"]).count()


def test_demo_room_has_no_agenda_when_the_contest_has_no_finalists(monkeypatch):
    from livestream import demo

    monkeypatch.setattr(demo, "AGENDA_STATUSES", ["no-such-status"])
    call_command("seed_demo", "--quiet-logins")
    assert AgendaSlot.objects.count() == 0
    assert RoomEvent.objects.count() == 15
