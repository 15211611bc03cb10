"""Reusable reads of rooms and what they show."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, DateTimeField, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from events.models import Event, EventRole
from events.permissions import roles_for
from events.services import can
from registration.models import Entry, Status

from .models import (
    AgendaSlot,
    ChatMessage,
    PitchSignals,
    Poll,
    PollOption,
    Question,
    RoadshowRoom,
    RoomEvent,
    RoomInterest,
    Visibility,
)

# Entries that may be put on a room's agenda: submitted and still in the contest.
AGENDA_EXCLUDED_STATUSES = (Status.DRAFT, Status.WITHDRAWN, Status.SCREENED_OUT)


def rooms_of_event(event: Event, user) -> list[RoadshowRoom]:
    """The event's rooms that ``user`` may watch, live ones first (one query)."""
    order = {RoadshowRoom.Status.LIVE: 0, RoadshowRoom.Status.SCHEDULED: 1, RoadshowRoom.Status.ENDED: 2}
    rooms = RoadshowRoom.objects.filter(event=event).select_related("event", "judging_round")
    rooms = [room for room in rooms if room_can_watch(user, room)]
    return sorted(rooms, key=lambda room: order[room.status])


def rooms_watchable(user) -> list[RoadshowRoom]:
    """Every room ``user`` may watch, newest events first (``room_can_watch`` decides each).

    The query only narrows the candidates to published events and events where the user holds a
    role; ``can`` looks roles up once per event, so the count of queries grows with events, not rooms.
    """
    rooms = RoadshowRoom.objects.select_related("event", "judging_round").order_by(
        "-event__starts_on", "event_id", "scheduled_start", "slug"
    )
    if not (user.is_authenticated and user.is_staff):
        visible = Q(event__is_published=True)
        if user.is_authenticated:
            visible |= Q(event__in=EventRole.objects.filter(user_id=user.pk).values("event_id"))
        rooms = rooms.filter(visible)
    return [room for room in rooms if room_can_watch(user, room)]


def room_can_watch(user, room: RoadshowRoom) -> bool:
    """Public rooms follow ``room.watch``; registered-only rooms ``room.watch_registered`` (sign-in)."""
    if room.visibility == RoadshowRoom.Visibility.PUBLIC:
        return can(user, "room.watch", room.event)
    return can(user, "room.watch_registered", room.event)


def room_tiers(room: RoadshowRoom, user) -> frozenset[str]:
    """Which kinds of room events ``user`` receives: everyone's, plus moderators' or judges' ones."""
    tiers = {Visibility.ALL.value}
    if can(user, "room.moderate", room.event):
        tiers |= {Visibility.MODERATORS.value, Visibility.JUDGES.value}
    elif can(user, "room.score_live", room.event):
        tiers.add(Visibility.JUDGES.value)
    return frozenset(tiers)


def chat_events_visible(room: RoadshowRoom, *, limit: int) -> list[RoomEvent]:
    """The stored frames of the newest ``limit`` chat messages nobody hid, oldest first (one query)."""
    newest = RoomEvent.objects.filter(room=room, type="chat.message", hidden=False).order_by("-seq")[:limit]
    return list(reversed(newest))


def moderator_ids(room: RoadshowRoom) -> set[int]:
    """Ids of the people holding a role that may moderate the room's event (site staff aside)."""
    roles = roles_for("room.moderate")
    return set(EventRole.objects.filter(event_id=room.event_id, role__in=roles).values_list("user_id", flat=True))


def questions_visible(room: RoadshowRoom) -> QuerySet[Question]:
    return Question.objects.filter(room=room, hidden=False).select_related("user").order_by("-votes", "seq")


def polls_with_results(room: RoadshowRoom | None) -> QuerySet[Poll]:
    """Polls (of ``room``, or all when None) with each option's ``vote_count``."""
    options = PollOption.objects.annotate(vote_count=Count("votes")).order_by("position", "pk")
    polls = Poll.objects.prefetch_related(Prefetch("options", queryset=options))
    return polls if room is None else polls.filter(room=room)


def events_after(
    room: RoadshowRoom, *, since: int, until: int | None, tiers: frozenset[str], limit: int
) -> QuerySet[RoomEvent]:
    events = RoomEvent.objects.filter(room=room, seq__gt=since, visibility__in=tiers, hidden=False)
    if until is not None:
        events = events.filter(seq__lte=until)
    return events.order_by("seq")[:limit]


def agenda(room: RoadshowRoom) -> QuerySet[AgendaSlot]:
    """The room's slots in order, with each entry and its track (one query)."""
    return AgendaSlot.objects.filter(room=room).select_related("entry__track").order_by("position", "pk")


