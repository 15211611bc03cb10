"""Meeting requests, meetings and the docking fair's 1:1 schedule.

Rules:

- a request proposes 1–3 time slots, none in the past, each ending after it starts, none
  overlapping another; it goes to the project's owner when the enterprise side (or an
  organiser) asks, and to the interested person of a lead when the project's owner asks;
- only the invitee answers: accept one slot (a meeting is arranged), decline, or propose
  other times (a counter request to the requester, linked by ``counter_of``);
- no double booking: nobody is in two scheduled meetings that overlap, and a fair table
  hosts one meeting at a time. Meetings that only touch (one ends when the next starts) do
  not overlap. The check runs in the transaction that stores the meeting, with the rows of
  the people and the table locked, so two answers at the same moment cannot both win;
- organisers build fair meetings directly, check people in and record outcomes; the
  participants may record the outcome of their own meeting too;
- the other party is told on the site, in their own language, once the change is committed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.tasks import enqueue
from events.models import Event
from events.services import can, require
from registration.models import Entry
from registration.services import china_time

from ..models import FairTable, Lead, Meeting, MeetingParticipant, MeetingRequest, ProposedSlot
from ..selectors.meetings import docking_entries, enterprise_of
from .leads import lead_advance

MAX_SLOTS = 3


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


def _queue(task_name: str, object_id: int) -> None:
    from .. import tasks

    enqueue(getattr(tasks, task_name), object_id)


def _notify_on_commit(task_name: str, object_id: int) -> None:
    transaction.on_commit(lambda: _queue(task_name, object_id), robust=True)


def _time_check(starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Meeting times must be time-zone aware.")
    if ends_at <= starts_at:
        raise ValidationError(_("A meeting must end after it starts."), code="ends_before_start")
    if starts_at < now:
        raise ValidationError(
            _("The time %(time)s has already passed; choose a time in the future.") % {"time": china_time(starts_at)},
            code="in_the_past",
        )


def slots_validate(slots: Sequence[Slot]) -> list[Slot]:
    """1–3 proposed slots, each in the future and ending after it starts, none overlapping another."""
    slots = sorted(slots, key=lambda slot: slot.starts_at)
    if not 1 <= len(slots) <= MAX_SLOTS:
        raise ValidationError(
            {"slots": _("Propose between one and %(max)s times.") % {"max": MAX_SLOTS}}, code="slot_count"
        )
    now = timezone.now()
    try:
        for slot in slots:
            _time_check(slot.starts_at, slot.ends_at, now=now)
    except ValidationError as exc:
        raise ValidationError({"slots": exc}) from None
    for earlier, later in pairwise(slots):
        if later.starts_at < earlier.ends_at:
            raise ValidationError(
                {"slots": _("The proposed times overlap; propose separate times.")}, code="slots_overlap"
            )
    return slots


def _entry_check(event: Event, entry: Entry) -> None:
    if not docking_entries(event).filter(pk=entry.pk).exists():
        raise ValidationError({"entry": _("Choose a submitted project taking part in this event.")}, code="bad_entry")


def _request_store(
    *,
    event: Event,
    entry: Entry,
    requested_by: User,
    invitee: User,
    slots: Sequence[Slot],
    message: str,
    lead: Lead | None,
    counter_of: MeetingRequest | None = None,
) -> MeetingRequest:
    slots = slots_validate(slots)
    if invitee.pk == requested_by.pk:
        raise ValidationError(_("You cannot ask yourself for a meeting."), code="self")
    request = MeetingRequest(
        event=event,
        entry=entry,
        lead=lead,
        requested_by=requested_by,
        invitee=invitee,
        message=message.strip(),
        counter_of=counter_of,
    )
    request.full_clean(validate_constraints=False)
    request.save()
    ProposedSlot.objects.bulk_create(
        [ProposedSlot(request=request, starts_at=slot.starts_at, ends_at=slot.ends_at) for slot in slots]
    )
    _notify_on_commit("notify_meeting_request", request.pk)
    return request


def meeting_request_create(
    *,
    event: Event,
    entry: Entry,
    requested_by: User,
    slots: Sequence[Slot],
    message: str = "",
    lead: Lead | None = None,
) -> MeetingRequest:
    """Ask for a meeting about a project, proposing 1–3 times.

    The enterprise side (or an organiser) asks the project's owner; the project's owner asks
    the interested person of one of the project's leads. A lead of the enterprise-side
    requester is linked (created if they have none yet).
    """
    require(requested_by, "docking.request_meeting", event)
    _entry_check(event, entry)
    # A lead is one person's interest in one project, wherever it arose (a contest room, a fair).
    if lead is not None and lead.entry_id != entry.pk:
        raise ValidationError({"lead": _("Choose a lead on this project.")}, code="bad_lead")
    if entry.owner_id == requested_by.pk:
        if lead is None:
            raise ValidationError(
                {"lead": _("Choose the interested person (a lead on your project) to meet.")}, code="lead_needed"
            )
        invitee = lead.person
    else:
        invitee = entry.owner
        if lead is None:
            lead = Lead.objects.filter(entry=entry, person=requested_by).first()
    pending = MeetingRequest.objects.filter(
        entry=entry, status=MeetingRequest.Status.PENDING, requested_by=requested_by, invitee=invitee
    )
    if pending.exists():
        raise ValidationError(
            _("You already have a request waiting for an answer about this project."), code="already_pending"
        )
    with transaction.atomic():
        if lead is None and not can(requested_by, "docking.manage", event):
            lead, _created = Lead.objects.get_or_create(
                entry=entry,
                person=requested_by,
                defaults={
                    "event": event,
                    "enterprise": enterprise_of(requested_by),
                    "source": Lead.Source.MANUAL,
                    "created_by": requested_by,
                },
            )
        return _request_store(
            event=event,
            entry=entry,
            requested_by=requested_by,
            invitee=invitee,
            slots=slots,
            message=message,
            lead=lead,
        )


def _pending_for_invitee(request: MeetingRequest, user: User) -> MeetingRequest:
    """The request locked for answering: only its invitee, only while it waits for an answer."""
    if request.invitee_id != user.pk:
        raise PermissionDenied(_("Only the person this request was sent to can answer it."))
    locked = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != MeetingRequest.Status.PENDING:
        raise ValidationError(
            _("This request was already answered (%(status)s).") % {"status": locked.get_status_display()},
            code="answered",
        )
    return locked


def _answered(request: MeetingRequest, status: str, note: str) -> None:
    request.status = status
    request.response_note = note.strip()
    request.responded_at = timezone.now()
    request.full_clean(validate_constraints=False)
    request.save(update_fields=["status", "response_note", "responded_at"])


def _busy(people: Iterable[int], starts_at: datetime, ends_at: datetime, table: FairTable | None) -> None:
    """Refuse a time when a person or the table already has a scheduled meeting overlapping it.

    Callers hold locks on the people's and the table's rows, so the answer stays true until commit.
    """
    overlapping = Q(meeting__status=Meeting.Status.SCHEDULED, meeting__starts_at__lt=ends_at) & Q(
        meeting__ends_at__gt=starts_at
    )
    clash = (
        MeetingParticipant.objects.filter(overlapping, user_id__in=list(people))
        .select_related("user", "meeting")
        .order_by("meeting__starts_at")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("%(person)s already has a meeting from %(start)s to %(end)s; choose another time.")
            % {
                "person": clash.user.display_name,
                "start": china_time(clash.meeting.starts_at),
                "end": china_time(clash.meeting.ends_at),
            },
            code="person_busy",
        )
    if table is not None:
        taken = (
            Meeting.objects.filter(
                table=table, status=Meeting.Status.SCHEDULED, starts_at__lt=ends_at, ends_at__gt=starts_at
            )
            .order_by("starts_at")
            .first()
        )
        if taken is not None:
            raise ValidationError(
                {
                    "table": _("Table %(table)s is taken from %(start)s to %(end)s; choose another table or time.")
                    % {"table": table.label, "start": china_time(taken.starts_at), "end": china_time(taken.ends_at)}
                },
                code="table_busy",
            )


def _meeting_book(
    *,
    event: Event,
    entry: Entry,
    people: Sequence[User],
    starts_at: datetime,
    ends_at: datetime,
    mode: str,
    online_url: str,
    table: FairTable | None,
    created_by: User,
    request: MeetingRequest | None = None,
    lead: Lead | None = None,
) -> Meeting:
    """Store a meeting with its participants, after the double-booking check under row locks.

    Must run inside ``transaction.atomic``.
    """
    _time_check(starts_at, ends_at, now=timezone.now())
    if mode not in Meeting.Mode.values:
        raise ValidationError({"mode": _("Choose where the meeting takes place.")}, code="bad_mode")
    if mode == Meeting.Mode.FAIR_TABLE:
        if table is None:
            raise ValidationError({"table": _("Choose the table for a meeting at the fair.")}, code="no_table")
        if table.event_id != event.pk:
            raise ValidationError({"table": _("Choose a table of this event.")}, code="bad_table")
        online_url = ""
    else:
        table = None
    ids = sorted({person.pk for person in people})
    # Lock the people (and the table) in a fixed order: concurrent bookings wait here, then see each other.
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    if table is not None:
        list(FairTable.objects.select_for_update().filter(pk=table.pk).values_list("pk", flat=True))
    _busy(ids, starts_at, ends_at, table)
    meeting = Meeting(
        event=event,
        entry=entry,
        request=request,
        lead=lead,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        online_url=online_url.strip(),
        table=table,
        created_by=created_by,
    )
    meeting.full_clean(validate_constraints=False)
    meeting.save()
    MeetingParticipant.objects.bulk_create([MeetingParticipant(meeting=meeting, user_id=pk) for pk in ids])
    lead_advance(lead=lead, status=Lead.Status.MEETING)
    return meeting


def meeting_request_accept(
    *,
    request: MeetingRequest,
    slot: ProposedSlot,
    answered_by: User,
    mode: str = Meeting.Mode.ONLINE,
    online_url: str = "",
    table: FairTable | None = None,
    note: str = "",
) -> Meeting:
    """The invitee accepts one of the proposed times: the meeting is arranged with both people,
    unless one of them (or the table) is already booked then."""
    if slot.request_id != request.pk:
        raise ValidationError({"slot": _("Choose one of the proposed times.")}, code="bad_slot")
    with transaction.atomic():
        locked = _pending_for_invitee(request, answered_by)
        meeting = _meeting_book(
            event=locked.event,
            entry=locked.entry,
            people=[locked.requested_by, locked.invitee],
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            mode=mode,
            online_url=online_url,
            table=table,
            created_by=answered_by,
            request=locked,
            lead=locked.lead,
        )
        _answered(locked, MeetingRequest.Status.ACCEPTED, note)
        _notify_on_commit("notify_request_answered", locked.pk)
    request.refresh_from_db()
    return meeting


def meeting_request_decline(*, request: MeetingRequest, answered_by: User, note: str = "") -> MeetingRequest:
    """The invitee declines the request (with an optional note to the requester)."""
    with transaction.atomic():
        locked = _pending_for_invitee(request, answered_by)
        _answered(locked, MeetingRequest.Status.DECLINED, note)
        _notify_on_commit("notify_request_answered", locked.pk)
    request.refresh_from_db()
    return request


def meeting_request_counter(
    *, request: MeetingRequest, answered_by: User, slots: Sequence[Slot], message: str = ""
) -> MeetingRequest:
    """The invitee proposes other times: a new request to the requester, linked by ``counter_of``."""
    with transaction.atomic():
        locked = _pending_for_invitee(request, answered_by)
        counter = _request_store(
            event=locked.event,
            entry=locked.entry,
            requested_by=answered_by,
            invitee=locked.requested_by,
            slots=slots,
            message=message,
            lead=locked.lead,
            counter_of=locked,
        )
        _answered(locked, MeetingRequest.Status.COUNTERED, message)
    request.refresh_from_db()
    return counter


def meeting_request_cancel(*, request: MeetingRequest, cancelled_by: User) -> MeetingRequest:
    """The requester withdraws a request that has not been answered yet."""
    if request.requested_by_id != cancelled_by.pk:
        raise PermissionDenied(_("Only the person who sent this request can withdraw it."))
    with transaction.atomic():
        locked = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != MeetingRequest.Status.PENDING:
            raise ValidationError(_("Only a request waiting for an answer can be withdrawn."), code="answered")
        _answered(locked, MeetingRequest.Status.CANCELLED, "")
    request.refresh_from_db()
    return request


def fair_meeting_create(
    *,
    event: Event,
    entry: Entry,
    person: User,
    table: FairTable,
    starts_at: datetime,
    ends_at: datetime,
    created_by: User,
) -> Meeting:
    """An organiser puts a 1:1 meeting on the fair schedule: the project's owner and ``person``
    (enterprise or investor side) at ``table``. The person's lead on the project is linked."""
    require(created_by, "docking.manage", event)
    _entry_check(event, entry)
    if person.pk == entry.owner_id:
        raise ValidationError({"person": _("Choose someone other than the project's owner.")}, code="own_project")
    with transaction.atomic():
        lead = Lead.objects.filter(entry=entry, person=person).first()
        meeting = _meeting_book(
            event=event,
            entry=entry,
            people=[entry.owner, person],
            starts_at=starts_at,
            ends_at=ends_at,
            mode=Meeting.Mode.FAIR_TABLE,
            online_url="",
            table=table,
            created_by=created_by,
            lead=lead,
        )
        _notify_on_commit("notify_meeting_arranged", meeting.pk)
    return meeting


