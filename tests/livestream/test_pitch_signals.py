"""Live signals of each pitch: sampled by the room hub's tick, read back as evidence per entry."""

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from livestream import hub, selectors, services
from livestream.models import AgendaSlot, PitchSignals
from tests.factories import (
    AgendaSlotFactory,
    EventFactory,
    RoadshowRoomFactory,
    RoomInterestFactory,
    UserFactory,
)

from .conftest import receive, send

pytestmark = pytest.mark.integration

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def _signals(slot) -> tuple[int, int, int, dict]:
    signals = PitchSignals.objects.get(slot=slot)
    return signals.peak_viewers, signals.viewer_samples, signals.viewers_sampled, signals.reactions


@pytest.mark.django_db(transaction=True)
def test_each_tick_samples_viewers_and_reactions_of_the_pitch_on_stage(live, room, organiser):
    slot = AgendaSlotFactory(room=room)
    viewers = UserFactory.create_batch(2)

    async def scenario(sockets):
        await sockets.join(room, organiser)
        alice, _ = await sockets.join(room, viewers[0])
        bob, _ = await sockets.join(room, viewers[1])
        room_hub = hub.hub_for(room.pk)
        await room_hub.tick()  # nobody on stage: nothing is recorded
        assert await database_sync_to_async(PitchSignals.objects.count)() == 0

        await database_sync_to_async(services.pitch_start)(room=room, user=organiser)
        while (await receive(alice))["type"] != "pitch.started":  # the hub has the event (and its seq)
            pass
        for socket, kind in ((alice, "applause"), (bob, "applause"), (bob, "heart")):
            await send(socket, {"type": "reaction.send", "kind": kind})
        for socket in (alice, bob):  # a ping answered means the socket's reactions were counted
            await send(socket, {"type": "ping"})
            while (await receive(socket))["type"] != "pong":
                pass
        await room_hub.tick()
        await bob.disconnect()
        sockets.open.remove(bob)
        await room_hub.tick()

    live(scenario)
    # Samples of 3 and 2 viewers; the reactions of the first tick only.
    assert _signals(slot) == (3, 2, 5, {"applause": 2, "heart": 1})
    assert PitchSignals.objects.get(slot=slot).average_viewers == 2.5


@pytest.mark.django_db(transaction=True)
def test_counts_announced_by_other_processes_count_in_the_peak(live, room, organiser):
    slot = AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)

    async def scenario(sockets):
        await sockets.join(room, organiser)
        room_hub = hub.hub_for(room.pk)
        await room_hub.handle({"type": "hub.presence", "process": "other-process", "count": 40})
        # Reactions another process received are recorded by that process, not again here.
        await room_hub.handle({"type": "hub.reactions", "process": "other-process", "counts": {"fire": 7}})
        await room_hub.tick()

    live(scenario)
    assert _signals(slot) == (41, 1, 41, {})


@pytest.mark.django_db
def test_two_processes_samples_add_up_to_the_room_mean(room, organiser):
    """Each process samples the room's whole count: the mean over all samples is the room's mean."""
    slot = AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    assert services.pitch_signals_record(room_id=room.pk, viewers=10, reactions={"applause": 2}) is True
    assert services.pitch_signals_record(room_id=room.pk, viewers=12, reactions={"applause": 1, "idea": 4}) is True
    assert services.pitch_signals_record(room_id=room.pk, viewers=8, reactions={}) is True
    assert _signals(slot) == (12, 3, 30, {"applause": 3, "idea": 4})
    assert PitchSignals.objects.get(slot=slot).average_viewers == 10


@pytest.mark.django_db
def test_a_sample_is_one_write_and_nothing_without_a_pitch_on_stage(room, organiser):
    first, second = AgendaSlotFactory(room=room), AgendaSlotFactory(room=room)
    assert services.pitch_signals_record(room_id=room.pk, viewers=5, reactions={"heart": 1}) is False
    services.pitch_start(room=room, user=organiser)
    with CaptureQueriesContext(connection) as queries:
        services.pitch_signals_record(room_id=room.pk, viewers=5, reactions={"heart": 1})
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert len(writes) == 1 and "livestream_pitchsignals" in writes[0]
    services.pitch_start(room=room, user=organiser)  # the next pitch gets its own samples
    services.pitch_signals_record(room_id=room.pk, viewers=9, reactions={})
    assert _signals(first) == (5, 1, 5, {"heart": 1})
    assert _signals(second) == (9, 1, 9, {})
    services.room_end(room=room, user=organiser)
    assert services.pitch_signals_record(room_id=room.pk, viewers=9, reactions={}) is False


