"""Polls: opened and closed by moderators, one vote per person, counts pushed in aggregate."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import broadcast, selectors
from ..models import Poll, PollOption, PollVote, RoadshowRoom
from .common import (
    LiveError,
    _fresh,
    _next_seq,
    _require_action,
    _require_not_ended,
    _require_post,
    _require_rate,
    _store,
)

POLL_MIN_OPTIONS = 2


POLL_MAX_OPTIONS = 6


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


def poll_results(*, poll_id: int) -> dict:
    """The current counts of a poll, pushed by the hubs at most once per tick while votes come in."""
    return {"type": "poll.results", "poll": _poll_dict(_poll_with_results(poll_id))}


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