def fair_table_create(*, event: Event, label: str, location: str = "", created_by: User) -> FairTable:
    """Add a numbered table to the fair (organisers); labels are unique in the event."""
    require(created_by, "docking.manage", event)
    label = label.strip()
    if FairTable.objects.filter(event=event, label=label).exists():
        raise ValidationError({"label": _("The event already has a table with this label.")}, code="duplicate")
    table = FairTable(event=event, label=label, location=location.strip())
    table.full_clean(validate_constraints=False)
    table.save()
    return table


def participant_check_in(*, participant: MeetingParticipant, checked_in_by: User, undo: bool = False):
    """Mark a participant present at the fair (organisers), or take the mark back."""
    require(checked_in_by, "docking.manage", participant.meeting.event)
    if participant.meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."), code="cancelled")
    participant.checked_in_at = None if undo else (participant.checked_in_at or timezone.now())
    participant.save(update_fields=["checked_in_at"])
    return participant


def meeting_outcome_record(*, meeting: Meeting, status: str, outcome_notes: str, recorded_by: User) -> Meeting:
    """Record how a meeting went (organisers and its participants): held, did not take place, or
    cancelled, with notes. Held or missed only once it has started; a cancelled meeting stays cancelled."""
    participant = meeting.participants.filter(user=recorded_by).exists()
    if not (participant or can(recorded_by, "docking.manage", meeting.event)):
        raise PermissionDenied(_("You do not have permission to do this in this event."))
    if status not in Meeting.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")}, code="bad_status")
    if meeting.status == Meeting.Status.CANCELLED and status != Meeting.Status.CANCELLED:
        raise ValidationError({"status": _("A cancelled meeting cannot be reopened.")}, code="cancelled")
    if meeting.status != Meeting.Status.SCHEDULED and status == Meeting.Status.SCHEDULED:
        raise ValidationError({"status": _("A meeting cannot go back to scheduled.")}, code="back")
    if status in (Meeting.Status.HELD, Meeting.Status.NO_SHOW) and meeting.starts_at > timezone.now():
        raise ValidationError(
            {"status": _("A meeting can be marked held or missed only once it has started.")}, code="not_started"
        )
    meeting.status = status
    meeting.outcome_notes = outcome_notes.strip()
    meeting.full_clean(validate_constraints=False)
    meeting.save(update_fields=["status", "outcome_notes"])
    return meeting
