"""Scorecards: a judge scores only the entries assigned to them, only while the round is open (or a
card an organiser reopened), every score within the round's scale; every change is kept as a
``ScorecardChange``. Closing a round locks its cards; only an organiser can reopen one."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.services import can, require
from registration.models import Entry

from .. import selectors
from ..models import SCORE_PLACES, Assignment, Criterion, Round, Score, Scorecard, ScorecardChange
from .common import _bump_results, _queue, china_time, plain


def _parse_score(raw, round_: Round) -> Decimal | None:
    """A score as typed (text or number) → Decimal on the round's scale; None when left empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        raise ValidationError(_("Enter a number."), code="not_a_number")
    try:
        value = Decimal(raw.strip()) if isinstance(raw, str) else Decimal(str(raw))
    except InvalidOperation:
        raise ValidationError(_("Enter a number."), code="not_a_number") from None
    if not value.is_finite():
        raise ValidationError(_("Enter a number."), code="not_a_number")
    if not round_.scale_min <= value <= round_.scale_max:
        raise ValidationError(
            _("Enter a score from %(min)s to %(max)s.")
            % {"min": plain(round_.scale_min), "max": plain(round_.scale_max)},
            code="out_of_scale",
        )
    if value != value.quantize(Decimal(1).scaleb(-SCORE_PLACES)):
        raise ValidationError(_("Use at most two decimal places."), code="too_precise")
    return value.quantize(Decimal(1).scaleb(-SCORE_PLACES))


def score_field(criterion_id: int) -> str:
    """The key of a criterion's score in forms, API bodies and error dicts."""
    return f"score_{criterion_id}"


def _parse_scores(round_: Round, criteria: list[Criterion], scores: Mapping) -> dict[int, Decimal | None]:
    """Scores keyed by criterion id (int or text); raises one ``ValidationError`` with every problem."""
    known = {criterion.pk: criterion for criterion in criteria}
    parsed: dict[int, Decimal | None] = {}
    errors: dict[str, list[str]] = {}
    for key, raw in scores.items():
        try:
            criterion_id = int(key)
        except (TypeError, ValueError):
            criterion_id = None
        if criterion_id not in known:
            errors.setdefault("scores", []).append(
                _("“%(key)s” is not a criterion of this round.") % {"key": str(key)[:50]}
            )
            continue
        try:
            parsed[criterion_id] = _parse_score(raw, round_)
        except ValidationError as exc:
            errors[score_field(criterion_id)] = exc.messages
    if errors:
        raise ValidationError(errors)
    return parsed


def _check_text(name: str, value: str | None, errors: dict) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if len(value) > 5000:
        errors[name] = [_("Keep this to at most 5,000 characters (it has %(length)s).") % {"length": len(value)}]
    return value


def _require_card_access(round_: Round, entry_id: int, judge: User) -> None:
    """Only a judge of the event, on an entry assigned to them (404-worthy otherwise)."""
    require(judge, "judging.score", round_.event)
    if not selectors.is_assigned(round_, entry_id, judge):
        raise PermissionDenied(_("This entry is not assigned to you."))


def _check_editable(round_: Round, card: Scorecard) -> None:
    if card.locked:
        raise ValidationError(
            _("This card is locked: the round has closed. Ask an organiser to reopen it if something must change."),
            code="locked",
        )
    if card.reopened:
        return
    now = timezone.now()
    if round_.closed_at is not None or now >= round_.closes_at:
        raise ValidationError(
            _("Scoring for this round closed on %(time)s; nothing was changed.")
            % {"time": china_time(round_.closed_at or round_.closes_at)},
            code="round_closed",
        )
    if now < round_.opens_at:
        raise ValidationError(
            _("Scoring for this round opens on %(time)s.") % {"time": china_time(round_.opens_at)},
            code="not_open_yet",
        )


def _card_for_update(round_: Round, entry_id: int, judge: User) -> Scorecard:
    """The judge's card, created if needed and locked for this transaction; safe under concurrency."""
    try:
        with transaction.atomic():
            Scorecard.objects.get_or_create(round=round_, entry_id=entry_id, judge=judge)
    except IntegrityError:
        pass  # created by a concurrent request
    return Scorecard.objects.select_for_update().get(round=round_, entry_id=entry_id, judge=judge)


def _log(card: Scorecard, by: User | None, field_name: str, old, new, reason: str = "") -> ScorecardChange:
    return ScorecardChange(
        scorecard=card,
        changed_by=by,
        field=field_name,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=reason,
    )


