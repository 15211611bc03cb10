"""Rules of the live layer. The websocket handlers, pages and admin call these and nothing else.

Every function is synchronous, takes keyword arguments and returns a plain dict that is a
frame ready to send (``{"type": ..., ...}``). A refusal raises ``LiveError`` with a stable
``code`` and a translatable message. Permission checks go through ``events.services.can``.

Every change all viewers must see is stored as a ``RoomEvent`` with the room's next ``seq``
and broadcast only after its transaction commits. The ``seq`` is allocated by an UPDATE of
the room row as the transaction's first statement: on PostgreSQL the row lock makes
concurrent writers in a room wait for each other, on SQLite the write lock is taken up front
(waiting out the busy timeout) instead of being upgraded later, which could deadlock.
"""

import unicodedata
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.ratelimit import rate_limited
from events.models import Event
from events.services import can, require
from judging import selectors as judging_selectors
from judging.models import Round, Scorecard
from judging.services import live_score_submit, plain, results_compute

from . import broadcast, selectors
from .models import (
    MAX_PITCH_MINUTES,
    MAX_SLOW_MODE_SECONDS,
    AgendaSlot,
    ChatMessage,
    PitchSignals,
    Poll,
    PollOption,
    PollVote,
    Question,
    QuestionVote,
    RoadshowRoom,
    RoomEvent,
    RoomInterest,
    RoomMute,
    Visibility,
)

CLIENT_ID_MAX_LENGTH = 64
PITCH_EXTEND_STEP_MAX = 600
POLL_MIN_OPTIONS = 2
POLL_MAX_OPTIONS = 6
# Characters that could reorder or hide text around them (bidirectional overrides and isolates).
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


class LiveError(Exception):
    """A refusal sent back as ``{"type": "error", "code": ..., "message": ...}``; the socket stays open."""

    def __init__(self, code: str, message: str | Promise, **params):
        super().__init__(code)
        self.code = code
        self.message = message
        # Filled in when the frame is made, so the message is in the socket's language, not the worker's.
        self.params = params

    def frame(self) -> dict:
        text = str(self.message) % self.params if self.params else str(self.message)
        return {"type": "error", "code": self.code, "message": text}


class _Duplicate(Exception):
    """Raised inside a transaction to roll back a seq taken for a resend that was already stored."""


# --- helpers ------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def server_time() -> dict:
    """The server clock, for clients to correct countdowns by: ISO text and milliseconds since the epoch."""
    now = timezone.now()
    return {"server_time": now.isoformat(), "server_ms": int(now.timestamp() * 1000)}


def user_frame(user, room: RoadshowRoom, *, moderator_ids: set[int] | None = None) -> dict:
    """How a person appears in frames: both names (each viewer picks its language) and a moderator mark.

    ``moderator_ids`` (from ``selectors.moderator_ids``) saves a role lookup per person in lists.
    """
    if moderator_ids is None:
        moderator = can(user, "room.moderate", room.event)
    else:
        moderator = user.pk in moderator_ids or (user.is_staff and user.is_active)
    return {
        "id": user.pk,
        "name_zh": user.name_zh or user.name_en,
        "name_en": user.name_en or user.name_zh,
        "moderator": moderator,
    }


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _require_post(room: RoadshowRoom, user) -> None:
    if not _signed_in(user):
        raise LiveError("not_signed_in", _("Sign in to take part in the room."))
    if not (selectors.room_can_watch(user, room) and can(user, "room.post", room.event)):
        raise LiveError("not_allowed", _("You are not allowed to do this in this room."))


def _require_action(room: RoadshowRoom, user, action: str) -> None:
    if not _signed_in(user):
        raise LiveError("not_signed_in", _("Sign in to take part in the room."))
    if not can(user, action, room.event):
        raise LiveError("not_allowed", _("You are not allowed to do this in this room."))


_ROOM_OWN_FIELDS = [f.attname for f in RoadshowRoom._meta.concrete_fields if not f.is_relation]


def _fresh(room: RoadshowRoom) -> RoadshowRoom:
    """Reload the room's own fields (another process may have changed status or slow mode), keeping its event."""
    room.refresh_from_db(fields=_ROOM_OWN_FIELDS)
    return room


def _require_not_ended(room: RoadshowRoom) -> None:
    if room.status == RoadshowRoom.Status.ENDED:
        raise LiveError("room_ended", _("This room has ended."))


def _is_muted(room: RoadshowRoom, user) -> bool:
    return RoomMute.objects.filter(room=room, user=user).exists()


def _require_not_muted(room: RoadshowRoom, user) -> None:
    if _is_muted(room, user):
        raise LiveError("muted", _("A moderator has muted you in this room."))


def _clean_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > CLIENT_ID_MAX_LENGTH:
        raise LiveError("bad_request", _("Each message needs a client_id of 1 to 64 characters."))
    return client_id.strip()


def clean_text(text, *, max_length: int) -> str:
    """User text as stored: NFC, control and bidi-override characters removed, trimmed, not empty, not too long.

    It is stored raw otherwise; every page renders it as text (``textContent``), never as HTML.
    """
    if not isinstance(text, str):
        raise LiveError("bad_request", _("The text is missing."))
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        ch for ch in text if ch == "\n" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    ).strip()
    if not text:
        raise LiveError("empty", _("Write something first."))
    if len(text) > max_length:
        raise LiveError(
            "too_long",
            _("This is too long: at most %(limit)d characters."),
            limit=max_length,
        )
    return text


def _require_rate(kind: str, room: RoadshowRoom, user) -> None:
    """Count one action of ``kind`` by the user in the room; refuse it once they are over the limit."""
    limit, period = settings.LIVESTREAM_RATE_LIMITS[kind]
    if rate_limited(f"livestream:rate:{kind}:{room.pk}:{user.pk}", limit=limit, period=period):
        raise LiveError("rate_limited", _("You are sending too fast. Wait a few seconds and try again."))


def _next_seq(room: RoadshowRoom) -> int:
    """Take the room's next seq. Call first inside ``transaction.atomic()`` (see the module docstring)."""
    RoadshowRoom.objects.filter(pk=room.pk).update(last_seq=F("last_seq") + 1)
    seq = RoadshowRoom.objects.filter(pk=room.pk).values_list("last_seq", flat=True).get()
    room.last_seq = seq
    return seq


def _store(room: RoadshowRoom, seq: int, type_: str, payload: dict, *, visibility: str = Visibility.ALL) -> RoomEvent:
    event = RoomEvent.objects.create(room=room, seq=seq, type=type_, payload=payload, visibility=visibility)
    broadcast.publish_event_on_commit(event)
    return event


def _message_frame(message: ChatMessage, room: RoadshowRoom) -> dict:
    return {
        "type": "chat.message",
        "seq": message.seq,
        "client_id": message.client_id,
        "text": message.text,
        "user": user_frame(message.user, room),
        "created_at": _iso(message.created_at),
    }


