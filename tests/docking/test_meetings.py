"""Meeting requests and meetings: the request → accept / decline / counter flow, slot rules, no
double booking of a person or a table, fair schedules, check-in, outcomes, notifications."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from docking.models import Lead, Meeting, MeetingParticipant, MeetingRequest, ProposedSlot
from docking.services import meetings as services
from docking.services.meetings import Slot
from events.models import Role
from notifications.models import Notification
from tests.factories import LeadFactory

from .meetings_setup import at, make_fair, person, project

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fair():
    return make_fair()


@pytest.fixture(autouse=True)
def _commit(django_capture_on_commit_callbacks, monkeypatch):
    """Run after-commit work (notifications) at once, as a committed transaction would."""
    monkeypatch.setattr(services.transaction, "on_commit", lambda func, robust=False: func())


def _request(fair, *slots, by=None):
    return services.meeting_request_create(
        event=fair.event,
        entry=fair.entry,
        requested_by=by or fair.enterprise_user,
        slots=list(slots) or [Slot(at(1), at(1, 30)), Slot(at(2), at(2, 30))],
        message="Shall we talk about a pilot line?",
    )


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


def test_enterprise_request_goes_to_the_owner_with_its_slots_and_a_lead(fair):
    request = _request(fair)
    assert request.invitee == fair.talent
    assert request.status == MeetingRequest.Status.PENDING
    assert [(s.starts_at, s.ends_at) for s in request.slots.order_by("starts_at")] == [
        (at(1), at(1, 30)),
        (at(2), at(2, 30)),
    ]
    lead = Lead.objects.get(entry=fair.entry, person=fair.enterprise_user)
    assert (request.lead, lead.enterprise, lead.source) == (lead, fair.enterprise, Lead.Source.MANUAL)
    note = Notification.objects.get(user=fair.talent)
    assert note.kind == "docking.meeting_request"
    assert note.title == f"Buyer fair asks to meet you about “{fair.entry.title}”"
    assert note.url == f"/events/fair/docking/requests/{request.pk}/"


def test_notification_is_in_the_recipients_language(fair):
    fair.talent.language = "zh-hans"
    fair.talent.save(update_fields=["language"])
    _request(fair)
    # Rendered in Chinese: names and titles in their Chinese form (the message text follows the catalogue).
    title = Notification.objects.get(user=fair.talent).title
    assert title == f"{fair.enterprise_user.name_zh} 请求就“{fair.entry.title_zh}”与您洽谈"


def test_accept_creates_a_meeting_with_both_people_and_moves_the_lead(fair):
    request = _request(fair)
    slot = request.slots.order_by("starts_at").last()
    meeting = services.meeting_request_accept(
        request=request, slot=slot, answered_by=fair.talent, online_url="https://meet.example.org/x"
    )
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.ACCEPTED
    assert (meeting.starts_at, meeting.ends_at, meeting.mode, meeting.request) == (at(2), at(2, 30), "online", request)
    assert sorted(meeting.participants.values_list("user_id", flat=True)) == sorted(
        [fair.talent.pk, fair.enterprise_user.pk]
    )
    assert Lead.objects.get(pk=request.lead_id).status == Lead.Status.MEETING
    note = Notification.objects.get(user=fair.enterprise_user)
    assert note.kind == "docking.request_accepted"
    assert note.title == f"Talent fair accepted your meeting about “{fair.entry.title}”"


def test_accept_at_a_fair_table(fair):
    request = _request(fair)
    meeting = services.meeting_request_accept(
        request=request, slot=request.slots.first(), answered_by=fair.talent, mode="table", table=fair.tables[0]
    )
    assert (meeting.mode, meeting.table, meeting.online_url) == ("table", fair.tables[0], "")


def test_only_the_invitee_answers_and_only_once(fair):
    request = _request(fair)
    with pytest.raises(PermissionDenied):
        services.meeting_request_accept(request=request, slot=request.slots.first(), answered_by=fair.enterprise_user)
    services.meeting_request_decline(request=request, answered_by=fair.talent, note="Not this month.")
    with pytest.raises(ValidationError) as caught:
        services.meeting_request_accept(request=request, slot=request.slots.first(), answered_by=fair.talent)
    assert _errors(caught.value) == ["This request was already answered (Declined)."]
    assert Meeting.objects.count() == 0


def test_decline_tells_the_requester(fair):
    request = _request(fair)
    services.meeting_request_decline(request=request, answered_by=fair.talent, note="Not this month.")
    request.refresh_from_db()
    assert (request.status, request.response_note) == ("declined", "Not this month.")
    note = Notification.objects.get(user=fair.enterprise_user)
    assert (note.kind, note.body) == ("docking.request_declined", "Not this month.")


def test_counter_proposes_other_times_back_to_the_requester(fair):
    request = _request(fair)
    counter = services.meeting_request_counter(
        request=request, answered_by=fair.talent, slots=[Slot(at(5), at(5, 45))], message="Afternoon?"
    )
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.COUNTERED
    assert (counter.requested_by, counter.invitee, counter.counter_of, counter.lead_id) == (
        fair.talent,
        fair.enterprise_user,
        request,
        request.lead_id,
    )
    meeting = services.meeting_request_accept(
        request=counter, slot=counter.slots.get(), answered_by=fair.enterprise_user
    )
    assert (meeting.starts_at, meeting.request) == (at(5), counter)
    assert Notification.objects.filter(user=fair.enterprise_user, kind="docking.meeting_request").count() == 1


def test_owner_requests_a_meeting_with_a_lead_person(fair):
    lead = LeadFactory(entry=fair.entry, event=fair.event, person=fair.investor)
    request = services.meeting_request_create(
        event=fair.event, entry=fair.entry, requested_by=fair.talent, slots=[Slot(at(1), at(2))], lead=lead
    )
    assert request.invitee == fair.investor
    with pytest.raises(ValidationError) as caught:
        services.meeting_request_create(
            event=fair.event, entry=fair.entry, requested_by=fair.talent, slots=[Slot(at(3), at(4))]
        )
    assert _errors(caught.value) == ["Choose the interested person (a lead on your project) to meet."]


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ([], "Propose between one and 3 times."),
        ([Slot(at(i), at(i, 30)) for i in range(4)], "Propose between one and 3 times."),
        ([Slot(at(1), at(1))], "A meeting must end after it starts."),
        ([Slot(at(2), at(1))], "A meeting must end after it starts."),
        ([Slot(at(1), at(2)), Slot(at(1, 30), at(3))], "The proposed times overlap; propose separate times."),
    ],
)
def test_bad_slots_are_refused_and_nothing_is_stored(fair, slots, message):
    with pytest.raises(ValidationError) as caught:
        _request(fair, *slots) if slots else services.meeting_request_create(
            event=fair.event, entry=fair.entry, requested_by=fair.enterprise_user, slots=[]
        )
    assert caught.value.message_dict == {"slots": [message]}
    assert (MeetingRequest.objects.count(), ProposedSlot.objects.count(), Lead.objects.count()) == (0, 0, 0)


def test_a_slot_in_the_past_is_refused_with_a_clear_message(fair):
    past = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    with pytest.raises(ValidationError) as caught:
        _request(fair, Slot(past, past + dt.timedelta(minutes=30)))
    china = timezone.localtime(past, dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    assert caught.value.message_dict == {
        "slots": [f"The time {china} (China time) has already passed; choose a time in the future."]
    }
    assert MeetingRequest.objects.count() == 0


def test_touching_slots_are_allowed(fair):
    request = _request(fair, Slot(at(1), at(2)), Slot(at(2), at(3)))
    assert request.slots.count() == 2


def test_accepting_a_slot_that_has_passed_stores_nothing(fair):
    request = _request(fair)
    ProposedSlot.objects.filter(request=request).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=timezone.now() - dt.timedelta(minutes=30)
    )
    with pytest.raises(ValidationError):
        services.meeting_request_accept(request=request, slot=request.slots.first(), answered_by=fair.talent)
    request.refresh_from_db()
    assert (request.status, Meeting.objects.count()) == ("pending", 0)


# --- no double booking --------------------------------------------------------------------------


def _fair_meeting(fair, entry, who, table, start, end):
    return services.fair_meeting_create(
        event=fair.event, entry=entry, person=who, table=table, starts_at=start, ends_at=end, created_by=fair.organiser
    )


def test_a_person_is_never_in_two_overlapping_meetings(fair):
    _fair_meeting(fair, fair.entry, fair.enterprise_user, fair.tables[0], at(1), at(1, 30))
    other = project(fair.event)
    with pytest.raises(ValidationError) as caught:
        _fair_meeting(fair, other, fair.enterprise_user, fair.tables[1], at(1, 15), at(1, 45))
    assert caught.value.messages == [
        f"Buyer fair already has a meeting from {_china(at(1))} to {_china(at(1, 30))}; choose another time."
    ]
    assert Meeting.objects.count() == 1


def test_a_table_never_hosts_two_overlapping_meetings(fair):
    _fair_meeting(fair, fair.entry, fair.enterprise_user, fair.tables[0], at(1), at(1, 30))
    other = project(fair.event)
    with pytest.raises(ValidationError) as caught:
        _fair_meeting(fair, other, fair.investor, fair.tables[0], at(1, 20), at(2))
    assert caught.value.message_dict == {
        "table": [f"Table A1 is taken from {_china(at(1))} to {_china(at(1, 30))}; choose another table or time."]
    }
    assert Meeting.objects.count() == 1


def test_touching_meetings_do_not_overlap(fair):
    _fair_meeting(fair, fair.entry, fair.enterprise_user, fair.tables[0], at(1), at(1, 30))
    other = project(fair.event)
    _fair_meeting(fair, other, fair.enterprise_user, fair.tables[0], at(1, 30), at(2))
    _fair_meeting(fair, fair.entry, fair.investor, fair.tables[0], at(0, 30), at(1))
    assert Meeting.objects.count() == 3


def test_cancelled_meetings_free_the_time(fair):
    meeting = _fair_meeting(fair, fair.entry, fair.enterprise_user, fair.tables[0], at(1), at(1, 30))
    services.meeting_outcome_record(meeting=meeting, status="cancelled", outcome_notes="", recorded_by=fair.organiser)
    _fair_meeting(fair, fair.entry, fair.enterprise_user, fair.tables[0], at(1), at(1, 30))
    assert Meeting.objects.filter(status="scheduled").count() == 1


def test_accepting_a_request_respects_existing_bookings(fair):
    _fair_meeting(fair, project(fair.event), fair.enterprise_user, fair.tables[0], at(1), at(1, 30))
    request = _request(fair)
    with pytest.raises(ValidationError):
        services.meeting_request_accept(
            request=request, slot=request.slots.order_by("starts_at").first(), answered_by=fair.talent
        )
    request.refresh_from_db()
    assert request.status == "pending"
    meeting = services.meeting_request_accept(
        request=request, slot=request.slots.order_by("starts_at").last(), answered_by=fair.talent
    )
    assert meeting.starts_at == at(2)


def test_a_table_of_another_event_is_refused(fair):
    other = make_fair("other")
    with pytest.raises(ValidationError) as caught:
        _fair_meeting(fair, fair.entry, fair.enterprise_user, other.tables[0], at(1), at(2))
    assert caught.value.message_dict == {"table": ["Choose a table of this event."]}


def _china(moment) -> str:
    return timezone.localtime(moment, dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M") + " (China time)"


# --- permissions --------------------------------------------------------------------------------


def test_entrant_of_another_event_cannot_request_or_schedule(fair):
    other = make_fair("other")
    with pytest.raises(PermissionDenied):
        services.meeting_request_create(
            event=fair.event, entry=fair.entry, requested_by=other.enterprise_user, slots=[Slot(at(1), at(2))]
        )
    with pytest.raises(PermissionDenied):
        services.fair_meeting_create(
            event=fair.event,
            entry=fair.entry,
            person=fair.enterprise_user,
            table=fair.tables[0],
            starts_at=at(1),
            ends_at=at(2),
            created_by=other.organiser,
        )
    # A project of another event is not this event's to discuss.
    with pytest.raises(ValidationError) as caught:
        services.meeting_request_create(
            event=fair.event, entry=other.entry, requested_by=fair.enterprise_user, slots=[Slot(at(1), at(2))]
        )
    assert caught.value.message_dict == {"entry": ["Choose a submitted project taking part in this event."]}


def test_a_fair_entrants_contest_project_may_be_discussed_at_the_fair(fair):
    contest = make_fair("contest")
    contest_entry = project(contest.event, fair.talent)  # the fair's talent brings a contest project
    request = services.meeting_request_create(
        event=fair.event, entry=contest_entry, requested_by=fair.enterprise_user, slots=[Slot(at(1), at(2))]
    )
    assert (request.event, request.invitee) == (fair.event, fair.talent)


def test_audience_cannot_request_meetings(fair):
    viewer = person(fair.event, Role.AUDIENCE)
    with pytest.raises(PermissionDenied):
        services.meeting_request_create(
            event=fair.event, entry=fair.entry, requested_by=viewer, slots=[Slot(at(1), at(2))]
        )


def test_second_pending_request_about_the_same_project_is_refused(fair):
    _request(fair)
    with pytest.raises(ValidationError) as caught:
        _request(fair, Slot(at(6), at(7)))
    assert caught.value.messages == ["You already have a request waiting for an answer about this project."]


def test_requester_can_withdraw_a_pending_request(fair):
    request = _request(fair)
    with pytest.raises(PermissionDenied):
        services.meeting_request_cancel(request=request, cancelled_by=fair.talent)
    services.meeting_request_cancel(request=request, cancelled_by=fair.enterprise_user)
    request.refresh_from_db()
    assert request.status == "cancelled"


# --- fair schedule, check-in, outcome ---------------------------------------------------------------


def test_fair_meeting_links_the_lead_notifies_both_and_checks_in(fair):
    lead = LeadFactory(entry=fair.entry, event=fair.event, person=fair.enterprise_user)
    meeting = _fair_meeting(fair, fair.entry, fair.enterprise_user, fair.tables[1], at(1), at(1, 20))
    lead.refresh_from_db()
    assert (meeting.lead, lead.status) == (lead, "meeting")
    assert Notification.objects.filter(kind="docking.meeting_arranged").count() == 2
    participant = meeting.participants.get(user=fair.talent)
    with pytest.raises(PermissionDenied):
        services.participant_check_in(participant=participant, checked_in_by=fair.talent)
    services.participant_check_in(participant=participant, checked_in_by=fair.organiser)
    assert MeetingParticipant.objects.get(pk=participant.pk).checked_in_at is not None
    services.participant_check_in(participant=participant, checked_in_by=fair.organiser, undo=True)
    assert MeetingParticipant.objects.get(pk=participant.pk).checked_in_at is None


def test_outcome_rules(fair, clock):
    meeting = _fair_meeting(fair, fair.entry, fair.enterprise_user, fair.tables[1], at(1), at(1, 20))
    with pytest.raises(ValidationError) as caught:
        services.meeting_outcome_record(meeting=meeting, status="held", outcome_notes="", recorded_by=fair.organiser)
    assert caught.value.message_dict == {"status": ["A meeting can be marked held or missed only once it has started."]}
    clock.run_from(at(1, 30))
    outsider = person(fair.event, Role.ENTERPRISE)
    with pytest.raises(PermissionDenied):
        services.meeting_outcome_record(meeting=meeting, status="held", outcome_notes="", recorded_by=outsider)
    services.meeting_outcome_record(
        meeting=meeting, status="held", outcome_notes="Pilot order discussed.", recorded_by=fair.talent
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.outcome_notes) == ("held", "Pilot order discussed.")
    with pytest.raises(ValidationError):
        services.meeting_outcome_record(
            meeting=meeting, status="scheduled", outcome_notes="", recorded_by=fair.organiser
        )


def test_duplicate_table_label_is_refused(fair):
    with pytest.raises(ValidationError) as caught:
        services.fair_table_create(event=fair.event, label="A1", created_by=fair.organiser)
    assert caught.value.message_dict == {"label": ["The event already has a table with this label."]}
    table = services.fair_table_create(event=fair.event, label=" B7 ", location="Hall 2", created_by=fair.organiser)
    assert (table.label, table.location) == ("B7", "Hall 2")


def test_projects_of_unpublished_events_stay_inside_them(fair):
    hidden = make_fair("hidden")
    hidden.event.is_published = False
    hidden.event.save(update_fields=["is_published"])
    secret = project(hidden.event, fair.talent)
    with pytest.raises(ValidationError) as caught:
        services.meeting_request_create(
            event=fair.event, entry=secret, requested_by=fair.enterprise_user, slots=[Slot(at(1), at(2))]
        )
    assert caught.value.message_dict == {"entry": ["Choose a submitted project taking part in this event."]}


def test_owner_at_a_fair_meets_someone_interested_at_the_contest(fair):
    contest = make_fair("contest")
    contest_entry = project(contest.event, fair.talent)
    lead = LeadFactory(entry=contest_entry, event=contest.event, person=contest.enterprise_user, source="room")
    request = services.meeting_request_create(
        event=fair.event, entry=contest_entry, requested_by=fair.talent, slots=[Slot(at(1), at(2))], lead=lead
    )
    assert (request.event, request.invitee, request.lead) == (fair.event, contest.enterprise_user, lead)