def agenda_candidates(event: Event) -> QuerySet[Entry]:
    """Entries of ``event`` an organiser may put on a room's agenda: submitted, not withdrawn or screened out."""
    return (
        Entry.objects.filter(event=event)
        .exclude(status__in=AGENDA_EXCLUDED_STATUSES)
        .select_related("track")
        .order_by("title_zh", "title_en", "pk")
    )


def interests_of_entries(entry_ids: list[int]) -> QuerySet[RoomInterest]:
    """Interest marks in these entries, newest first per entry, with each person's organisation."""
    return (
        RoomInterest.objects.filter(entry_id__in=entry_ids)
        .select_related("user__organisation")
        .order_by("entry_id", "-created_at", "-pk")
    )


def transcript_chat(room: RoadshowRoom, *, include_hidden: bool = False) -> QuerySet[ChatMessage]:
    messages = ChatMessage.objects.filter(room=room).select_related("user__organisation").order_by("seq")
    return messages if include_hidden else messages.filter(hidden=False)


def transcript_questions(room: RoadshowRoom, *, include_hidden: bool = False) -> QuerySet[Question]:
    questions = Question.objects.filter(room=room).select_related("user__organisation").order_by("seq")
    return questions if include_hidden else questions.filter(hidden=False)


# --- live signals of pitches: evidence beside the judges' scores, in a total only when a round weighs one --


@dataclass
class PitchEvidence:
    """What the audience did during one pitch (or, added up, during all of an entry's pitches)."""

    peak_viewers: int = 0
    viewer_samples: int = 0
    viewers_sampled: int = 0
    reactions: Counter = field(default_factory=Counter)
    question_votes: int = 0
    interest_clicks: int = 0

    @property
    def average_viewers(self) -> float | None:
        return self.viewers_sampled / self.viewer_samples if self.viewer_samples else None

    @property
    def reaction_total(self) -> int:
        return sum(self.reactions.values())

    def add(self, other: "PitchEvidence") -> None:
        """Fold another pitch in: the highest peak, the mean over all samples, everything else summed."""
        self.peak_viewers = max(self.peak_viewers, other.peak_viewers)
        self.viewer_samples += other.viewer_samples
        self.viewers_sampled += other.viewers_sampled
        self.reactions.update(other.reactions)
        self.question_votes += other.question_votes
        self.interest_clicks += other.interest_clicks


STILL_ON_STAGE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def pitched_slots_with_signals() -> QuerySet[AgendaSlot]:
    """Slots whose pitch started, with their ``signals`` row, and annotated with ``question_votes``
    (upvotes of the visible questions asked in the room while the pitch was on stage) and
    ``interest_clicks`` (interest marks made on this pitch): one query however many slots."""
    asked_during = Question.objects.filter(
        room_id=OuterRef("room_id"),
        hidden=False,
        created_at__gte=OuterRef("started_at"),
        # A pitch still on stage counts every question asked since it started (no clock involved: the
        # database server's clock need not agree with the one that stamped created_at).
        created_at__lt=Coalesce(OuterRef("ended_at"), Value(STILL_ON_STAGE, output_field=DateTimeField())),
    )
    votes = asked_during.order_by().values("room_id").annotate(total=Sum("votes")).values("total")
    clicks = (
        RoomInterest.objects.filter(slot_id=OuterRef("pk"))
        .order_by()
        .values("slot_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        AgendaSlot.objects.exclude(state=AgendaSlot.State.PENDING)
        .select_related("signals")
        .annotate(
            question_votes=Coalesce(Subquery(votes, output_field=IntegerField()), 0),
            interest_clicks=Coalesce(Subquery(clicks, output_field=IntegerField()), 0),
        )
    )


def pitch_evidence(slot: AgendaSlot) -> PitchEvidence:
    """The evidence of one slot from ``pitched_slots_with_signals`` (zeros where no tick recorded anything)."""
    try:
        signals = slot.signals
    except PitchSignals.DoesNotExist:
        signals = PitchSignals()
    return PitchEvidence(
        peak_viewers=signals.peak_viewers,
        viewer_samples=signals.viewer_samples,
        viewers_sampled=signals.viewers_sampled,
        reactions=Counter(signals.reactions),
        question_votes=slot.question_votes,
        interest_clicks=slot.interest_clicks,
    )


def pitch_signals_of_entries(*, event: Event, entry_ids: Iterable[int]) -> dict[int, PitchEvidence]:
    """``{entry_id: evidence}`` for the entries among ``entry_ids`` that pitched in a room of
    ``event`` (all their pitches there added up, see ``PitchEvidence.add``). One query."""
    slots = pitched_slots_with_signals().filter(room__event=event, entry_id__in=list(entry_ids))
    evidence: dict[int, PitchEvidence] = {}
    for slot in slots.order_by("entry_id", "pk"):
        evidence.setdefault(slot.entry_id, PitchEvidence()).add(pitch_evidence(slot))
    return evidence