def _save_card(
    *,
    round_: Round,
    entry_id: int,
    judge: User,
    scores: Mapping,
    comment_to_organisers: str | None,
    feedback_to_entrant: str | None,
    submit: bool,
) -> Scorecard:
    _require_card_access(round_, entry_id, judge)
    criteria = selectors.criteria_of(round_)
    if not criteria:
        raise ValidationError(
            _("This round has no criteria yet; the organisers must set them first."), code="no_criteria"
        )
    parsed = _parse_scores(round_, criteria, scores or {})
    errors: dict[str, list[str]] = {}
    comment = _check_text("comment_to_organisers", comment_to_organisers, errors)
    feedback = _check_text("feedback_to_entrant", feedback_to_entrant, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        card = _card_for_update(round_, entry_id, judge)
        _check_editable(round_, card)
        current = {score.criterion_id: score for score in card.scores.all()}
        final = {criterion_id: score.value for criterion_id, score in current.items()}
        final.update(parsed)
        must_be_complete = submit or card.is_submitted
        missing = [c for c in criteria if final.get(c.pk) is None]
        if must_be_complete and missing:
            raise ValidationError(
                {
                    score_field(c.pk): [_("Score “%(criterion)s” before submitting.") % {"criterion": c.name}]
                    for c in missing
                },
                code="incomplete",
            )
        changes: list[ScorecardChange] = []
        for criterion in criteria:
            if criterion.pk not in parsed:
                continue
            old = current.get(criterion.pk)
            new_value = parsed[criterion.pk]
            old_value = old.value if old is not None else None
            if old_value == new_value:
                continue
            if new_value is None:
                old.delete()
            elif old is None:
                Score.objects.create(scorecard=card, criterion=criterion, value=new_value)
            else:
                old.value = new_value
                old.save(update_fields=["value"])
            changes.append(_log(card, judge, f"score:{criterion.pk}", old_value, new_value))
        updated_fields = []
        for name, value in (("comment_to_organisers", comment), ("feedback_to_entrant", feedback)):
            if value is not None and value != getattr(card, name):
                changes.append(_log(card, judge, name, getattr(card, name), value))
                setattr(card, name, value)
                updated_fields.append(name)
        if submit and not card.is_submitted:
            changes.append(_log(card, judge, "status", card.status, Scorecard.Status.SUBMITTED))
            card.status = Scorecard.Status.SUBMITTED
            card.submitted_at = timezone.now()
            updated_fields += ["status", "submitted_at"]
        if submit and card.reopened and round_.is_closed:
            # A card reopened after the round closed locks again once it is submitted.
            changes.append(_log(card, judge, "locked", False, True))
            card.locked, card.reopened = True, False
            updated_fields += ["locked", "reopened"]
        if changes:
            card.save(update_fields=[*updated_fields, "updated_at"])
            ScorecardChange.objects.bulk_create(changes)
            if card.is_submitted:
                _bump_results(round_)
    return card


def scorecard_save_draft(
    *,
    round: Round,
    entry: Entry,
    judge: User,
    scores: Mapping,
    comment_to_organisers: str | None = None,
    feedback_to_entrant: str | None = None,
) -> Scorecard:
    """Save the judge's scores so far (the autosave). Only their own assigned card, while it is editable.

    ``scores`` maps criterion ids to typed values; an empty value clears a score. Every given
    value must be a number on the round's scale with at most two decimals; any error saves
    nothing. A submitted card stays submitted and must stay complete. Each change is audited.
    """
    return _save_card(
        round_=round,
        entry_id=entry.pk,
        judge=judge,
        scores=scores,
        comment_to_organisers=comment_to_organisers,
        feedback_to_entrant=feedback_to_entrant,
        submit=False,
    )


def scorecard_submit(
    *,
    round: Round,
    entry: Entry,
    judge: User,
    scores: Mapping | None = None,
    comment_to_organisers: str | None = None,
    feedback_to_entrant: str | None = None,
) -> Scorecard:
    """Save and submit the judge's card: every criterion scored, within the scale, round open.

    Submitting again with the same values changes nothing. A submitted card counts in the
    results; the judge may still change it until the round closes.
    """
    return _save_card(
        round_=round,
        entry_id=entry.pk,
        judge=judge,
        scores=scores or {},
        comment_to_organisers=comment_to_organisers,
        feedback_to_entrant=feedback_to_entrant,
        submit=True,
    )


def live_score_submit(
    *,
    round: Round,
    entry: Entry,
    judge: User,
    scores: Mapping,
    comment_to_organisers: str = "",
) -> dict:
    """Score the pitch on stage in a live round (called by the roadshow room; no HTTP here).

    Any judge of the event without a conflict may score every entry of a live round; their
    assignment is made on the first score. Same checks as ``scorecard_submit``. Returns a
    plain dict for the live layer: the card id, entry id, judge id, status and the card's
    weighted total (as text, two decimals). Judges' live scores go to organisers only; the
    room reveals them when the organiser decides.
    """
    round_ = round
    if not round_.live:
        raise ValidationError(_("This round is not scored live."), code="not_live")
    if entry.event_id != round_.event_id:
        raise ValueError("The entry is not in the round's event.")
    if not (can(judge, "judging.score", round_.event) or can(judge, "room.score_live", round_.event)):
        raise PermissionDenied(_("Only the event's judges score pitches."))
    if (judge.pk, entry.pk) in selectors.conflict_map([entry.pk], [judge]):
        raise PermissionDenied(_("You have a conflict of interest with this entry and cannot score it."))
    with transaction.atomic():
        Assignment.objects.get_or_create(round=round_, entry=entry, judge=judge)
    card = scorecard_submit(
        round=round_, entry=entry, judge=judge, scores=scores, comment_to_organisers=comment_to_organisers
    )
    return {
        "scorecard_id": card.pk,
        "entry_id": entry.pk,
        "judge_id": judge.pk,
        "status": card.status,
        "total": f"{card_total(card):.2f}",
    }


def card_total(card: Scorecard) -> Decimal:
    """The card's weighted total, Σ weight / 100 × score, exact."""
    return sum(
        (score.criterion.weight * score.value / 100 for score in card.scores.select_related("criterion")),
        Decimal(0),
    )


def round_close(*, round: Round, closed_by: User | None) -> int:
    """Close scoring and lock every card of the round (organisers; None: the scheduled closing).

    Closing twice changes nothing. Returns how many cards were locked now.
    """
    round_ = round
    if closed_by is not None:
        require(closed_by, "judging.configure", round_.event)
    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=round_.pk)
        now = timezone.now()
        if locked_round.closed_at is None:
            locked_round.closed_at = now
            locked_round.save(update_fields=["closed_at"])
        to_lock = list(Scorecard.objects.filter(round=locked_round, locked=False).select_for_update())
        ScorecardChange.objects.bulk_create([_log(card, closed_by, "locked", False, True) for card in to_lock])
        Scorecard.objects.filter(pk__in=[card.pk for card in to_lock]).update(locked=True, reopened=False)
    round_.closed_at = locked_round.closed_at
    return len(to_lock)


