import itertools
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from judging.selectors import round_of
from judging.services import results_compute
from livestream import services
from livestream.demo import PITCHES
from livestream.models import AgendaSlot, ChatMessage, Poll, Question, RoadshowRoom, RoomEvent, RoomInterest
from livestream.selectors import pitch_signals_of_entries
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


def test_demo_semi_final_pitches_carry_live_signals():
    call_command("seed_demo", "--quiet-logins")
    room = RoadshowRoom.objects.get(slug="haicheng-2026-semi-final-roadshow")
    assert (room.event.slug, room.status) == ("haicheng-innovation-contest-2026", "ended")
    # The projects that went on from the preliminary round pitched, best first; every pitch is over.
    round_1 = round_of(room.event, 1)
    result = results_compute(round_1).of(round_1.method)
    advanced = [line.entry.entry_id for line in result.overall[: round_1.advancement_count]]
    slots = list(AgendaSlot.objects.filter(room=room).order_by("position"))
    assert [slot.entry_id for slot in slots] == advanced
    assert [slot.state for slot in slots] == ["done"] * 5
    # Held on an evening before the demo: eight-minute pitches (give or take a minute), ten minutes apart.
    assert room.started_at < slots[0].started_at and slots[-1].ended_at < room.ended_at < timezone.now() - timedelta(
        days=1
    )
    assert [later.started_at - slot.started_at for slot, later in itertools.pairwise(slots)] == [
        timedelta(minutes=10)
    ] * 4
    assert all(timedelta(minutes=7) < slot.ended_at - slot.started_at < timedelta(minutes=10) for slot in slots)
    assert all(slot.planned_start == slot.started_at for slot in slots)
    evidence = pitch_signals_of_entries(event=room.event, entry_ids=advanced)
    rows = [evidence[entry_id] for entry_id in advanced]
    assert [row.peak_viewers for row in rows] == [plan.peak_viewers for plan in PITCHES] == [947, 512, 608, 386, 431]
    assert [row.viewer_samples for row in rows] == [48] * 5
    averages = [row.average_viewers for row in rows]
    assert all(0.5 * row.peak_viewers < average < row.peak_viewers for row, average in zip(rows, averages, strict=True))
    assert [dict(row.reactions) for row in rows] == [plan.reactions for plan in PITCHES]
    # Question votes and interest are read from the rows the room keeps, so they agree with them.
    assert [row.question_votes for row in rows] == [10, 2, 6, 0, 1]
    assert [row.interest_clicks for row in rows] == [8, 4, 5, 2, 3]
    assert [RoomInterest.objects.filter(slot=slot).count() for slot in slots] == [8, 4, 5, 2, 3]
    assert list(Question.objects.filter(room=room).order_by("seq").values_list("votes", flat=True)) == [
        8,
        2,
        2,
        4,
        2,
        1,
    ]
    # The final room is untouched: its finalists still wait to pitch.
    assert not AgendaSlot.objects.filter(room__slug="haicheng-2026-final-roadshow").exclude(state="pending").exists()


def test_demo_room_seeds_once():
    call_command("seed_demo", "--quiet-logins")
    events = RoomEvent.objects.count()
    call_command("seed_demo", "--quiet-logins")
    assert RoadshowRoom.objects.count() == 2
    assert RoomEvent.objects.filter(room__slug="haicheng-2026-final-roadshow").count() == 16
    assert RoomEvent.objects.count() == events
    assert AgendaSlot.objects.filter(room__slug="haicheng-2026-final-roadshow").count() == (
        Entry.objects.filter(event__slug="haicheng-innovation-contest-2026", status__in=["finalist", "awarded"]).count()
    )


def test_demo_room_has_no_agenda_when_the_contest_has_no_finalists(monkeypatch):
    from livestream import demo

    monkeypatch.setattr(demo, "AGENDA_STATUSES", ["no-such-status"])
    call_command("seed_demo", "--quiet-logins")
    assert AgendaSlot.objects.filter(room__slug="haicheng-2026-final-roadshow").count() == 0
    assert RoomEvent.objects.filter(room__slug="haicheng-2026-final-roadshow").count() == 15