def _question_dict(question: Question, room: RoadshowRoom, *, moderator_ids: set[int] | None = None) -> dict:
    return {
        "id": question.pk,
        "seq": question.seq,
        "text": question.text,
        "user": user_frame(question.user, room, moderator_ids=moderator_ids),
        "votes": question.votes,
        "answered": question.answered,
        "created_at": _iso(question.created_at),
    }


def _resent(room: RoadshowRoom, seq: int) -> dict:
    """The answer to a resend: the frame stored for the first send, marked as a duplicate."""
    return {**broadcast.event_frame(RoomEvent.objects.get(room=room, seq=seq)), "duplicate": True}


def _poll_dict(poll: Poll, *, counts: dict[int, int] | None = None) -> dict:
    options = list(poll.options.all())
    if counts is None:
        counts = {option.pk: getattr(option, "vote_count", 0) for option in options}
    return {
        "id": poll.pk,
        "question_zh": poll.question_zh or poll.question_en,
        "question_en": poll.question_en or poll.question_zh,
        "status": poll.status,
        "options": [
            {
                "id": option.pk,
                "label_zh": option.label_zh or option.label_en,
                "label_en": option.label_en or option.label_zh,
                "votes": counts.get(option.pk, 0),
            }
            for option in options
        ],
        "total": sum(counts.values()),
    }


def _poll_with_results(poll_id: int) -> Poll:
    return selectors.polls_with_results(None).get(pk=poll_id)


def _room_dict(room: RoadshowRoom) -> dict:
    return {
        "slug": room.slug,
        "title_zh": room.title_zh or room.title_en,
        "title_en": room.title_en or room.title_zh,
        "status": room.status,
        "visibility": room.visibility,
        "slow_mode_seconds": room.slow_mode_seconds,
        "scheduled_start": _iso(room.scheduled_start),
        "started_at": _iso(room.started_at),
        "ended_at": _iso(room.ended_at),
        "video": {
            "hls_url": room.hls_url,
            "embed_url": room.embed_url,
            "recording_url": room.recording_url,
        },
    }


def reaction_totals(room_id: int) -> dict[str, int]:
    keys = {kind: f"livestream:reactions:{room_id}:{kind}" for kind in settings.LIVESTREAM_REACTIONS}
    stored = cache.get_many(list(keys.values()))
    return {kind: int(stored.get(key, 0)) for kind, key in keys.items()}


def reaction_totals_add(room_id: int, counts: dict[str, int]) -> None:
    """Add a batch of reactions to the room's running totals (one cache write per kind per batch)."""
    for kind, count in counts.items():
        key = f"livestream:reactions:{room_id}:{kind}"
        cache.add(key, 0, timeout=None)
        try:
            cache.incr(key, count)
        except ValueError:
            cache.set(key, count, timeout=None)


def pitch_signals_record(*, room_id: int, viewers: int, reactions: dict[str, int]) -> bool:
    """A room hub's tick adds one sample to the signals of the pitch on stage: the room's viewer
    count now (for the peak and the mean) and the reactions this process received since its last
    tick. One locked read and at most one write; nothing when no pitch is on stage. True if recorded.
    """
    with transaction.atomic():
        signals = (
            PitchSignals.objects.select_for_update(of=("self",))
            .filter(slot__room_id=room_id, slot__state=AgendaSlot.State.PRESENTING)
            .first()
        )
        if signals is None:
            return False
        signals.peak_viewers = max(signals.peak_viewers, viewers)
        signals.viewer_samples += 1
        signals.viewers_sampled += viewers
        for kind, count in reactions.items():
            signals.reactions[kind] = signals.reactions.get(kind, 0) + count
        signals.save()
    return True


# --- reading the room -------------------------------------------------------------------


def room_state(*, room: RoadshowRoom, user, since: int | None = None) -> dict:
    """What a socket is sent on connect.

    Without ``since`` (or when more than ``LIVESTREAM_RESUME_MAX_EVENTS`` were missed) it holds
    the whole visible state: newest chat, questions by votes, polls with results. With a
    usable ``since`` it says ``"resume": true`` and leaves chat and questions out: the missed
    events (``events_since``) follow it instead.
    """
    if not selectors.room_can_watch(user, room):
        raise LiveError("not_allowed", _("You are not allowed to watch this room."))
    _fresh(room)
    resume = since is not None and 0 <= since <= room.last_seq <= since + settings.LIVESTREAM_RESUME_MAX_EVENTS
    signed_in = _signed_in(user)
    moderator = can(user, "room.moderate", room.event)
    slots = list(selectors.agenda(room))
    entry_ids = [slot.entry_id for slot in slots]
    own_entries = [slot.entry_id for slot in slots if signed_in and slot.entry.owner_id == user.pk]
    state = {
        "type": "room.state",
        "seq": room.last_seq,
        "resume": resume,
        **server_time(),
        "room": _room_dict(room),
        "me": {
            "id": user.pk if signed_in else None,
            "signed_in": signed_in,
            "can_post": signed_in and can(user, "room.post", room.event),
            "moderator": moderator,
            "muted": signed_in and _is_muted(room, user),
            "can_mark_interest": signed_in and can(user, "room.mark_interest", room.event),
            "interested_entries": _interested_entries(user, entry_ids) if signed_in else [],
            "own_entries": own_entries,
        },
        "reactions": reaction_totals(room.pk),
        "reaction_kinds": list(settings.LIVESTREAM_REACTIONS),
        "polls": [_poll_dict(poll) for poll in selectors.polls_with_results(room)],
        "agenda": [_slot_dict(slot) for slot in slots],
        "presenting": next((slot.pk for slot in slots if slot.state == AgendaSlot.State.PRESENTING), None),
        # Organisers see who is interested in each pitch; an entrant sees the count for their own.
        "interest": interest_summary(entry_ids=entry_ids if moderator else own_entries, with_people=moderator),
        # The scoring card reaches judges and organisers only; revealed scores reach everyone.
        "scoring": scoring_state(room=room, user=user),
    }
    if not resume:
        # Chat as it was broadcast (the stored frames); questions with their current votes.
        chat = selectors.chat_events_visible(room, limit=settings.LIVESTREAM_STATE_CHAT_MESSAGES)
        state["chat"] = [broadcast.event_frame(event) for event in chat]
        moderators = selectors.moderator_ids(room)
        state["questions"] = [
            _question_dict(q, room, moderator_ids=moderators) for q in selectors.questions_visible(room)
        ]
        state["revealed_scores"] = revealed_scores(room)
    return state


