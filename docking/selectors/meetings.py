"""Reads for leads, meeting requests, meetings and fair schedules, with what their pages show."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from events.models import Event, EventRole, Role
from events.services import can
from registration.models import Entry, Status

from ..models import EnterpriseProfile, FairTable, Lead, Meeting, MeetingParticipant, MeetingRequest, ProposedSlot

# Entries that never reached the docking stage.
NOT_DOCKABLE = (Status.DRAFT, Status.WITHDRAWN)


def docking_entries(event: Event) -> QuerySet[Entry]:
    """The projects an event's docking may concern: its own submitted entries, and the submitted
    entries in published events of people who take part in it as entrants (a fair's talents bring
    their contest projects; an unpublished event's entries stay inside it)."""
    entrants = EventRole.objects.filter(event=event, role=Role.ENTRANT).values("user_id")
    brought = Q(owner_id__in=entrants, event__is_published=True)
    return Entry.objects.filter(Q(event=event) | brought).exclude(status__in=NOT_DOCKABLE)


def enterprise_of(user) -> EnterpriseProfile | None:
    """The enterprise profile ``user`` acts for (the first one, if they are a contact of several)."""
    if user is None or not user.is_authenticated:
        return None
    return EnterpriseProfile.objects.filter(contacts=user).select_related("organisation").order_by("pk").first()


def _lead_rows(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    return qs.select_related("entry__event", "entry__owner", "person__organisation", "enterprise__organisation", "need")


def leads_visible_to(user, event: Event) -> QuerySet[Lead]:
    """All of the event's leads for its organisers; for anyone else, the leads they are the
    interested person of, or that belong to an enterprise they are a contact of."""
    leads = Lead.objects.filter(event=event)
    if can(user, "docking.manage", event):
        return _lead_rows(leads)
    if not user.is_authenticated:
        return leads.none()
    return _lead_rows(leads.filter(Q(person=user) | Q(enterprise__contacts=user)).distinct())


def leads_filtered(leads: QuerySet[Lead], *, status: str = "", source: str = "", entry_id: int | None = None):
    if status:
        leads = leads.filter(status=status)
    if source:
        leads = leads.filter(source=source)
    if entry_id:
        leads = leads.filter(entry_id=entry_id)
    return leads.order_by("-created_at", "-pk")


def _request_rows(qs: QuerySet[MeetingRequest]) -> QuerySet[MeetingRequest]:
    return qs.select_related(
        "event", "entry__event", "requested_by__organisation", "invitee__organisation", "lead", "meeting"
    ).prefetch_related(Prefetch("slots", queryset=ProposedSlot.objects.order_by("starts_at")))


def requests_received(user, event: Event | None = None) -> QuerySet[MeetingRequest]:
    qs = MeetingRequest.objects.filter(invitee=user)
    if event is not None:
        qs = qs.filter(event=event)
    return _request_rows(qs).order_by("-created_at", "-pk")


def requests_sent(user, event: Event | None = None) -> QuerySet[MeetingRequest]:
    qs = MeetingRequest.objects.filter(requested_by=user)
    if event is not None:
        qs = qs.filter(event=event)
    return _request_rows(qs).order_by("-created_at", "-pk")


def request_for_page(user, event: Event, pk: int) -> MeetingRequest | None:
    """A request its requester, its invitee or the event's organisers may see; None for anyone else."""
    qs = MeetingRequest.objects.filter(event=event, pk=pk)
    if not can(user, "docking.manage", event):
        if not user.is_authenticated:
            return None
        qs = qs.filter(Q(requested_by=user) | Q(invitee=user))
    return _request_rows(qs).select_related("counter_of").first()


def _meeting_rows(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.select_related("event", "entry__event", "table", "lead").prefetch_related(
        Prefetch(
            "participants",
            queryset=MeetingParticipant.objects.select_related("user__organisation").order_by("pk"),
        )
    )


def meetings_of(event: Event) -> QuerySet[Meeting]:
    return _meeting_rows(Meeting.objects.filter(event=event)).order_by("starts_at", "pk")


def meetings_of_person(user, event: Event | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(participants__user=user)
    if event is not None:
        qs = qs.filter(event=event)
    return _meeting_rows(qs).order_by("starts_at", "pk")


def meeting_for_page(user, event: Event, pk: int) -> Meeting | None:
    """A meeting its participants or the event's organisers may see; None for anyone else."""
    qs = Meeting.objects.filter(event=event, pk=pk)
    if not can(user, "docking.manage", event):
        if not user.is_authenticated:
            return None
        qs = qs.filter(participants__user=user)
    return _meeting_rows(qs).first()


def tables_of(event: Event) -> QuerySet[FairTable]:
    return FairTable.objects.filter(event=event).order_by("label")


def schedule_by_person(event: Event) -> list[tuple]:
    """The event's meetings grouped by person: ``[(user, [participant rows in time order])]``."""
    rows = (
        MeetingParticipant.objects.filter(meeting__event=event)
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .select_related("user__organisation", "meeting__entry", "meeting__table")
        .prefetch_related(
            Prefetch("meeting__participants", queryset=MeetingParticipant.objects.select_related("user").order_by("pk"))
        )
        .order_by("user__name_en", "user__email", "user_id", "meeting__starts_at")
    )
    grouped: dict[int, tuple] = {}
    for row in rows:
        grouped.setdefault(row.user_id, (row.user, []))[1].append(row)
    return list(grouped.values())


def schedule_by_table(event: Event) -> list[tuple]:
    """The fair tables with their meetings in time order: ``[(table, [meetings])]``."""
    meetings = (
        _meeting_rows(Meeting.objects.filter(event=event, table__isnull=False))
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at", "pk")
    )
    by_table: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        by_table.setdefault(meeting.table_id, []).append(meeting)
    return [(table, by_table.get(table.pk, [])) for table in tables_of(event)]


def pending_requests_to_answer(user) -> QuerySet[MeetingRequest]:
    return (
        MeetingRequest.objects.filter(invitee=user, status=MeetingRequest.Status.PENDING)
        .select_related("event", "entry", "requested_by")
        .order_by("created_at", "pk")
    )


def upcoming_meetings(user) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(participants__user=user, status=Meeting.Status.SCHEDULED, ends_at__gte=timezone.now())
        .select_related("event", "entry", "table")
        .order_by("starts_at", "pk")
    )