@pytest.mark.django_db
def test_evidence_counts_question_votes_asked_during_the_pitch_and_interest_in_it(room, organiser, clock):
    slot, later = AgendaSlotFactory(room=room), AgendaSlotFactory(room=room)
    asker, voters = UserFactory(), UserFactory.create_batch(3)
    clock.freeze(START - dt.timedelta(minutes=1))
    before = services.question_ask(room=room, user=asker, text="Asked before the pitch?", client_id="0")
    clock.freeze(START)
    services.pitch_start(room=room, user=organiser)
    clock.freeze(START + dt.timedelta(minutes=2))
    during = services.question_ask(room=room, user=asker, text="Who are your customers?", client_id="1")
    hidden = services.question_ask(room=room, user=asker, text="Spam", client_id="2")
    services.pitch_signals_record(room_id=room.pk, viewers=30, reactions={"applause": 5})
    services.pitch_signals_record(room_id=room.pk, viewers=20, reactions={"heart": 2})
    clock.freeze(START + dt.timedelta(minutes=9))
    services.pitch_start(room=room, user=organiser)  # the first pitch ends, the next starts
    after = services.question_ask(room=room, user=asker, text="And the second project?", client_id="3")
    for voter in voters:
        for asked in (before, during, hidden, after):
            services.question_upvote(room=room, user=voter, question_id=asked["question"]["id"])
    services.question_hide(room=room, user=organiser, question_id=hidden["question"]["id"])
    RoomInterestFactory.create_batch(2, slot=slot)
    RoomInterestFactory(slot=later)

    evidence = selectors.pitch_signals_of_entries(event=room.event, entry_ids=[slot.entry_id, later.entry_id])
    first = evidence[slot.entry_id]
    assert (first.peak_viewers, first.average_viewers, dict(first.reactions), first.reaction_total) == (
        30,
        25,
        {"applause": 5, "heart": 2},
        7,
    )
    assert (first.question_votes, first.interest_clicks) == (3, 2)
    # The second pitch is still on stage: questions asked up to now count; no tick sampled it yet.
    second = evidence[later.entry_id]
    assert (second.peak_viewers, second.average_viewers, second.question_votes, second.interest_clicks) == (
        0,
        None,
        3,
        1,
    )


@pytest.mark.django_db
def test_evidence_is_limited_to_the_event_and_to_pitches_that_started(room, organiser):
    pitched, waiting = AgendaSlotFactory(room=room), AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    elsewhere = AgendaSlotFactory(
        room=RoadshowRoomFactory(event=EventFactory()), state=AgendaSlot.State.DONE, started_at=timezone.now()
    )
    evidence = selectors.pitch_signals_of_entries(
        event=room.event, entry_ids=[pitched.entry_id, waiting.entry_id, elsewhere.entry_id]
    )
    assert list(evidence) == [pitched.entry_id]


@pytest.mark.django_db
def test_an_entry_that_pitched_in_two_rooms_adds_its_pitches_up(room, organiser):
    slot = AgendaSlotFactory(room=room)
    other_room = RoadshowRoomFactory(event=room.event)
    again = AgendaSlotFactory(room=other_room, entry=slot.entry)
    for each in (room, other_room):
        services.pitch_start(room=each, user=organiser)
    services.pitch_signals_record(room_id=room.pk, viewers=10, reactions={"fire": 1})
    services.pitch_signals_record(room_id=other_room.pk, viewers=40, reactions={"fire": 2})
    services.pitch_signals_record(room_id=other_room.pk, viewers=20, reactions={})
    RoomInterestFactory(slot=again)
    evidence = selectors.pitch_signals_of_entries(event=room.event, entry_ids=[slot.entry_id])[slot.entry_id]
    assert (evidence.peak_viewers, evidence.average_viewers, dict(evidence.reactions), evidence.interest_clicks) == (
        40,
        pytest.approx(70 / 3),
        {"fire": 3},
        1,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_evidence_of_entries_takes_one_query(room, organiser, count, django_assert_num_queries):
    slots = AgendaSlotFactory.create_batch(count, room=room)
    for slot in slots:
        services.pitch_start(room=room, user=organiser, slot_id=slot.pk)
        services.pitch_signals_record(room_id=room.pk, viewers=4, reactions={"idea": 1})
        RoomInterestFactory(slot=slot)
    with django_assert_num_queries(1):
        evidence = selectors.pitch_signals_of_entries(event=room.event, entry_ids=[s.entry_id for s in slots])
    assert [(e.peak_viewers, e.reaction_total, e.interest_clicks) for e in evidence.values()] == [(4, 1, 1)] * count