def events_since(*, room: RoadshowRoom, user, since: int, until: int | None = None) -> list[dict]:
    """The stored events after ``since`` (up to ``until``) that ``user`` may receive, oldest first.

    Hidden messages and questions are left out; at most ``LIVESTREAM_RESUME_MAX_EVENTS``.
    """
    tiers = selectors.room_tiers(room, user)
    events = selectors.events_after(
        room, since=since, until=until, tiers=tiers, limit=settings.LIVESTREAM_RESUME_MAX_EVENTS
    )
    return [broadcast.event_frame(event) for event in events]


def poll_results(*, poll_id: int) -> dict:
    """The current counts of a poll, pushed by the hubs at most once per tick while votes come in."""
    return {"type": "poll.results", "poll": _poll_dict(_poll_with_results(poll_id))}


# --- chat -------------------------------------------------------------------------------------


def chat_send(*, room: RoadshowRoom, user, text: str, client_id: str) -> dict:
    """Post a chat message.

    Rules: signed in and allowed to post; a resend with a ``client_id`` this user already used
    in this room returns the stored message (``"duplicate": true``) and stores nothing; not
    in an ended room; not while muted; text cleaned (see ``clean_text``) and at most
    ``LIVESTREAM_CHAT_MAX_LENGTH`` characters; slow mode (moderators exempt); at most N
    messages per window (``LIVESTREAM_RATE_LIMITS["chat"]``).
    """
    _require_post(room, user)
    client_id = _clean_client_id(client_id)
    existing = ChatMessage.objects.filter(room=room, user=user, client_id=client_id).first()
    if existing:
        return _resent(room, existing.seq)
    _fresh(room)
    _require_not_ended(room)
    _require_not_muted(room, user)
    text = clean_text(text, max_length=settings.LIVESTREAM_CHAT_MAX_LENGTH)
    moderator = can(user, "room.moderate", room.event)
    if room.slow_mode_seconds and not moderator:
        last = ChatMessage.objects.filter(room=room, user=user).order_by("-seq").values_list("created_at", flat=True)
        if last and (timezone.now() - last[0]).total_seconds() < room.slow_mode_seconds:
            raise LiveError(
                "slow_mode",
                _("Slow mode is on: one message every %(seconds)d seconds."),
                seconds=room.slow_mode_seconds,
            )
    _require_rate("chat", room, user)
    try:
        with transaction.atomic():
            seq = _next_seq(room)
            if ChatMessage.objects.filter(room=room, user=user, client_id=client_id).exists():
                raise _Duplicate
            message = ChatMessage.objects.create(room=room, user=user, text=text, client_id=client_id, seq=seq)
            frame = _message_frame(message, room)
            _store(room, seq, "chat.message", {k: v for k, v in frame.items() if k not in ("type", "seq")})
    except (_Duplicate, IntegrityError):
        return _resent(room, ChatMessage.objects.get(room=room, user=user, client_id=client_id).seq)
    return frame


def chat_hide(*, room: RoadshowRoom, user, message_seq: int) -> dict:
    """A moderator hides a message for everyone; it leaves every screen and every replay."""
    _require_action(room, user, "room.moderate")
    with transaction.atomic():
        seq = _next_seq(room)
        hidden = ChatMessage.objects.filter(room=room, seq=message_seq, hidden=False).update(
            hidden=True, hidden_by=user
        )
        if not hidden:
            raise LiveError("not_found", _("There is no such message."))
        RoomEvent.objects.filter(room=room, seq=message_seq).update(hidden=True)
        event = _store(room, seq, "chat.hidden", {"message_seq": message_seq})
    return broadcast.event_frame(event)


def chat_to_question(*, room: RoadshowRoom, user, message_seq: int) -> dict:
    """A moderator turns a chat message into a Q&A question asked by the message's author.

    Rules: moderators only (``room.moderate``); not in an ended room; a visible message of this
    room whose text fits a question (``LIVESTREAM_QUESTION_MAX_LENGTH``). The message is hidden
    (``chat.hidden``) and the question (the message's text, its author, no votes yet) is asked
    (``question.asked``): two stored events everyone gets and every replay holds. A message
    becomes one question at most: converting it again stores nothing and answers the stored
    ``question.asked`` frame with ``"duplicate": true``.
    """
    _require_action(room, user, "room.moderate")
    if not isinstance(message_seq, int) or isinstance(message_seq, bool):
        raise LiveError("not_found", _("There is no such message."))
    message = ChatMessage.objects.filter(room=room, seq=message_seq).select_related("user").first()
    if message is None:
        raise LiveError("not_found", _("There is no such message."))
    converted = Question.objects.filter(source_message=message).values_list("seq", flat=True).first()
    if converted is not None:
        return _resent(room, converted)
    if message.hidden:
        raise LiveError("not_found", _("There is no such message."))
    _fresh(room)
    _require_not_ended(room)
    text = clean_text(message.text, max_length=settings.LIVESTREAM_QUESTION_MAX_LENGTH)
    try:
        with transaction.atomic():
            hidden_seq = _next_seq(room)
            if not ChatMessage.objects.filter(pk=message.pk, hidden=False).update(hidden=True, hidden_by=user):
                raise _Duplicate
            RoomEvent.objects.filter(room=room, seq=message_seq).update(hidden=True)
            _store(room, hidden_seq, "chat.hidden", {"message_seq": message_seq})
            asked_seq = _next_seq(room)
            question = Question.objects.create(
                room=room,
                user=message.user,
                text=text,
                client_id=f"chat:{message_seq}",
                seq=asked_seq,
                source_message=message,
            )
            event = _store(room, asked_seq, "question.asked", {"question": _question_dict(question, room)})
    except (_Duplicate, IntegrityError):
        # Converted (or hidden) by another moderator at the same moment.
        converted = Question.objects.filter(source_message=message).values_list("seq", flat=True).first()
        if converted is None:
            raise LiveError("not_found", _("There is no such message.")) from None
        return _resent(room, converted)
    return broadcast.event_frame(event)


# --- questions ---------------------------------------------------------------------------------


def question_ask(*, room: RoadshowRoom, user, text: str, client_id: str) -> dict:
    """Ask a question: the chat rules (sign-in, client_id once, not ended, not muted, length, rate)."""
    _require_post(room, user)
    client_id = _clean_client_id(client_id)
    existing = Question.objects.filter(room=room, user=user, client_id=client_id).first()
    if existing:
        return _resent(room, existing.seq)
    _fresh(room)
    _require_not_ended(room)
    _require_not_muted(room, user)
    text = clean_text(text, max_length=settings.LIVESTREAM_QUESTION_MAX_LENGTH)
    _require_rate("question", room, user)
    try:
        with transaction.atomic():
            seq = _next_seq(room)
            if Question.objects.filter(room=room, user=user, client_id=client_id).exists():
                raise _Duplicate
            question = Question.objects.create(room=room, user=user, text=text, client_id=client_id, seq=seq)
            event = _store(room, seq, "question.asked", {"question": _question_dict(question, room)})
    except (_Duplicate, IntegrityError):
        return _resent(room, Question.objects.get(room=room, user=user, client_id=client_id).seq)
    return broadcast.event_frame(event)