def rounds_close_due() -> int:
    """Close every round whose closing time has passed (Celery beat). Returns how many closed."""
    due = Round.objects.filter(closed_at__isnull=True, closes_at__lte=timezone.now())
    count = 0
    for round_ in due:
        round_close(round=round_, closed_by=None)
        count += 1
    return count


def scorecard_reopen(*, card: Scorecard, reopened_by: User, reason: str) -> Scorecard:
    """Reopen one locked card so its judge can change it (organisers, with a reason).

    The judge is told; once they submit it again after the round's close, it locks again.
    """
    require(reopened_by, "judging.configure", card.round.event)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening the card.")}, code="reason_required")
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason to at most 2,000 characters.")}, code="too_long")
    if card.round.advancement_confirmed:
        raise ValidationError(_("Advancement is confirmed: the round's cards are final."), code="final")
    with transaction.atomic():
        locked_card = Scorecard.objects.select_for_update().get(pk=card.pk)
        if not locked_card.locked:
            raise ValidationError(_("This card is not locked; its judge can still change it."), code="not_locked")
        locked_card.locked, locked_card.reopened = False, True
        locked_card.save(update_fields=["locked", "reopened", "updated_at"])
        _log(locked_card, reopened_by, "locked", True, False, reason).save()
        transaction.on_commit(lambda: _queue("notify_card_reopened", locked_card.pk), robust=True)
    card.locked, card.reopened = False, True
    return locked_card


def judges_remind(*, round: Round, reminded_by: User, judge_ids: Iterable[int] | None = None) -> int:
    """E-mail judges who still have cards to submit (organisers); returns how many are reminded."""
    round_ = round
    require(reminded_by, "judging.assign", round_.event)
    wanted = None if judge_ids is None else set(judge_ids)
    due = [
        row.judge.pk
        for row in selectors.round_progress(round_)
        if row.remaining > 0 and (wanted is None or row.judge.pk in wanted)
    ]
    for judge_id in due:
        transaction.on_commit(lambda judge_id=judge_id: _queue("send_judge_reminder", round_.pk, judge_id), robust=True)
    return len(due)
