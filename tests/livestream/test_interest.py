"""'I'm interested' in a pitched project: who may mark it, once per person, who sees the counts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from events.models import Role
from livestream import services, signals
from livestream.models import RoomEvent, RoomInterest
from livestream.services import LiveError
from tests.factories import AgendaSlotFactory, EventRoleFactory, OrganisationFactory, UserFactory

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


@pytest.fixture
def slot(room, organiser):
    slot = AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    slot.refresh_from_db()
    return slot


def _with_role(room, role, **kwargs):
    user = UserFactory(**kwargs)
    EventRoleFactory(event=room.event, user=user, role=role)
    return user


def test_an_enterprise_marks_interest_once(room, slot):
    enterprise = _with_role(room, Role.ENTERPRISE)
    first = services.interest_mark(room=room, user=enterprise, slot_id=slot.pk)
    assert first == {"type": "interest.marked", "slot_id": slot.pk, "entry_id": slot.entry_id, "duplicate": False}
    again = services.interest_mark(room=room, user=enterprise, slot_id=slot.pk)
    assert again == {**first, "duplicate": True}
    interest = RoomInterest.objects.get()
    assert (interest.room, interest.slot, interest.entry, interest.user) == (room, slot, slot.entry, enterprise)
    assert RoomEvent.objects.filter(type__startswith="interest").count() == 0  # not in the room log


def test_a_new_mark_is_signalled_once_committed_and_a_duplicate_is_not(room, slot, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, *, interest, **kwargs):
        received.append((sender, interest))

    signals.interest_marked.connect(receiver)
    try:
        enterprise = _with_role(room, Role.ENTERPRISE)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.interest_mark(room=room, user=enterprise, slot_id=slot.pk)
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            services.interest_mark(room=room, user=enterprise, slot_id=slot.pk)
    finally:
        signals.interest_marked.disconnect(receiver)
    assert received == [(RoomInterest, RoomInterest.objects.get())]


@pytest.mark.parametrize("role", [Role.AUDIENCE, Role.ENTERPRISE, Role.ORGANISER])
def test_audience_enterprise_and_organisers_may_mark_interest(room, slot, role):
    person = _with_role(room, role)
    assert services.interest_mark(room=room, user=person, slot_id=slot.pk)["duplicate"] is False


def test_people_without_such_a_role_may_not(room, slot):
    message = "Only the event's audience, enterprises and investors can mark interest in a project."
    judge = _with_role(room, Role.JUDGE)
    other_events_audience = UserFactory()
    EventRoleFactory(user=other_events_audience, role=Role.AUDIENCE)
    for person in (UserFactory(), judge, other_events_audience):
        assert _refusal(services.interest_mark, room=room, user=person, slot_id=slot.pk) == ("not_allowed", message)
    assert _refusal(services.interest_mark, room=room, user=AnonymousUser(), slot_id=slot.pk)[0] == "not_signed_in"
    assert RoomInterest.objects.count() == 0


def test_interest_only_in_a_project_that_pitched_here_and_not_ones_own(room, slot, organiser):
    audience = _with_role(room, Role.AUDIENCE)
    pending = AgendaSlotFactory(room=room)
    elsewhere = AgendaSlotFactory(state="done", started_at=slot.started_at)
    for slot_id in (pending.pk, elsewhere.pk, "1", None):
        assert _refusal(services.interest_mark, room=room, user=audience, slot_id=slot_id) == (
            "not_found",
            "This project has not pitched in this room.",
        )
    owner = slot.entry.owner
    EventRoleFactory(event=room.event, user=owner, role=Role.AUDIENCE)
    assert _refusal(services.interest_mark, room=room, user=owner, slot_id=slot.pk) == (
        "not_allowed",
        "This is your own project.",
    )
    # A pitch that is over still takes interest.
    services.pitch_end(room=room, user=organiser)
    assert services.interest_mark(room=room, user=audience, slot_id=slot.pk)["duplicate"] is False


def test_marking_is_rate_limited(room, organiser, settings):
    settings.LIVESTREAM_RATE_LIMITS = {**settings.LIVESTREAM_RATE_LIMITS, "vote": (1, 3600)}
    audience = _with_role(room, Role.AUDIENCE)
    first, second = AgendaSlotFactory(room=room), AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    services.pitch_start(room=room, user=organiser)
    services.interest_mark(room=room, user=audience, slot_id=first.pk)
    assert _refusal(services.interest_mark, room=room, user=audience, slot_id=second.pk)[0] == "rate_limited"


def test_organisers_see_who_and_the_entrant_sees_how_many(room, slot, organiser, viewer):
    org = OrganisationFactory(name_zh="蓝海新能源", name_en="Blue Sea Energy")
    enterprise = _with_role(room, Role.ENTERPRISE, name_zh="周晓", name_en="Zhou Xiao", organisation=org)
    audience = _with_role(room, Role.AUDIENCE, name_zh="", name_en="Ann", organisation=None)
    services.interest_mark(room=room, user=enterprise, slot_id=slot.pk)
    services.interest_mark(room=room, user=audience, slot_id=slot.pk)
    marks = {m.user_id: m.created_at.isoformat() for m in RoomInterest.objects.all()}

    organiser_state = services.room_state(room=room, user=organiser)
    assert organiser_state["interest"] == [
        {
            "entry_id": slot.entry_id,
            "total": 2,
            "people": [
                {
                    "id": audience.pk,
                    "name_zh": "Ann",
                    "name_en": "Ann",
                    "organisation_zh": "",
                    "organisation_en": "",
                    "marked_at": marks[audience.pk],
                },
                {
                    "id": enterprise.pk,
                    "name_zh": "周晓",
                    "name_en": "Zhou Xiao",
                    "organisation_zh": "蓝海新能源",
                    "organisation_en": "Blue Sea Energy",
                    "marked_at": marks[enterprise.pk],
                },
            ],
        }
    ]
    entrant_state = services.room_state(room=room, user=slot.entry.owner)
    assert entrant_state["interest"] == [{"entry_id": slot.entry_id, "total": 2}]
    assert entrant_state["me"]["own_entries"] == [slot.entry_id]
    assert services.room_state(room=room, user=viewer)["interest"] == []
    assert services.room_state(room=room, user=enterprise)["me"]["interested_entries"] == [slot.entry_id]
    assert services.room_state(room=room, user=enterprise)["me"]["can_mark_interest"] is True


def test_interest_frames_go_to_organisers_with_people_and_to_the_owner_with_the_count(room, slot):
    enterprise = _with_role(room, Role.ENTERPRISE)
    services.interest_mark(room=room, user=enterprise, slot_id=slot.pk)
    frames = services.interest_frames(room_id=room.pk, entry_ids=[slot.entry_id])
    assert [(tier, user_id) for tier, user_id, _frame in frames] == [
        ("moderators", None),
        ("all", slot.entry.owner_id),
    ]
    assert [person["id"] for person in frames[0][2]["people"]] == [enterprise.pk]
    assert frames[1][2] == {"type": "interest", "entry_id": slot.entry_id, "total": 1}


def test_the_organisers_list_is_capped_but_the_count_is_exact(room, slot, settings):
    settings.LIVESTREAM_INTEREST_LIST_MAX = 2
    for _ in range(3):
        services.interest_mark(room=room, user=_with_role(room, Role.AUDIENCE), slot_id=slot.pk)
    [summary] = services.interest_summary(entry_ids=[slot.entry_id], with_people=True)
    assert (summary["total"], len(summary["people"])) == (3, 2)