def _visible_question(room: RoadshowRoom, question_id) -> Question:
    question = Question.objects.filter(room=room, pk=question_id if isinstance(question_id, int) else None).first()
    if question is None or question.hidden:
        raise LiveError("not_found", _("There is no such question."))
    return question


def _question_update(room: RoadshowRoom, question: Question) -> dict:
    return {"question": {"id": question.pk, "votes": question.votes, "answered": question.answered}}


def question_upvote(*, room: RoadshowRoom, user, question_id: int) -> dict:
    """One upvote per person per question; the new count reaches everyone."""
    _require_post(room, user)
    _fresh(room)
    _require_not_ended(room)
    question = _visible_question(room, question_id)
    if QuestionVote.objects.filter(question=question, user=user).exists():
        raise LiveError("already_voted", _("You have already voted for this question."))
    _require_rate("vote", room, user)
    try:
        with transaction.atomic():
            seq = _next_seq(room)
            QuestionVote.objects.create(question=question, user=user)
            Question.objects.filter(pk=question.pk).update(votes=F("votes") + 1)
            question.refresh_from_db(fields=["votes", "answered"])
            event = _store(room, seq, "question.updated", _question_update(room, question))
    except IntegrityError:
        raise LiveError("already_voted", _("You have already voted for this question.")) from None
    return broadcast.event_frame(event)


def question_mark_answered(*, room: RoadshowRoom, user, question_id: int) -> dict:
    """A moderator marks a question answered; it stays listed, marked, for everyone."""
    _require_action(room, user, "room.moderate")
    question = _visible_question(room, question_id)
    with transaction.atomic():
        seq = _next_seq(room)
        Question.objects.filter(pk=question.pk).update(answered=True)
        question.refresh_from_db(fields=["votes", "answered"])
        event = _store(room, seq, "question.updated", _question_update(room, question))
    return broadcast.event_frame(event)


def question_hide(*, room: RoadshowRoom, user, question_id: int) -> dict:
    """A moderator hides a question for everyone, on every screen and in every replay."""
    _require_action(room, user, "room.moderate")
    question = _visible_question(room, question_id)
    with transaction.atomic():
        seq = _next_seq(room)
        Question.objects.filter(pk=question.pk).update(hidden=True)
        RoomEvent.objects.filter(room=room, seq=question.seq).update(hidden=True)
        event = _store(room, seq, "question.hidden", {"question_id": question.pk})
    return broadcast.event_frame(event)


# --- reactions ------------------------------------------------------------------------------------


def reaction_check(*, room: RoadshowRoom, user, kind: str) -> str:
    """May ``user`` react now? Signed in, allowed to post, room not ended, a known kind, within the rate.

    Reactions are not stored one by one: the room hub adds them up and pushes counts.
    """
    _require_post(room, user)
    if kind not in settings.LIVESTREAM_REACTIONS:
        raise LiveError("bad_request", _("Unknown reaction."))
    if room.status == RoadshowRoom.Status.ENDED:
        raise LiveError("room_ended", _("This room has ended."))
    _require_rate("reaction", room, user)
    return kind


# --- polls -----------------------------------------------------------------------------------------


def poll_open(*, room: RoadshowRoom, user, question_zh: str, question_en: str, options: list[dict]) -> dict:
    """A moderator opens a poll of 2–6 answers; one poll is open in a room at a time."""
    _require_action(room, user, "room.moderate")
    _fresh(room)
    _require_not_ended(room)
    question_zh = (question_zh or "").strip() if isinstance(question_zh, str) else ""
    question_en = (question_en or "").strip() if isinstance(question_en, str) else ""
    if not (question_zh or question_en) or max(len(question_zh), len(question_en)) > 200:
        raise LiveError("bad_request", _("Give the poll a question of at most 200 characters."))
    labels = []
    for option in options if isinstance(options, list) else []:
        zh = str(option.get("label_zh") or "").strip() if isinstance(option, dict) else ""
        en = str(option.get("label_en") or "").strip() if isinstance(option, dict) else ""
        if (zh or en) and max(len(zh), len(en)) <= 100:
            labels.append((zh, en))
    if not POLL_MIN_OPTIONS <= len(labels) <= POLL_MAX_OPTIONS or len(labels) != len(options):
        raise LiveError("bad_request", _("Give the poll 2 to 6 answers of at most 100 characters each."))
    if Poll.objects.filter(room=room, status=Poll.Status.OPEN).exists():
        raise LiveError("poll_open", _("Close the open poll before opening another one."))
    try:
        with transaction.atomic():
            seq = _next_seq(room)
            poll = Poll.objects.create(
                room=room, question_zh=question_zh, question_en=question_en, status=Poll.Status.OPEN, created_by=user
            )
            PollOption.objects.bulk_create(
                PollOption(poll=poll, label_zh=zh, label_en=en, position=i) for i, (zh, en) in enumerate(labels)
            )
            event = _store(room, seq, "poll.opened", {"poll": _poll_dict(poll, counts={})})
    except IntegrityError:
        raise LiveError("poll_open", _("Close the open poll before opening another one.")) from None
    return broadcast.event_frame(event)


def poll_vote(*, room: RoadshowRoom, user, poll_id: int, option_id: int) -> dict:
    """Vote once in an open poll. The voter gets ``poll.voted``; counts reach everyone in aggregate."""
    _require_post(room, user)
    option = (
        PollOption.objects.filter(pk=option_id if isinstance(option_id, int) else None, poll__room=room)
        .select_related("poll")
        .first()
    )
    if option is None or option.poll_id != poll_id:
        raise LiveError("not_found", _("There is no such poll answer."))
    if option.poll.status != Poll.Status.OPEN:
        raise LiveError("poll_closed", _("This poll is closed."))
    _require_rate("vote", room, user)
    try:
        with transaction.atomic():
            PollVote.objects.create(poll=option.poll, option=option, user=user)
    except IntegrityError:
        raise LiveError("already_voted", _("You have already voted in this poll.")) from None
    return {"type": "poll.voted", "poll_id": option.poll_id, "option_id": option.pk}


def poll_close(*, room: RoadshowRoom, user, poll_id: int) -> dict:
    """A moderator closes a poll; its final counts reach everyone and stay in the log."""
    _require_action(room, user, "room.moderate")
    with transaction.atomic():
        seq = _next_seq(room)
        closed = Poll.objects.filter(room=room, pk=poll_id if isinstance(poll_id, int) else None, status="open").update(
            status=Poll.Status.CLOSED, closed_at=timezone.now()
        )
        if not closed:
            raise LiveError("not_found", _("There is no such open poll."))
        event = _store(room, seq, "poll.closed", {"poll": _poll_dict(_poll_with_results(poll_id))})
    return broadcast.event_frame(event)


