"""Agenda rules: setting and reordering the agenda, starting, extending and ending pitches."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from events.models import Role
from livestream import services
from livestream.models import AgendaSlot, RoadshowRoom, RoomEvent
from livestream.services import LiveError
from tests.factories import AgendaSlotFactory, EntryFactory, EventRoleFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture(autouse=True)
def _english():
    """Refusal messages are compared in English."""
    with translation.override("en"):
        yield


def _refusal(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(LiveError) as caught:
        call(**kwargs)
    return caught.value.code, caught.value.frame()["message"]


def _finalist(room, **kwargs):
    return EntryFactory(
        event=room.event, status="finalist", submitted_at=timezone.now() - dt.timedelta(days=9), **kwargs
    )


def _items(*entries, minutes=8):
    return [{"entry_id": entry.pk, "duration_minutes": minutes, "planned_start": None} for entry in entries]


def _states(room) -> list[tuple[int, str]]:
    return list(AgendaSlot.objects.filter(room=room).order_by("position").values_list("entry_id", "state"))


def test_agenda_set_stores_the_slots_in_order_and_one_event(room, organiser):
    track = TrackFactory(event=room.event, name_zh="新能源", name_en="New energy")
    first = _finalist(room, title_zh="固态电池", title_en="Solid-state battery", track=track)
    second = _finalist(room, title_zh="基因编辑", title_en="")
    planned = dt.datetime(2026, 11, 23, 19, 30, tzinfo=dt.UTC)
    frame = services.agenda_set(
        room=room,
        user=organiser,
        items=[
            {"entry_id": second.pk, "duration_minutes": 5, "planned_start": None},
            {"entry_id": first.pk, "duration_minutes": 10, "planned_start": planned},
        ],
    )
    slots = list(AgendaSlot.objects.filter(room=room).order_by("position"))
    assert [(s.entry_id, s.position, s.duration_minutes, s.planned_start, s.state) for s in slots] == [
        (second.pk, 0, 5, None, "pending"),
        (first.pk, 1, 10, planned, "pending"),
    ]
    assert frame["type"] == "agenda.updated" and frame["seq"] == 1
    assert frame["agenda"][1] == {
        "id": slots[1].pk,
        "position": 1,
        "entry": {
            "id": first.pk,
            "title_zh": "固态电池",
            "title_en": "Solid-state battery",
            "track_zh": "新能源",
            "track_en": "New energy",
        },
        "planned_start": planned.isoformat(),
        "duration_minutes": 10,
        "state": "pending",
        "started_at": None,
        "ends_at": None,
        "extended_seconds": 0,
    }
    # An empty language is filled from the other one (each frame is encoded once for everyone).
    assert frame["agenda"][0]["entry"]["title_en"] == "基因编辑"
    assert list(RoomEvent.objects.values_list("seq", "type")) == [(1, "agenda.updated")]


def test_agenda_set_replaces_pending_slots_and_keeps_the_ones_already_there(room, organiser):
    a, b, c = _finalist(room), _finalist(room), _finalist(room)
    services.agenda_set(room=room, user=organiser, items=_items(a, b))
    kept_id = AgendaSlot.objects.get(entry=b).pk
    services.agenda_set(room=room, user=organiser, items=_items(c, b, minutes=6))
    assert _states(room) == [(c.pk, "pending"), (b.pk, "pending")]
    assert AgendaSlot.objects.get(entry=b).pk == kept_id
    assert list(AgendaSlot.objects.values_list("duration_minutes", flat=True)) == [6, 6]


def test_a_pitch_that_started_cannot_be_taken_off_the_agenda(room, organiser):
    a, b = _finalist(room), _finalist(room)
    services.agenda_set(room=room, user=organiser, items=_items(a, b))
    services.pitch_start(room=room, user=organiser)
    code, message = _refusal(services.agenda_set, room=room, user=organiser, items=_items(b))
    assert (code, message) == ("bad_state", "A pitch that has started cannot be taken off the agenda.")
    # It may move, and it may stay even after its entry was withdrawn.
    a.status = "withdrawn"
    a.save(update_fields=["status"])
    services.agenda_set(room=room, user=organiser, items=_items(b, a))
    assert _states(room) == [(b.pk, "pending"), (a.pk, "presenting")]


@pytest.mark.parametrize(
    ("items", "code", "message"),
    [
        ("not a list", "bad_request", "An agenda is a list of at most 60 pitches."),
        ([{"duration_minutes": 8}], "bad_request", "Each pitch needs an entry."),
        ([{"entry_id": True, "duration_minutes": 8}], "bad_request", "Each pitch needs an entry."),
        ([{"entry_id": 1, "duration_minutes": 0}], "bad_request", "A pitch lasts 1 to 120 minutes."),
        ([{"entry_id": 1, "duration_minutes": 121}], "bad_request", "A pitch lasts 1 to 120 minutes."),
        ([{"entry_id": 1, "duration_minutes": "8"}], "bad_request", "A pitch lasts 1 to 120 minutes."),
        (
            [{"entry_id": 1, "duration_minutes": 8, "planned_start": dt.datetime(2026, 11, 23, 19, 30)}],
            "bad_request",
            "A planned start must be a date and time with its time zone.",
        ),
        (
            [{"entry_id": 1, "duration_minutes": 8}, {"entry_id": 1, "duration_minutes": 5}],
            "bad_request",
            "An entry can pitch only once in a room.",
        ),
    ],
)
def test_agenda_set_refuses_malformed_agendas(room, organiser, items, code, message):
    assert _refusal(services.agenda_set, room=room, user=organiser, items=items) == (code, message)
    assert AgendaSlot.objects.count() == 0 and RoomEvent.objects.count() == 0


def test_agenda_set_takes_only_submitted_entries_of_the_rooms_event(room, organiser, settings):
    draft = EntryFactory(event=room.event)
    screened_out = _finalist(room)
    screened_out.status = "screened_out"
    screened_out.save(update_fields=["status"])
    elsewhere = EntryFactory(status="finalist", submitted_at=timezone.now())
    for entry in (draft, screened_out, elsewhere):
        assert _refusal(services.agenda_set, room=room, user=organiser, items=_items(entry)) == (
            "not_found",
            f"Entry {entry.pk} is not a submitted entry of this event, so it cannot pitch.",
        )
    settings.LIVESTREAM_AGENDA_MAX_SLOTS = 1
    code, message = _refusal(
        services.agenda_set, room=room, user=organiser, items=_items(_finalist(room), _finalist(room))
    )
    assert (code, message) == ("bad_request", "An agenda is a list of at most 1 pitches.")


def test_only_organisers_move_the_agenda_and_not_once_the_room_ended(room, organiser, viewer):
    entry = _finalist(room)
    judge = UserFactory()
    EventRoleFactory(event=room.event, user=judge, role=Role.JUDGE)
    for person in (viewer, judge):
        assert _refusal(services.agenda_set, room=room, user=person, items=_items(entry))[0] == "not_allowed"
        assert _refusal(services.pitch_start, room=room, user=person)[0] == "not_allowed"
        assert _refusal(services.pitch_extend, room=room, user=person, seconds=60)[0] == "not_allowed"
        assert _refusal(services.pitch_end, room=room, user=person)[0] == "not_allowed"
        assert _refusal(services.agenda_reorder, room=room, user=person, slot_ids=[])[0] == "not_allowed"
    services.room_end(room=room, user=organiser)
    assert _refusal(services.agenda_set, room=room, user=organiser, items=_items(entry))[0] == "room_ended"


def test_agenda_reorder_needs_every_slot_once(room, organiser):
    slots = AgendaSlotFactory.create_batch(3, room=room)
    ids = [slot.pk for slot in slots]
    frame = services.agenda_reorder(room=room, user=organiser, slot_ids=[ids[2], ids[0], ids[1]])
    assert [slot["id"] for slot in frame["agenda"]] == [ids[2], ids[0], ids[1]]
    assert list(AgendaSlot.objects.order_by("position").values_list("pk", flat=True)) == [ids[2], ids[0], ids[1]]
    for bad in ([ids[0], ids[1]], [*ids, ids[0]], [*ids, 999_999], "1,2,3", [str(i) for i in ids]):
        assert _refusal(services.agenda_reorder, room=room, user=organiser, slot_ids=bad) == (
            "bad_request",
            "Send the ids of all the agenda's pitches in their new order.",
        )
    assert room.last_seq == 1


def test_pitches_run_in_order_with_a_timer_that_can_be_extended(room, organiser):
    first, second = AgendaSlotFactory(room=room, position=0), AgendaSlotFactory(room=room, position=1)
    started = services.pitch_start(room=room, user=organiser)
    first.refresh_from_db()
    assert (first.state, started["type"], started["ended"]) == ("presenting", "pitch.started", None)
    assert started["slot"]["started_at"] == first.started_at.isoformat()
    assert started["slot"]["ends_at"] == (first.started_at + dt.timedelta(minutes=8)).isoformat()

    extended = services.pitch_extend(room=room, user=organiser, seconds=180)
    assert (extended["type"], extended["slot"]["extended_seconds"]) == ("pitch.extended", 180)
    assert extended["slot"]["ends_at"] == (first.started_at + dt.timedelta(minutes=11)).isoformat()

    # "Next pitch" ends the one on stage.
    moved = services.pitch_start(room=room, user=organiser)
    assert (moved["slot"]["id"], moved["ended"]["id"], moved["ended"]["state"]) == (second.pk, first.pk, "done")
    ended = services.pitch_end(room=room, user=organiser)
    assert (ended["type"], ended["slot"]["id"], ended["slot"]["state"]) == ("pitch.ended", second.pk, "done")
    assert _refusal(services.pitch_start, room=room, user=organiser) == ("not_found", "No pitch is left on the agenda.")
    assert _refusal(services.pitch_end, room=room, user=organiser) == ("not_found", "No pitch is on stage.")
    assert _refusal(services.pitch_extend, room=room, user=organiser, seconds=60) == (
        "not_found",
        "No pitch is on stage.",
    )
    assert list(RoomEvent.objects.values_list("type", flat=True)) == [
        "pitch.started",
        "pitch.extended",
        "pitch.started",
        "pitch.ended",
    ]


def test_a_chosen_slot_can_be_started_out_of_order(room, organiser):
    AgendaSlotFactory(room=room, position=0)
    later = AgendaSlotFactory(room=room, position=1)
    assert services.pitch_start(room=room, user=organiser, slot_id=later.pk)["slot"]["id"] == later.pk
    assert _refusal(services.pitch_start, room=room, user=organiser, slot_id=later.pk) == (
        "not_found",
        "This pitch is not waiting on the agenda.",
    )
    assert _refusal(services.pitch_start, room=room, user=organiser, slot_id="x")[0] == "bad_request"


def test_pitches_start_only_in_a_live_room(room, organiser):
    RoadshowRoom.objects.filter(pk=room.pk).update(status="scheduled")
    AgendaSlotFactory(room=room)
    assert _refusal(services.pitch_start, room=room, user=organiser) == (
        "bad_state",
        "Go live before starting a pitch.",
    )


@pytest.mark.parametrize("seconds", [0, -60, 601, "60", True, None])
def test_extension_steps_are_1_to_600_seconds(room, organiser, seconds):
    AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    assert _refusal(services.pitch_extend, room=room, user=organiser, seconds=seconds) == (
        "bad_request",
        "Extend a pitch by 1 to 600 seconds at a time.",
    )


def test_a_pitch_gets_at_most_30_minutes_extra(room, organiser):
    AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    for _ in range(3):
        services.pitch_extend(room=room, user=organiser, seconds=600)
    assert _refusal(services.pitch_extend, room=room, user=organiser, seconds=1) == (
        "bad_request",
        "A pitch can be extended by at most 30 minutes in all.",
    )
    assert AgendaSlot.objects.get().extended_seconds == 1800


def test_ending_the_room_ends_the_pitch_on_stage(room, organiser):
    slot = AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    services.room_end(room=room, user=organiser)
    slot.refresh_from_db()
    assert slot.state == "done" and slot.ended_at is not None
    assert list(RoomEvent.objects.values_list("seq", "type")) == [
        (1, "pitch.started"),
        (2, "room.status"),
        (3, "pitch.ended"),
    ]


def test_room_state_has_the_agenda_and_who_is_presenting(room, organiser, viewer):
    slots = AgendaSlotFactory.create_batch(2, room=room)
    services.pitch_start(room=room, user=organiser)
    state = services.room_state(room=room, user=viewer)
    assert [slot["id"] for slot in state["agenda"]] == [slots[0].pk, slots[1].pk]
    assert [slot["state"] for slot in state["agenda"]] == ["presenting", "pending"]
    assert state["presenting"] == slots[0].pk
    assert isinstance(state["server_ms"], int)


def test_room_state_query_count_does_not_grow_with_the_agenda(room, viewer):
    AgendaSlotFactory(room=room)
    services.room_state(room=room, user=viewer)
    with CaptureQueriesContext(connection) as one:
        services.room_state(room=room, user=viewer)
    AgendaSlotFactory.create_batch(5, room=room)
    with CaptureQueriesContext(connection) as six:
        state = services.room_state(room=room, user=viewer)
    assert len(state["agenda"]) == 6
    assert len(six) == len(one)
