"""Chat and Q&A: posting and hiding messages; asking, upvoting, answering and hiding questions; and
turning a message into a question."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.services import can

from .. import broadcast
from ..models import ChatMessage, Question, QuestionVote, RoadshowRoom, RoomEvent
from .common import (
    LiveError,
    _clean_client_id,
    _Duplicate,
    _fresh,
    _iso,
    _next_seq,
    _require_action,
    _require_not_ended,
    _require_not_muted,
    _require_post,
    _require_rate,
    _resent,
    _store,
    clean_text,
    user_frame,
)


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