# --- moderation and running the room ----------------------------------------------------------------


def user_mute(*, room: RoadshowRoom, user, target_id: int, muted: bool = True) -> dict:
    """A moderator mutes (or unmutes) a person in this room. Moderators cannot be muted.

    Other moderators get the stored ``user.muted`` event; the person gets ``{"type": "me", "muted": ...}``.
    """
    _require_action(room, user, "room.moderate")
    target = User.objects.filter(pk=target_id if isinstance(target_id, int) else None).first()
    if target is None:
        raise LiveError("not_found", _("There is no such person."))
    if can(target, "room.moderate", room.event):
        raise LiveError("not_allowed", _("Moderators cannot be muted."))
    with transaction.atomic():
        seq = _next_seq(room)
        if muted:
            RoomMute.objects.get_or_create(room=room, user=target, defaults={"muted_by": user})
        else:
            RoomMute.objects.filter(room=room, user=target).delete()
        event = _store(
            room,
            seq,
            "user.muted",
            {"user": user_frame(target, room), "muted": bool(muted)},
            visibility=Visibility.MODERATORS,
        )
        broadcast.publish_frame_on_commit(room.pk, {"type": "me", "muted": bool(muted)}, user_id=target.pk)
    return broadcast.event_frame(event)


def slow_mode_set(*, room: RoadshowRoom, user, seconds: int) -> dict:
    """A moderator sets the seconds each person waits between chat messages (0 = off, at most an hour)."""
    _require_action(room, user, "room.moderate")
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_SLOW_MODE_SECONDS:
        raise LiveError("bad_request", _("Slow mode takes 0 to 3600 seconds."))
    with transaction.atomic():
        seq = _next_seq(room)
        RoadshowRoom.objects.filter(pk=room.pk).update(slow_mode_seconds=seconds)
        room.slow_mode_seconds = seconds
        event = _store(room, seq, "room.slow_mode", {"seconds": seconds})
    return broadcast.event_frame(event)


def _room_status_change(room: RoadshowRoom, user, *, allowed_from: set[str], to: str, **stamps) -> dict:
    _require_action(room, user, "room.run")
    with transaction.atomic():
        seq = _next_seq(room)
        changed = RoadshowRoom.objects.filter(pk=room.pk, status__in=allowed_from).update(status=to, **stamps)
        if not changed:
            raise LiveError("bad_state", _("The room cannot make this change now."))
        _fresh(room)
        event = _store(
            room,
            seq,
            "room.status",
            {"status": room.status, "started_at": _iso(room.started_at), "ended_at": _iso(room.ended_at)},
        )
    return broadcast.event_frame(event)


def room_go_live(*, room: RoadshowRoom, user) -> dict:
    """A scheduled room goes live (its organisers only)."""
    return _room_status_change(
        room, user, allowed_from={RoadshowRoom.Status.SCHEDULED}, to=RoadshowRoom.Status.LIVE, started_at=timezone.now()
    )


def room_end(*, room: RoadshowRoom, user) -> dict:
    """A scheduled or live room ends; chat, questions, votes, reactions and the pitch on stage end with it."""
    with transaction.atomic():
        frame = _room_status_change(
            room,
            user,
            allowed_from={RoadshowRoom.Status.SCHEDULED, RoadshowRoom.Status.LIVE},
            to=RoadshowRoom.Status.ENDED,
            ended_at=timezone.now(),
        )
        presenting = _presenting_slot(room)
        if presenting is not None:
            seq = _next_seq(room)
            _slot_finish(presenting)
            _store(room, seq, "pitch.ended", {"slot": _slot_dict(presenting)})
    return frame


# --- agenda and pitches ------------------------------------------------------------------------------


def _slot_dict(slot: AgendaSlot) -> dict:
    """How a slot appears in frames: the entry's titles and track in both languages, the timer's times."""
    entry, track = slot.entry, slot.entry.track
    # An entry without a title (drafts may lack one) shows its reference rather than nothing.
    untitled = f"#{entry.reference}"
    return {
        "id": slot.pk,
        "position": slot.position,
        "entry": {
            "id": entry.pk,
            "title_zh": entry.title_zh or entry.title_en or untitled,
            "title_en": entry.title_en or entry.title_zh or untitled,
            "track_zh": (track.name_zh or track.name_en) if track else "",
            "track_en": (track.name_en or track.name_zh) if track else "",
        },
        "planned_start": _iso(slot.planned_start),
        "duration_minutes": slot.duration_minutes,
        "state": slot.state,
        "started_at": _iso(slot.started_at),
        "ends_at": _iso(slot.ends_at),
        "extended_seconds": slot.extended_seconds,
    }


def agenda_list(room: RoadshowRoom) -> list[dict]:
    """The room's agenda as sent in frames, in order."""
    return [_slot_dict(slot) for slot in selectors.agenda(room)]


def _agenda_items(items) -> list[tuple[int, int, datetime | None]]:
    """Check the shape of an agenda: (entry id, minutes, planned start) per slot, each entry once."""
    if not isinstance(items, list) or len(items) > settings.LIVESTREAM_AGENDA_MAX_SLOTS:
        raise LiveError(
            "bad_request",
            _("An agenda is a list of at most %(limit)d pitches."),
            limit=settings.LIVESTREAM_AGENDA_MAX_SLOTS,
        )
    parsed = []
    for item in items:
        entry_id = item.get("entry_id") if isinstance(item, dict) else None
        minutes = item.get("duration_minutes") if isinstance(item, dict) else None
        planned = item.get("planned_start") if isinstance(item, dict) else None
        if not isinstance(entry_id, int) or isinstance(entry_id, bool):
            raise LiveError("bad_request", _("Each pitch needs an entry."))
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_PITCH_MINUTES:
            raise LiveError("bad_request", _("A pitch lasts 1 to %(limit)d minutes."), limit=MAX_PITCH_MINUTES)
        if planned is not None and (not isinstance(planned, datetime) or timezone.is_naive(planned)):
            raise LiveError("bad_request", _("A planned start must be a date and time with its time zone."))
        parsed.append((entry_id, minutes, planned))
    if len({entry_id for entry_id, _minutes, _planned in parsed}) != len(parsed):
        raise LiveError("bad_request", _("An entry can pitch only once in a room."))
    return parsed


