"""Live judging of the pitch on stage: the judges' scoring card, their scores (stored by
``judging.services.live_score_submit``) and the organiser's reveal."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from events.services import can
from judging import selectors as judging_selectors
from judging.models import Round, Scorecard
from judging.services import live_score_submit, plain, results_compute

from .. import broadcast
from ..models import AgendaSlot, RoadshowRoom, RoomEvent, Visibility
from .agenda import _presenting_slot, _slot_dict
from .common import LiveError, _next_seq, _require_action, _signed_in, _store


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
