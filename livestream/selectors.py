"""Reusable reads of rooms and what they show."""

from django.db.models import Count, Prefetch, Q, QuerySet

from events.models import Event, EventRole
from events.permissions import roles_for
from events.services import can
from registration.models import Entry, Status

from .models import (
    AgendaSlot,
    ChatMessage,
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