def agenda_set(*, room: RoadshowRoom, user, items: list[dict]) -> dict:
    """The organiser sets who pitches in the room, in which order, for how long and when.

    ``items`` is the whole agenda in order: ``{"entry_id", "duration_minutes", "planned_start"}``.
    Rules: organisers only (``room.run``); not in an ended room; at most
    ``LIVESTREAM_AGENDA_MAX_SLOTS`` pitches of 1–120 minutes; each an entry of the room's event
    that is submitted and neither withdrawn nor screened out, at most once. Slots of entries
    left out are removed, except pitches that have started: those stay on the agenda (they may
    move; entries already on the agenda may stay whatever their status became). Everyone gets
    ``agenda.updated`` with the new agenda.
    """
    _require_action(room, user, "room.run")
    _fresh(room)
    _require_not_ended(room)
    parsed = _agenda_items(items)
    wanted = [entry_id for entry_id, _minutes, _planned in parsed]
    # Entries already on the agenda may stay whatever became of them since (a pitch that happened stays).
    known = set(selectors.agenda_candidates(room.event).filter(pk__in=wanted).values_list("pk", flat=True))
    known |= set(AgendaSlot.objects.filter(room=room, entry_id__in=wanted).values_list("entry_id", flat=True))
    for entry_id in wanted:
        if entry_id not in known:
            raise LiveError(
                "not_found",
                _("Entry %(entry)s is not a submitted entry of this event, so it cannot pitch."),
                entry=entry_id,
            )
    with transaction.atomic():
        seq = _next_seq(room)
        existing = {slot.entry_id: slot for slot in AgendaSlot.objects.filter(room=room)}
        if any(slot.state != AgendaSlot.State.PENDING for entry_id, slot in existing.items() if entry_id not in known):
            raise LiveError("bad_state", _("A pitch that has started cannot be taken off the agenda."))
        AgendaSlot.objects.filter(room=room).exclude(entry_id__in=known).delete()
        for position, (entry_id, minutes, planned) in enumerate(parsed):
            slot = existing.get(entry_id) or AgendaSlot(room=room, entry_id=entry_id)
            slot.position, slot.duration_minutes, slot.planned_start = position, minutes, planned
            slot.save()
        event = _store(room, seq, "agenda.updated", {"agenda": agenda_list(room)})
    return broadcast.event_frame(event)


def agenda_reorder(*, room: RoadshowRoom, user, slot_ids: list[int]) -> dict:
    """The organiser puts the room's slots in a new order; ``slot_ids`` must name each slot once."""
    _require_action(room, user, "room.run")
    _fresh(room)
    _require_not_ended(room)
    if not isinstance(slot_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in slot_ids):
        raise LiveError("bad_request", _("Send the ids of all the agenda's pitches in their new order."))
    with transaction.atomic():
        seq = _next_seq(room)
        slots = {slot.pk: slot for slot in AgendaSlot.objects.filter(room=room)}
        if sorted(slot_ids) != sorted(slots):
            raise LiveError("bad_request", _("Send the ids of all the agenda's pitches in their new order."))
        for position, slot_id in enumerate(slot_ids):
            if slots[slot_id].position != position:
                AgendaSlot.objects.filter(pk=slot_id).update(position=position)
        event = _store(room, seq, "agenda.updated", {"agenda": agenda_list(room)})
    return broadcast.event_frame(event)


def _presenting_slot(room: RoadshowRoom) -> AgendaSlot | None:
    return (
        AgendaSlot.objects.filter(room=room, state=AgendaSlot.State.PRESENTING).select_related("entry__track").first()
    )


def _slot_finish(slot: AgendaSlot) -> None:
    slot.state, slot.ended_at = AgendaSlot.State.DONE, timezone.now()
    slot.save(update_fields=["state", "ended_at"])


def pitch_start(*, room: RoadshowRoom, user, slot_id: int | None = None) -> dict:
    """The organiser starts the next pitch (or the pending slot ``slot_id``) and its timer.

    Rules: organisers only; the room must be live. The pitch on stage, if any, ends first.
    Everyone gets ``pitch.started`` with the slot (``started_at``, ``ends_at``) and the slot that ended.
    """
    _require_action(room, user, "room.run")
    _fresh(room)
    if room.status != RoadshowRoom.Status.LIVE:
        raise LiveError("bad_state", _("Go live before starting a pitch."))
    if slot_id is not None and (not isinstance(slot_id, int) or isinstance(slot_id, bool)):
        raise LiveError("bad_request", _("There is no such pitch on the agenda."))
    with transaction.atomic():
        seq = _next_seq(room)
        pending = AgendaSlot.objects.filter(room=room, state=AgendaSlot.State.PENDING).select_related("entry__track")
        if slot_id is not None:
            pending = pending.filter(pk=slot_id)
        slot = pending.order_by("position", "pk").first()
        if slot is None:
            if slot_id is not None:
                raise LiveError("not_found", _("This pitch is not waiting on the agenda."))
            raise LiveError("not_found", _("No pitch is left on the agenda."))
        ended = _presenting_slot(room)
        if ended is not None:
            _slot_finish(ended)
        slot.state, slot.started_at = AgendaSlot.State.PRESENTING, timezone.now()
        slot.save(update_fields=["state", "started_at"])
        # The room hubs add their samples to this row while the pitch is on stage.
        PitchSignals.objects.get_or_create(slot=slot)
        event = _store(
            room, seq, "pitch.started", {"slot": _slot_dict(slot), "ended": _slot_dict(ended) if ended else None}
        )
    return broadcast.event_frame(event)


def pitch_extend(*, room: RoadshowRoom, user, seconds: int) -> dict:
    """The organiser gives the pitch on stage more time: 1–600 s at a time, at most
    ``LIVESTREAM_PITCH_MAX_EXTENSION_SECONDS`` in all. Everyone gets ``pitch.extended`` with the new ``ends_at``."""
    _require_action(room, user, "room.run")
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 1 <= seconds <= PITCH_EXTEND_STEP_MAX:
        raise LiveError("bad_request", _("Extend a pitch by 1 to 600 seconds at a time."))
    with transaction.atomic():
        seq = _next_seq(room)
        slot = _presenting_slot(room)
        if slot is None:
            raise LiveError("not_found", _("No pitch is on stage."))
        if slot.extended_seconds + seconds > settings.LIVESTREAM_PITCH_MAX_EXTENSION_SECONDS:
            raise LiveError(
                "bad_request",
                _("A pitch can be extended by at most %(minutes)d minutes in all."),
                minutes=settings.LIVESTREAM_PITCH_MAX_EXTENSION_SECONDS // 60,
            )
        slot.extended_seconds += seconds
        slot.save(update_fields=["extended_seconds"])
        event = _store(room, seq, "pitch.extended", {"slot": _slot_dict(slot)})
    return broadcast.event_frame(event)


def pitch_end(*, room: RoadshowRoom, user) -> dict:
    """The organiser ends the pitch on stage (its timer may still run). Everyone gets ``pitch.ended``."""
    _require_action(room, user, "room.run")
    with transaction.atomic():
        seq = _next_seq(room)
        slot = _presenting_slot(room)
        if slot is None:
            raise LiveError("not_found", _("No pitch is on stage."))
        _slot_finish(slot)
        event = _store(room, seq, "pitch.ended", {"slot": _slot_dict(slot)})
    return broadcast.event_frame(event)


