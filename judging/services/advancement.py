"""Advancement and release: who moves on under the round's rule (through ``registration.services``
once the organiser confirms), and the results and feedback released to entrants and judges."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from events.models import Event
from events.services import can, require
from registration import services as registration_services
from registration.models import Entry, Status

from .. import selectors
from ..models import Round, RoundOutcome, Scorecard
from ..weights import Component
from .common import _queue, china_time
from .results import round_standing
from .scorecards import round_close


@dataclass(frozen=True)
class AdvancementLine:
    """One entry in the advancement preview; ``value`` is the round's total (see ``round_standing``),
    ``judges_value``, ``audience`` and ``signal`` its parts (the last two None when not weighted)."""

    entry_id: int
    rank: int | None
    group_rank: int | None
    value: float | None
    card_count: int
    advances: bool
    judges_value: float | None = None
    audience: Component | None = None
    signal: Component | None = None


def _advancement_lines(round_: Round) -> list[AdvancementLine]:
    standing = round_standing(round_)
    group_ranks = {place.entry.entry_id: place.rank for group in standing.by_group.values() for place in group}
    lines = []
    for place in standing.overall:
        line = place.entry
        if round_.advancement_rule == Round.AdvancementRule.TOP_OVERALL:
            advances = place.rank <= round_.advancement_count
        elif round_.advancement_rule == Round.AdvancementRule.TOP_PER_TRACK:
            advances = group_ranks[line.entry_id] <= round_.advancement_count
        else:
            advances = line.value >= float(round_.advancement_threshold)
        lines.append(
            AdvancementLine(
                entry_id=line.entry_id,
                rank=place.rank,
                group_rank=group_ranks[line.entry_id],
                value=line.value,
                card_count=line.card_count,
                advances=advances,
                judges_value=line.judges_value,
                audience=line.audience,
                signal=line.signal,
            )
        )
    scored = {line.entry_id for line in lines}
    for entry_id in selectors.pool_entries(round_).exclude(pk__in=scored).order_by("pk").values_list("pk", flat=True):
        lines.append(AdvancementLine(entry_id, None, None, None, 0, advances=False))
    return lines


def advancement_preview(*, round: Round, viewer: User) -> list[AdvancementLine]:
    """Who would advance under the round's rule and method (organisers).

    Entries are ranked by the round's total: the judges' value, with the audience vote and a
    live signal weighed in only when the organiser gave them a weight. Top N (overall or per
    track) takes every entry ranked N or better, so entries tied at the cut all advance; a
    threshold takes every entry whose total reaches it. Entries without a submitted card
    never advance.
    """
    require(viewer, "judging.view_results", round.event)
    return _advancement_lines(round)


def _advance_target(round_: Round) -> tuple[str, int | None]:
    if round_.advance_to == Round.AdvanceTo.NEXT_ROUND:
        return Status.IN_ROUND, round_.number + 1
    if round_.advance_to == Round.AdvanceTo.FINALIST:
        return Status.FINALIST, None
    return Status.AWARDED, None


def _advance_reason(round_: Round) -> str:
    """The reason stored with the status change, in both languages (entrants read either)."""
    texts = []
    for language, name in (("zh-hans", round_.name_zh or round_.name_en), ("en", round_.name_en or round_.name_zh)):
        with translation.override(language):
            texts.append(_("Advanced from “%(round)s”.") % {"round": name})
    return " / ".join(dict.fromkeys(texts))


def advancement_confirm(*, round: Round, confirmed_by: User) -> list[RoundOutcome]:
    """Confirm the preview (organisers): advancing entries move on, the rest are marked, all are told.

    The round is closed first if it is not (its cards lock). Advancing entries change status
    through ``registration.services.entries_status_change`` (which tells their entrants);
    every entry of the round gets a ``RoundOutcome`` (with the parts of its total when the round
    weighs in the audience vote or a live signal, as they stand now), and those that did not
    advance are told in their own language. Confirming twice is refused.
    """
    round_ = round
    require(confirmed_by, "judging.configure", round_.event)
    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=round_.pk)
        if locked_round.advancement_confirmed:
            raise ValidationError(
                _("Advancement for this round was already confirmed on %(time)s.")
                % {"time": china_time(locked_round.advancement_confirmed_at)},
                code="already_confirmed",
            )
        if locked_round.closed_at is None:
            round_close(round=locked_round, closed_by=confirmed_by)
        lines = _advancement_lines(locked_round)
        advancing = [line.entry_id for line in lines if line.advances]
        to_status, round_number = _advance_target(locked_round)
        if advancing:
            registration_services.entries_status_change(
                entries=list(Entry.objects.filter(pk__in=advancing)),
                to_status=to_status,
                changed_by=confirmed_by,
                reason=_advance_reason(locked_round),
                round_number=round_number,
            )
        now = timezone.now()
        outcomes = RoundOutcome.objects.bulk_create(
            [
                RoundOutcome(
                    round=locked_round,
                    entry_id=line.entry_id,
                    rank=line.rank,
                    value=line.value,
                    judges_value=line.judges_value if locked_round.is_weighted else None,
                    audience_votes=line.audience.count if line.audience else None,
                    audience_value=line.audience.value if line.audience else None,
                    signal_count=line.signal.count if line.signal else None,
                    signal_value=line.signal.value if line.signal else None,
                    advanced=line.advances,
                    decided_at=now,
                )
                for line in lines
            ]
        )
        locked_round.advancement_confirmed_at = now
        locked_round.advancement_confirmed_by = confirmed_by
        locked_round.save(update_fields=["advancement_confirmed_at", "advancement_confirmed_by"])
        not_advanced = [outcome.pk for outcome in outcomes if not outcome.advanced]
        transaction.on_commit(lambda: _queue("notify_not_advanced", not_advanced), robust=True)
    round_.advancement_confirmed_at = now
    round_.advancement_confirmed_by = confirmed_by
    round_.closed_at = locked_round.closed_at
    return outcomes


def results_release(*, round: Round, released_by: User, feedback_card_ids: Iterable[int] = ()) -> int:
    """Release the round's results and the chosen feedback to entrants and judges (organisers).

    Only the cards in ``feedback_card_ids`` (submitted, with feedback written) have their
    feedback shown, without the judge's name; the others are held back. Releasing again
    changes the chosen feedback only. Entrants of the round are told the first time.
    Returns how many feedback texts are released.
    """
    round_ = round
    require(released_by, "judging.release_results", round_.event)
    chosen = set(feedback_card_ids)
    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=round_.pk)
        first_release = locked_round.results_released_at is None
        if not locked_round.is_closed:
            raise ValidationError(_("Close the round before releasing its results."), code="still_open")
        cards = Scorecard.objects.filter(round=locked_round, status=Scorecard.Status.SUBMITTED).exclude(
            feedback_to_entrant=""
        )
        released = cards.filter(pk__in=chosen).update(feedback_released=True)
        Scorecard.objects.filter(round=locked_round).exclude(pk__in=chosen).update(feedback_released=False)
        if first_release:
            locked_round.results_released_at = timezone.now()
            locked_round.save(update_fields=["results_released_at"])
            transaction.on_commit(lambda: _queue("notify_results_released", locked_round.pk), robust=True)
    round_.results_released_at = locked_round.results_released_at
    return released


def results_visible_to(user: User, round_: Round) -> bool:
    """Organisers always; judges and entrants of the event once the results are released."""
    if can(user, "judging.view_results", round_.event):
        return True
    return round_.results_released and can(user, "judging.view_released", round_.event)


def _frozen_line(outcome: RoundOutcome) -> dict:
    """The total and its parts as they stood when advancement was confirmed (a weighted round)."""
    return {
        "rank": outcome.rank,
        "value": outcome.value,
        "judges_value": outcome.judges_value,
        "audience": None
        if outcome.audience_votes is None
        else Component(count=outcome.audience_votes, value=outcome.audience_value),
        "signal": None
        if outcome.signal_count is None
        else Component(count=outcome.signal_count, value=outcome.signal_value),
    }


def entrant_results(*, user: User, event: Event) -> list[dict]:
    """Each of the user's own entries in each released round: rank, total, whether it advanced,
    and the feedback released for it (never the judges' names).

    The rank and total are the round's standing (``round_standing``). When the round weighs in the
    audience vote or a live signal, the row also holds the judges' value and those parts, and once
    advancement is confirmed they are the ones the decision was taken on.
    """
    if not user.is_authenticated:
        return []
    own_entries = list(Entry.objects.filter(event=event, owner=user).select_related("track").order_by("pk"))
    if not own_entries:
        return []
    outcomes = {
        (outcome.round_id, outcome.entry_id): outcome
        for outcome in RoundOutcome.objects.filter(entry__in=own_entries, round__results_released_at__isnull=False)
    }
    feedback_by_entry = {entry.pk: selectors.released_feedback(entry) for entry in own_entries}
    rows = []
    for round_ in selectors.rounds_of(event).filter(results_released_at__isnull=False).select_related("event"):
        try:
            standing = round_standing(round_)
        except ValidationError:
            standing = None
        places = {place.entry.entry_id: place for place in standing.overall} if standing else {}
        for entry in own_entries:
            place = places.get(entry.pk)
            outcome = outcomes.get((round_.pk, entry.pk))
            feedback = feedback_by_entry[entry.pk].get(round_.pk, [])
            if place is None and outcome is None and not feedback:
                continue
            line = {
                "rank": place.rank if place else None,
                "value": place.entry.value if place else None,
                "judges_value": place.entry.judges_value if place else None,
                "audience": place.entry.audience if place else None,
                "signal": place.entry.signal if place else None,
            }
            if round_.is_weighted and outcome is not None and outcome.value is not None:
                line = _frozen_line(outcome)
            rows.append(
                {
                    "round": round_,
                    "entry": entry,
                    "of": len(places),
                    "weighted": round_.is_weighted,
                    **line,
                    "outcome": outcome,
                    "feedback": feedback,
                }
            )
    return rows