# --- interest in a pitched project ----------------------------------------------------------------------


def _interested_entries(user, entry_ids: list[int]) -> list[int]:
    return sorted(RoomInterest.objects.filter(user=user, entry_id__in=entry_ids).values_list("entry_id", flat=True))


def interest_mark(*, room: RoadshowRoom, user, slot_id: int) -> dict:
    """A viewer marks interest in the project pitching (or that pitched) in slot ``slot_id``: a lead for docking.

    Rules: signed in; a role that may mark interest in the event (``room.mark_interest``:
    audience, enterprise, organiser); the slot's pitch has started; not one's own entry; within
    the rate. Once per person per entry: a second mark stores nothing and answers
    ``"duplicate": true``. Counts reach the organisers and the entrant in aggregate.
    """
    if not _signed_in(user):
        raise LiveError("not_signed_in", _("Sign in to take part in the room."))
    if not (selectors.room_can_watch(user, room) and can(user, "room.mark_interest", room.event)):
        raise LiveError(
            "not_allowed", _("Only the event's audience, enterprises and investors can mark interest in a project.")
        )
    slot = (
        AgendaSlot.objects.filter(room=room, pk=slot_id if isinstance(slot_id, int) else None)
        .exclude(state=AgendaSlot.State.PENDING)
        .select_related("entry")
        .first()
    )
    if slot is None:
        raise LiveError("not_found", _("This project has not pitched in this room."))
    if slot.entry.owner_id == user.pk:
        raise LiveError("not_allowed", _("This is your own project."))
    answer = {"type": "interest.marked", "slot_id": slot.pk, "entry_id": slot.entry_id}
    if RoomInterest.objects.filter(entry_id=slot.entry_id, user=user).exists():
        return {**answer, "duplicate": True}
    _require_rate("vote", room, user)
    try:
        with transaction.atomic():
            interest = RoomInterest.objects.create(room=room, slot=slot, entry_id=slot.entry_id, user=user)
    except IntegrityError:
        return {**answer, "duplicate": True}
    transaction.on_commit(lambda: _lead_for(interest), robust=True)
    return {**answer, "duplicate": False}


def _lead_for(interest: RoomInterest) -> None:
    """Docking follows each new interest up as a lead."""
    from docking.services.leads import lead_from_room_interest

    lead_from_room_interest(interest=interest)


def person_frame(person) -> dict:
    """A person with both names and their organisation's (organisers' lists; select ``organisation`` with it)."""
    organisation = person.organisation
    return {
        "id": person.pk,
        "name_zh": person.name_zh or person.name_en,
        "name_en": person.name_en or person.name_zh,
        "organisation_zh": (organisation.name_zh or organisation.name_en) if organisation else "",
        "organisation_en": (organisation.name_en or organisation.name_zh) if organisation else "",
    }


def interest_summary(*, entry_ids: list[int], with_people: bool) -> list[dict]:
    """How many people marked interest in each entry (``{"entry_id", "total"}``, in the order given);
    with ``with_people`` also who, newest first, at most ``LIVESTREAM_INTEREST_LIST_MAX`` each."""
    if not entry_ids:
        return []
    totals = dict(
        RoomInterest.objects.filter(entry_id__in=entry_ids)
        .values("entry_id")
        .annotate(total=Count("pk"))
        .values_list("entry_id", "total")
    )
    summary = {entry_id: {"entry_id": entry_id, "total": totals.get(entry_id, 0)} for entry_id in entry_ids}
    if with_people:
        for item in summary.values():
            item["people"] = []
        for interest in selectors.interests_of_entries(entry_ids):
            people = summary[interest.entry_id]["people"]
            if len(people) < settings.LIVESTREAM_INTEREST_LIST_MAX:
                people.append({**person_frame(interest.user), "marked_at": _iso(interest.created_at)})
    return list(summary.values())


def interest_frames(*, room_id: int, entry_ids: list[int]) -> list[tuple[str, int | None, dict]]:
    """The aggregated ``interest`` frames a hub pushes after marks in ``entry_ids``: ``(tier, user_id, frame)``.

    Organisers (the moderators tier) get the count and who; each entry's owner gets the count
    for their own entry; nobody else is sent anything.
    """
    owners = dict(
        AgendaSlot.objects.filter(room_id=room_id, entry_id__in=entry_ids).values_list("entry_id", "entry__owner_id")
    )
    frames: list[tuple[str, int | None, dict]] = []
    for item in interest_summary(entry_ids=list(entry_ids), with_people=True):
        frames.append((Visibility.MODERATORS, None, {"type": "interest", **item}))
        if item["entry_id"] in owners:
            count_only = {"type": "interest", "entry_id": item["entry_id"], "total": item["total"]}
            frames.append((Visibility.ALL, owners[item["entry_id"]], count_only))
    return frames


# --- rooms: created and edited by the event's organisers ----------------------------------------------

ROOM_EDITABLE_FIELDS = (
    "title_zh",
    "title_en",
    "visibility",
    "scheduled_start",
    "hls_url",
    "embed_url",
    "recording",
    "judging_round",
)
# File name ending → the bytes a file of that kind starts with (MP4: "ftyp" box at offset 4; WebM: EBML header).
RECORDING_KINDS = {".mp4": (4, b"ftyp"), ".m4v": (4, b"ftyp"), ".webm": (0, b"\x1a\x45\xdf\xa3")}


def recording_check(*, upload: UploadedFile) -> None:
    """An uploaded recording must be an MP4 or WebM video (by name and by content) of at most
    ``LIVESTREAM_RECORDING_MAX_BYTES``; raises ``ValidationError`` otherwise."""
    limit = settings.LIVESTREAM_RECORDING_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The recording is too large: at most %(megabytes)d MB."),
            code="recording_size",
            params={"megabytes": limit // (1024 * 1024)},
        )
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    offset, magic = RECORDING_KINDS.get(suffix, (0, None))
    upload.seek(0)
    head = upload.read(offset + 4 if magic else 0)
    upload.seek(0)
    if magic is None or head[offset : offset + 4] != magic:
        raise ValidationError(_("Upload the recording as an MP4 or WebM video."), code="recording_type")


def room_create(*, event: Event, user, slug: str, **fields) -> RoadshowRoom:
    """The event's organisers (``room.run``) open a room. It starts scheduled; the model's rules
    hold (a title, one live video source, an approved embed host, an HLS playlist address)."""
    require(user, "room.run", event)
    unknown = set(fields) - set(ROOM_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not room fields: {sorted(unknown)}")
    room = RoadshowRoom(event=event, slug=slug, status=RoadshowRoom.Status.SCHEDULED, **fields)
    room.full_clean()
    room.save()
    return room


def room_update(*, room: RoadshowRoom, user, **fields) -> RoadshowRoom:
    """The organisers change a room's titles, visibility, start time or video (not its address or status).

    Everyone in the room gets ``room.updated`` with the room as in the connect state, so titles
    and players change on every screen at once.
    """
    require(user, "room.run", room.event)
    unknown = set(fields) - set(ROOM_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not room fields: {sorted(unknown)}")
    with transaction.atomic():
        seq = _next_seq(room)
        _fresh(room)
        replaced_recording = room.recording.name if "recording" in fields else ""
        for name, value in fields.items():
            setattr(room, name, value)
        room.full_clean()
        room.save(update_fields=list(fields))
        _store(room, seq, "room.updated", {"room": _room_dict(room)})
        if replaced_recording and replaced_recording != room.recording.name:
            # A replaced or cleared recording is deleted once the change is committed, never before.
            storage = room.recording.storage
            transaction.on_commit(lambda: storage.delete(replaced_recording))
    return room


# --- live judging of the pitch on stage ---------------------------------------------------------


def _live_round(room: RoadshowRoom):
    """The room's live judging round of its own event, or ``no_round``."""
    round_ = (
        Round.objects.filter(pk=room.judging_round_id, event_id=room.event_id, live=True).first()
        if room.judging_round_id
        else None
    )
    if round_ is None:
        raise LiveError("no_round", _("This room has no live judging round."))
    return round_


def scoring_state(*, room: RoadshowRoom, user) -> dict | None:
    """The scoring card sent on connect to the judges (``room.score_live``) and organisers only.

    The room's live round with its scale, method and criteria (names and weights); a judge
    also gets the entries they already scored. None for everyone else, or without a round.
    """
    judge = _signed_in(user) and can(user, "room.score_live", room.event)
    if not (judge or (_signed_in(user) and can(user, "room.run", room.event))):
        return None
    try:
        round_ = _live_round(room)
    except LiveError:
        return None
    state = {
        "round_id": round_.pk,
        "name_zh": round_.name_zh or round_.name_en,
        "name_en": round_.name_en or round_.name_zh,
        "scale_min": plain(round_.scale_min),
        "scale_max": plain(round_.scale_max),
        "method": round_.method,
        "can_score": judge,
        "criteria": [
            {
                "id": criterion.pk,
                "name_zh": criterion.name_zh or criterion.name_en,
                "name_en": criterion.name_en or criterion.name_zh,
                "weight": plain(criterion.weight),
            }
            for criterion in judging_selectors.criteria_of(round_)
        ],
        "scored_entries": [],
    }
    if judge:
        state["scored_entries"] = sorted(
            Scorecard.objects.filter(round=round_, judge=user, status=Scorecard.Status.SUBMITTED).values_list(
                "entry_id", flat=True
            )
        )
    return state


def revealed_scores(room: RoadshowRoom) -> list[dict]:
    """The ``score.revealed`` frames stored in the room, oldest first (part of the full connect state)."""
    events = RoomEvent.objects.filter(room=room, type="score.revealed", visibility=Visibility.ALL).order_by("seq")
    return [broadcast.event_frame(event) for event in events]


def live_score(*, room: RoadshowRoom, user, slot_id: int, scores: dict, client_id: str | None = None) -> dict:
    """A judge scores the pitch on stage: stored through ``judging.services.live_score_submit``.

    Rules: judges of the event only (``room.score_live``); the room has a live round; ``slot_id``
    is the pitch presenting now; the judging rules hold (every criterion, within the scale,
    round open, no conflict). The judge alone gets ``score.submitted`` with their total; the
    moderators get ``score.progress`` with how many judges scored (no values). Nothing goes to
    everyone: scores stay hidden until the organiser reveals them.
    """
    _require_action(room, user, "room.score_live")
    round_ = _live_round(room)
    slot = _presenting_slot(room)
    if slot is None or isinstance(slot_id, bool) or slot_id != slot.pk:
        raise LiveError("not_presenting", _("This pitch is not on stage now."))
    if not isinstance(scores, dict) or not scores:
        raise LiveError("bad_request", _("Give a score for every criterion."))
    try:
        submitted = live_score_submit(round=round_, entry=slot.entry, judge=user, scores=scores)
    except PermissionDenied as error:
        raise LiveError("not_allowed", str(error) or _("You are not allowed to do this in this room.")) from error
    except ValidationError as error:
        raise LiveError("bad_request", " ".join(error.messages)) from error
    scored = Scorecard.objects.filter(round=round_, entry=slot.entry, status=Scorecard.Status.SUBMITTED).count()
    progress = {"type": "score.progress", "slot_id": slot.pk, "entry_id": slot.entry_id, "scored": scored}
    broadcast.publish_frame_on_commit(room.pk, progress, visibility=Visibility.MODERATORS)
    answer = {
        "type": "score.submitted",
        "slot_id": slot.pk,
        "entry_id": slot.entry_id,
        "status": submitted["status"],
        "total": submitted["total"],
    }
    if isinstance(client_id, str):
        answer["client_id"] = client_id[:64]
    return answer


def score_reveal(*, room: RoadshowRoom, user, slot_id: int) -> dict:
    """The organiser reveals the aggregate score of a pitch that started, to everyone in the room.

    Rules: organisers only (``room.run``); the room has a live round; the slot's pitch has
    started; at least one judge submitted a card for it. The value is the entry's result under
    the round's aggregation method (``judging.services.results_compute``), two decimals. It is
    stored as ``score.revealed`` (replayed on reconnect); revealing again stores the new value.
    """
    _require_action(room, user, "room.run")
    round_ = _live_round(room)
    slot = (
        AgendaSlot.objects.filter(
            room=room, pk=slot_id if isinstance(slot_id, int) and not isinstance(slot_id, bool) else None
        )
        .exclude(state=AgendaSlot.State.PENDING)
        .select_related("entry__track")
        .first()
    )
    if slot is None:
        raise LiveError("not_found", _("This project has not pitched in this room."))
    results = results_compute(round_)
    if results.error_code:
        raise LiveError("bad_state", _("The scores cannot be combined: the round's criteria are not complete."))
    result = results.of(round_.method)
    entry_result = result.entries.get(slot.entry_id) if result else None
    if entry_result is None:
        raise LiveError("no_scores", _("No judge has scored this pitch yet."))
    entry = _slot_dict(slot)["entry"]
    payload = {
        "slot_id": slot.pk,
        "entry": {key: entry[key] for key in ("id", "title_zh", "title_en")},
        "value": f"{entry_result.value:.2f}",
        "method": round_.method,
        "card_count": entry_result.card_count,
        "scale_max": plain(round_.scale_max),
    }
    with transaction.atomic():
        seq = _next_seq(room)
        event = _store(room, seq, "score.revealed", payload)
    return broadcast.event_frame(event)
