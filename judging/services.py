"""Judging rules: rounds and criteria, assignment and conflicts, scorecards, results, advancement.

Who may do what is asked of ``events.services.can``/``require``. On top of that:

- a round's criterion weights total exactly 100 %, and once a card is submitted its criteria
  and scale are fixed;
- a judge scores only the entries assigned to them, only while the round is open (or a card
  an organiser reopened), every score within the round's scale; every change to a card is
  kept as a ``ScorecardChange`` (who, when, field, old, new, why);
- no judge is ever assigned an entry they conflict with (declared, own team, or the same
  organisation as any team member);
- closing a round locks its cards; only an organiser can reopen one, giving a reason;
- results count submitted cards only (``judging.aggregation``) and are shown to judges and
  entrants only after the organiser releases them; entries move on through
  ``registration.services`` once the organiser confirms the advancement.
"""

import random
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import Award
from awards.selectors import vote_counts
from core.tasks import enqueue
from events.models import Event
from events.services import can, require
from experts.selectors import expert_fields
from livestream.selectors import PitchEvidence, pitch_signals_of_entries
from registration import services as registration_services
from registration.models import Entry, Status

from . import selectors
from .aggregation import AggregationError, Card, CriterionSpec, RoundResult, aggregate_all
from .models import (
    EXTRA_WEIGHT_MAX,
    SCORE_PLACES,
    Assignment,
    Conflict,
    Criterion,
    Round,
    RoundOutcome,
    Score,
    Scorecard,
    ScorecardChange,
)
from .weights import Component, Standing, blend

ROUND_FIELDS = frozenset(
    {
        "number",
        "name_zh",
        "name_en",
        "pool",
        "opens_at",
        "closes_at",
        "blind",
        "live",
        "scale_min",
        "scale_max",
        "method",
        "judges_per_entry",
        "advancement_rule",
        "advancement_count",
        "advancement_threshold",
        "advance_to",
        "audience_weight",
        "audience_award",
        "signals_weight",
        "signals_measure",
    }
)
# Changing these would change the meaning of scores already given.
FIXED_ONCE_SCORED = frozenset({"scale_min", "scale_max"})
# What the round's total is made of: fixed once advancement has been decided on it.
WEIGHT_FIELDS = frozenset({"audience_weight", "audience_award", "signals_weight", "signals_measure"})
RESULTS_CACHE_ROUNDS = 16  # rounds whose results a process keeps


def china_time(moment) -> str:
    return registration_services.china_time(moment)


def _bump_results(round_: Round) -> None:
    """Mark the round's cached results stale (in the caller's transaction)."""
    Round.objects.filter(pk=round_.pk).update(results_version=F("results_version") + 1)


def _has_submitted_cards(round_: Round) -> bool:
    return Scorecard.objects.filter(round=round_, status=Scorecard.Status.SUBMITTED).exists()


# --- Rounds and criteria -----------------------------------------------------------------------


def _round_validate(round_: Round) -> None:
    errors: dict[str, str] = {}
    if not (round_.name_zh.strip() or round_.name_en.strip()):
        errors["name_zh"] = _("Give the round a name in Chinese, English or both.")
    for name in ("opens_at", "closes_at"):
        moment = getattr(round_, name)
        if moment is not None and timezone.is_naive(moment):
            raise ValueError("Round times must be time-zone aware.")
    if round_.opens_at and round_.closes_at and round_.closes_at <= round_.opens_at:
        errors["closes_at"] = _("Scoring must close after it opens.")
    if round_.scale_min is not None and round_.scale_max is not None and round_.scale_max <= round_.scale_min:
        errors["scale_max"] = _("The highest score must be above the lowest.")
    if round_.advancement_rule == Round.AdvancementRule.THRESHOLD:
        round_.advancement_count = None
        threshold = round_.advancement_threshold
        if threshold is None:
            errors["advancement_threshold"] = _("Give the lowest score that advances.")
        elif not round_.scale_min <= threshold <= round_.scale_max:
            errors["advancement_threshold"] = _(
                "The lowest advancing score must lie on the scale, %(min)s–%(max)s."
            ) % {"min": plain(Decimal(round_.scale_min)), "max": plain(Decimal(round_.scale_max))}
    else:
        round_.advancement_threshold = None
        if not round_.advancement_count:
            errors["advancement_count"] = _("Give how many entries advance (N, at least 1).")
    if (
        round_.number
        and Round.objects.filter(event_id=round_.event_id, number=round_.number).exclude(pk=round_.pk).exists()
    ):
        errors["number"] = _("This event already has a round number %(number)s.") % {"number": round_.number}
    errors.update(_weights_errors(round_))
    if errors:
        raise ValidationError(errors)
    round_.full_clean(validate_constraints=False)


def _weights_errors(round_: Round) -> dict[str, str]:
    """The rules of the audience vote and live signal weights: each 0–50 %, together at most 50 %
    (the judges' scores keep the majority), and a weighted audience vote names an audience award
    of the round's event."""
    errors: dict[str, str] = {}
    labels = {"audience_weight": _("The audience vote's weight"), "signals_weight": _("The live signal's weight")}
    for name, label in labels.items():
        weight = getattr(round_, name)
        if weight is None:
            setattr(round_, name, Decimal(0))
        elif not weight.is_finite() or not Decimal(0) <= weight <= EXTRA_WEIGHT_MAX:
            errors[name] = _("%(what)s must be between 0 and 50 %%.") % {"what": label}
        elif weight != weight.quantize(Decimal(1).scaleb(-SCORE_PLACES)):
            errors[name] = _("Use at most two decimal places.")
    if not errors and round_.audience_weight + round_.signals_weight > EXTRA_WEIGHT_MAX:
        errors["signals_weight"] = _(
            "The audience vote and the live signal together weigh %(total)s %%; they may weigh at most 50 %% "
            "so that the judges' scores keep the majority."
        ) % {"total": plain(round_.audience_weight + round_.signals_weight)}
    if round_.signals_measure not in Round.SignalsMeasure.values:
        errors["signals_measure"] = _("Choose which live signal counts.")
    award = round_.audience_award
    if award is not None and (award.event_id != round_.event_id or award.kind != Award.Kind.AUDIENCE):
        errors["audience_award"] = _("Choose an audience-vote award of this event.")
    elif award is None and "audience_weight" not in errors and round_.audience_weight > 0:
        if Award.objects.filter(event_id=round_.event_id, kind=Award.Kind.AUDIENCE).exists():
            errors["audience_award"] = _(
                "Choose the audience award whose votes count, or set the audience vote's weight to 0."
            )
        else:
            errors["audience_weight"] = _(
                "This event has no audience-vote award, so the audience vote cannot count: create one under "
                "Awards first, or set the weight to 0."
            )
    return errors


def _apply_round_fields(round_: Round, fields: dict) -> None:
    unknown = set(fields) - ROUND_FIELDS
    if unknown:
        raise ValueError(f"Not round fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(round_, name, value.strip() if isinstance(value, str) and name.startswith("name") else value)


def _set_tracks(round_: Round, tracks) -> None:
    tracks = list(tracks)
    if any(track.event_id != round_.event_id for track in tracks):
        raise ValidationError({"tracks": _("Choose tracks of this event.")}, code="bad_track")
    round_.tracks.set(tracks)


def round_create(*, event: Event, created_by: User, tracks: Iterable = (), **fields) -> Round:
    """Add a judging round to the event (organisers). Without a number it becomes the next one."""
    require(created_by, "judging.configure", event)
    if not fields.get("number"):
        last = selectors.rounds_of(event).last()
        fields["number"] = (last.number + 1) if last else 1
    round_ = Round(event=event)
    _apply_round_fields(round_, fields)
    _round_validate(round_)
    with transaction.atomic():
        round_.save()
        _set_tracks(round_, tracks)
    return round_


def round_update(*, round: Round, changed_by: User, tracks: Iterable | None = None, **fields) -> Round:
    """Change a round's settings (organisers). The scale is fixed once a card is submitted."""
    round_ = round
    require(changed_by, "judging.configure", round_.event)
    changed_fixed = [name for name in FIXED_ONCE_SCORED & set(fields) if fields[name] != getattr(round_, name)]
    if changed_fixed and _has_submitted_cards(round_):
        fixed = _("Judges have already submitted cards on this scale; it can no longer change.")
        raise ValidationError({"scale_max": ValidationError(fixed, code="scale_fixed")})
    changed_weights = sorted(name for name in WEIGHT_FIELDS & set(fields) if fields[name] != getattr(round_, name))
    if changed_weights and round_.advancement_confirmed:
        final = _(
            "Advancement for this round was confirmed on %(time)s with these weights; they can no longer change."
        ) % {"time": china_time(round_.advancement_confirmed_at)}
        raise ValidationError({name: ValidationError(final, code="weights_final") for name in changed_weights})
    _apply_round_fields(round_, fields)
    _round_validate(round_)
    with transaction.atomic():
        round_.save()
        if tracks is not None:
            _set_tracks(round_, tracks)
        _bump_results(round_)
    round_.refresh_from_db(fields=["results_version"])
    return round_


@dataclass(frozen=True)
class CriterionInput:
    """One criterion as the organiser enters it; ``id`` names an existing criterion to keep."""

    weight: Decimal | int | str
    name_zh: str = ""
    name_en: str = ""
    guidance_zh: str = ""
    guidance_en: str = ""
    id: int | None = None


def _parse_weight(raw) -> Decimal:
    try:
        weight = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter the weight as a number of percent."), code="not_a_number") from None
    if not weight.is_finite():
        raise ValidationError(_("Enter the weight as a number of percent."), code="not_a_number")
    if not Decimal(0) <= weight <= Decimal(100):
        raise ValidationError(_("A weight lies between 0 and 100 %."), code="weight_range")
    if weight != weight.quantize(Decimal(1).scaleb(-SCORE_PLACES)):
        raise ValidationError(_("Use at most two decimal places."), code="weight_places")
    return weight


def criteria_set(
    *,
    round: Round,
    changed_by: User,
    criteria: Sequence[CriterionInput],
    tie_break: int | None = None,
) -> list[Criterion]:
    """Replace the round's criteria with ``criteria`` in their order (organisers).

    Every criterion needs a name and a weight from 0 to 100 %; the weights must total exactly
    100 %. ``tie_break`` is the index in ``criteria`` of the criterion whose mean breaks ties
    (None: ties go straight to the number of cards). Once a card is submitted, criteria can
    only be renamed and their guidance edited: none added or removed, no weight changed.
    Errors come back keyed ``criteria`` (the whole set) or ``criterion_<index>``.
    """
    round_ = round
    require(changed_by, "judging.configure", round_.event)
    errors: dict[str, list[str]] = {}
    weights: list[Decimal] = []
    for index, item in enumerate(criteria):
        try:
            weights.append(_parse_weight(item.weight))
        except ValidationError as exc:
            errors.setdefault(f"criterion_{index}", []).extend(exc.messages)
            weights.append(Decimal(0))
        if not (item.name_zh.strip() or item.name_en.strip()):
            errors.setdefault(f"criterion_{index}", []).append(
                _("Give the criterion a name in Chinese, English or both.")
            )
    if not criteria:
        errors["criteria"] = [_("A round needs at least one criterion.")]
    elif not errors and sum(weights) != 100:
        errors["criteria"] = [
            _("The weights add up to %(total)s %%; they must total exactly 100 %%.") % {"total": plain(sum(weights))}
        ]
    if tie_break is not None and not 0 <= tie_break < len(criteria):
        errors["tie_break"] = [_("Choose one of the round's criteria to break ties.")]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=round_.pk)
        existing = {criterion.pk: criterion for criterion in selectors.criteria_of(locked_round)}
        kept_ids = {item.id for item in criteria if item.id is not None}
        if kept_ids - set(existing):
            raise ValueError("A criterion id that is not in this round was given.")
        if _has_submitted_cards(locked_round):
            same_set = kept_ids == set(existing) and len(criteria) == len(existing)
            same_weights = same_set and all(
                existing[item.id].weight == weight for item, weight in zip(criteria, weights, strict=True)
            )
            if not same_weights:
                fixed = _(
                    "Judges have already submitted cards: criteria can be renamed and their guidance "
                    "edited, but none added or removed and no weight changed."
                )
                raise ValidationError({"criteria": ValidationError(fixed, code="criteria_fixed")})
        Criterion.objects.filter(round=locked_round).exclude(pk__in=kept_ids).delete()
        saved: list[Criterion] = []
        for position, (item, weight) in enumerate(zip(criteria, weights, strict=True), start=1):
            criterion = existing.get(item.id) if item.id is not None else Criterion(round=locked_round)
            criterion.name_zh = item.name_zh.strip()
            criterion.name_en = item.name_en.strip()
            criterion.guidance_zh = item.guidance_zh.strip()
            criterion.guidance_en = item.guidance_en.strip()
            criterion.weight = weight
            criterion.position = position
            criterion.full_clean(exclude=["round"])
            criterion.save()
            saved.append(criterion)
        locked_round.tie_break_criterion = saved[tie_break] if tie_break is not None else None
        locked_round.save(update_fields=["tie_break_criterion"])
        _bump_results(locked_round)
    round_.tie_break_criterion = locked_round.tie_break_criterion
    return saved


# --- Assignment and conflicts -----------------------------------------------------------------


@dataclass
class AssignmentReport:
    """What ``assignment_auto`` did, and the entries it could not give K judges."""

    created: int = 0
    removed: int = 0
    moved: int = 0
    short: list[tuple[int, int]] = field(default_factory=list)  # (entry id, judges it has)
    conflicts_found: int = 0


def _require_assignable(round_: Round, user: User) -> None:
    require(user, "judging.assign", round_.event)
    if round_.live:
        raise ValidationError(_("A live round needs no assignment: every judge scores each pitch."), code="live")
    if round_.advancement_confirmed:
        raise ValidationError(_("Advancement is confirmed: this round's assignments are final."), code="final")


def _record_conflicts(conflicts: Mapping[tuple[int, int], str]) -> int:
    """Store detected (not declared) conflicts so organisers see why a judge was left out."""
    detected = [
        Conflict(judge_id=judge_id, entry_id=entry_id, kind=kind)
        for (judge_id, entry_id), kind in conflicts.items()
        if kind != Conflict.Kind.DECLARED
    ]
    Conflict.objects.bulk_create(detected, ignore_conflicts=True)
    return len(detected)


def assignment_auto(*, round: Round, assigned_by: User, seed: int | None = None) -> AssignmentReport:
    """Give every entry of the round K judges (organisers), keeping assignments already made.

    Never a conflicted judge: assignments that conflict and have no submitted card are removed.
    Entries with the fewest eligible judges are served first, each taking the least-loaded
    eligible judges (ties go to experts in the entry's track field, then at random, ``seed`` makes
    it repeatable); then card-less assignments move from the busiest to the idlest judges until
    loads differ by at most one, or no allowed move is left (preferring moves that bring an entry to
    an expert in its field, avoiding those that take it from one). Entries with fewer than K eligible
    judges get them all and are reported in ``short``.
    """
    round_ = round
    _require_assignable(round_, assigned_by)
    rng = random.Random(seed)  # noqa: S311 -- spreads ties between equally loaded judges; not a secret
    k = round_.judges_per_entry
    judges = list(selectors.judges_of(round_.event))
    judge_ids = [judge.pk for judge in judges]
    entry_ids = list(selectors.pool_entries(round_).order_by("pk").values_list("pk", flat=True))
    report = AssignmentReport()
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=round_.pk).first()
        conflicts = selectors.conflict_map(entry_ids, judges)
        report.conflicts_found = _record_conflicts(conflicts)
        scored = set(
            Scorecard.objects.filter(round=round_, status=Scorecard.Status.SUBMITTED).values_list(
                "judge_id", "entry_id"
            )
        )
        existing = list(Assignment.objects.filter(round=round_, entry_id__in=entry_ids))
        removed = [
            a.pk for a in existing if (a.judge_id, a.entry_id) in conflicts and (a.judge_id, a.entry_id) not in scored
        ]
        assigned: dict[int, set[int]] = defaultdict(set)
        for assignment in existing:
            if assignment.pk not in removed:
                assigned[assignment.entry_id].add(assignment.judge_id)
        loads = Counter(selectors.judge_loads(round_))
        for assignment in existing:
            if assignment.pk in removed:
                loads[assignment.judge_id] -= 1

        def eligible(entry_id: int) -> list[int]:
            return [j for j in judge_ids if (j, entry_id) not in conflicts]

        # Among equally loaded judges, an expert in the entry's track field goes first.
        track_fields = dict(Entry.objects.filter(pk__in=entry_ids).values_list("pk", "track__field"))
        fields_of = expert_fields(judge_ids)

        def off_field(judge_id: int, entry_id: int) -> bool:
            return track_fields.get(entry_id) not in fields_of.get(judge_id, ())

        tiebreak = {judge_id: rng.random() for judge_id in judge_ids}
        order = sorted(entry_ids, key=lambda e: (len(eligible(e)), rng.random()))
        new_pairs: set[tuple[int, int]] = set()
        for entry_id in order:
            need = k - len(assigned[entry_id])
            if need <= 0:
                continue
            candidates = [j for j in eligible(entry_id) if j not in assigned[entry_id]]
            candidates.sort(key=lambda j: (loads[j], off_field(j, entry_id), tiebreak[j]))
            for judge_id in candidates[:need]:
                assigned[entry_id].add(judge_id)
                loads[judge_id] += 1
                new_pairs.add((judge_id, entry_id))
        started = set(Scorecard.objects.filter(round=round_).values_list("judge_id", "entry_id"))
        moves = _rebalance(assigned, loads, judge_ids, conflicts, started | scored, off_field)
        for (from_judge, entry_id), to_judge in moves:
            if (from_judge, entry_id) in new_pairs:
                new_pairs.discard((from_judge, entry_id))
            else:
                removed.append(next(a.pk for a in existing if a.judge_id == from_judge and a.entry_id == entry_id))
            new_pairs.add((to_judge, entry_id))
        report.moved = len(moves)
        Assignment.objects.filter(pk__in=removed).delete()
        Assignment.objects.bulk_create(
            [Assignment(round=round_, entry_id=e, judge_id=j, assigned_by=assigned_by) for j, e in sorted(new_pairs)]
        )
        report.created = len(new_pairs)
        report.removed = len(removed)
        report.short = [(entry_id, len(assigned[entry_id])) for entry_id in entry_ids if len(assigned[entry_id]) < k]
    return report


def _rebalance(
    assigned: dict[int, set[int]],
    loads: Counter,
    judge_ids: list[int],
    conflicts: Mapping[tuple[int, int], str],
    pinned: set[tuple[int, int]],
    off_field: Callable[[int, int], bool] = lambda judge_id, entry_id: False,
) -> list[tuple[tuple[int, int], int]]:
    """Move assignments without a card from the busiest judges to the idlest, while that narrows the gap.

    Among the allowed moves between a busiest and an idlest judge, one that gives the entry to an
    expert in its field (``off_field`` False) and takes it from a judge outside it goes first; one
    that takes it from an expert to a judge outside the field goes last. Balance still comes first.
    Returns ((from judge, entry), to judge) moves, already applied to ``assigned`` and ``loads``.
    """
    moves: list[tuple[tuple[int, int], int]] = []
    if len(judge_ids) < 2:
        return moves
    entries_of: dict[int, set[int]] = defaultdict(set)
    for entry_id, judges in assigned.items():
        for judge_id in judges:
            entries_of[judge_id].add(entry_id)
    while True:
        ordered = sorted(judge_ids, key=lambda j: loads[j])
        low, high = loads[ordered[0]], loads[ordered[-1]]
        if high - low <= 1:
            return moves
        donors = [judge_id for judge_id in reversed(ordered) if loads[judge_id] == high]
        receivers = [judge_id for judge_id in ordered if loads[judge_id] == low]
        allowed = (
            (donor, entry_id, receiver)
            for donor in donors
            for receiver in receivers
            for entry_id in sorted(entries_of[donor])
            if (donor, entry_id) not in pinned
            and receiver not in assigned[entry_id]
            and (receiver, entry_id) not in conflicts
        )
        # Field cost: −1 brings the entry to an expert of its field, 0 neutral, 1 takes it from one.
        move, best_cost = None, 2
        for candidate in allowed:
            giver, entry, taker = candidate
            cost = int(off_field(taker, entry)) - int(off_field(giver, entry))
            if cost < best_cost:
                move, best_cost = candidate, cost
                if cost < 0:
                    break  # nothing beats a gain
        if move is None:
            return moves
        donor, entry_id, receiver = move
        assigned[entry_id].discard(donor)
        assigned[entry_id].add(receiver)
        entries_of[donor].discard(entry_id)
        entries_of[receiver].add(entry_id)
        loads[donor] -= 1
        loads[receiver] += 1
        moves.append(((donor, entry_id), receiver))


def _judge_names(judges: Iterable[User]) -> str:
    return ", ".join(judge.display_name for judge in judges)


def assignment_set(*, round: Round, entry: Entry, judges: Iterable[User], assigned_by: User) -> list[Assignment]:
    """Set by hand exactly which judges score ``entry`` in the round (organisers).

    Each must be a judge of the event without a conflict with the entry. A judge who has
    already given scores on the entry cannot be taken off it (their card would be lost).
    """
    round_ = round
    _require_assignable(round_, assigned_by)
    if entry.event_id != round_.event_id:
        raise ValueError("The entry is not in the round's event.")
    wanted = {judge.pk: judge for judge in judges}
    event_judges = {judge.pk: judge for judge in selectors.judges_of(round_.event)}
    not_judges = [judge for judge_id, judge in wanted.items() if judge_id not in event_judges]
    if not_judges:
        raise ValidationError(
            _("Not judges of this event: %(names)s.") % {"names": _judge_names(not_judges)}, code="not_a_judge"
        )
    conflicts = selectors.conflict_map([entry.pk], list(wanted.values()))
    conflicted = [judge for judge_id, judge in wanted.items() if (judge_id, entry.pk) in conflicts]
    if conflicted:
        raise ValidationError(
            _("These judges have a conflict of interest with the entry: %(names)s.")
            % {"names": _judge_names(conflicted)},
            code="conflict",
        )
    with transaction.atomic():
        current = {a.judge_id: a for a in Assignment.objects.select_for_update().filter(round=round_, entry=entry)}
        leaving = set(current) - set(wanted)
        scored = set(
            Score.objects.filter(
                scorecard__round=round_, scorecard__entry=entry, scorecard__judge_id__in=leaving
            ).values_list("scorecard__judge_id", flat=True)
        )
        if scored:
            raise ValidationError(
                _("These judges have already scored the entry and stay on it: %(names)s.")
                % {"names": _judge_names(User.objects.filter(pk__in=scored))},
                code="scored",
            )
        Scorecard.objects.filter(round=round_, entry=entry, judge_id__in=leaving).delete()
        Assignment.objects.filter(round=round_, entry=entry, judge_id__in=leaving).delete()
        Assignment.objects.bulk_create(
            [
                Assignment(round=round_, entry=entry, judge_id=judge_id, assigned_by=assigned_by)
                for judge_id in sorted(set(wanted) - set(current))
            ]
        )
    return list(Assignment.objects.filter(round=round_, entry=entry).select_related("judge"))


def conflict_declare(*, judge: User, entry: Entry, reason: str) -> list[Assignment]:
    """A judge declares a conflict of interest with an assigned entry; the entry gets another judge.

    The judge leaves the entry in every round still open to change (their draft card goes
    with them) and, in each, the least-loaded eligible judge takes their place. A judge who
    has already submitted a card on the entry must ask the organisers instead. Returns the
    new assignments (none where no eligible judge is left).
    """
    require(judge, "judging.score", entry.event)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say briefly why you have a conflict of interest.")}, code="reason_required")
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason to at most 2,000 characters.")}, code="too_long")
    with transaction.atomic():
        assignments = list(
            Assignment.objects.select_for_update()
            .filter(entry=entry, judge=judge, round__advancement_confirmed_at__isnull=True)
            .select_related("round")
        )
        if not assignments:
            raise PermissionDenied(_("This entry is not assigned to you."))
        if Scorecard.objects.filter(
            entry=entry, judge=judge, status=Scorecard.Status.SUBMITTED, round__in=[a.round for a in assignments]
        ).exists():
            raise ValidationError(
                _("You have already submitted a card for this entry; ask the organisers to take you off it."),
                code="already_submitted",
            )
        Conflict.objects.update_or_create(
            judge=judge, entry=entry, defaults={"kind": Conflict.Kind.DECLARED, "reason": reason}
        )
        replacements: list[Assignment] = []
        for assignment in assignments:
            round_ = assignment.round
            Scorecard.objects.filter(round=round_, entry=entry, judge=judge).delete()
            assignment.delete()
            if round_.live:
                continue
            judges = list(selectors.judges_of(round_.event))
            conflicts = selectors.conflict_map([entry.pk], judges)
            on_entry = set(Assignment.objects.filter(round=round_, entry=entry).values_list("judge_id", flat=True))
            loads = selectors.judge_loads(round_)
            candidates = sorted(
                (j for j in judges if j.pk not in on_entry and (j.pk, entry.pk) not in conflicts),
                key=lambda j: (loads[j.pk], j.pk),
            )
            if candidates:
                replacements.append(Assignment.objects.create(round=round_, entry=entry, judge=candidates[0]))
    return replacements


# --- Scorecards ---------------------------------------------------------------------------------


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


def plain(number: Decimal) -> str:
    """A decimal without trailing zeros or an exponent: 30.00 → "30", 7.50 → "7.5"."""
    return f"{number.normalize():f}"


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


def _queue(task_name: str, *args) -> None:
    from . import tasks  # the tasks module calls these services

    enqueue(getattr(tasks, task_name), *args)


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


# --- Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundResults:
    """A round's results under every method, computed from its submitted cards.

    When they cannot be computed (criteria incomplete), ``by_method`` is empty and
    ``error`` says why in the active language.
    """

    by_method: Mapping[str, RoundResult]
    error_code: str = ""
    error_detail: str = ""

    def of(self, method: str) -> RoundResult | None:
        return self.by_method.get(method)

    @property
    def error(self) -> str:
        if not self.error_code:
            return ""
        if self.error_code in ("no_criteria", "weights_sum"):
            return _("The round's criteria are not complete: their weights must total 100 %.")
        return _("The results cannot be computed: %(problem)s") % {"problem": self.error_detail}


def criterion_specs(round_: Round, criteria: list[Criterion]) -> list[CriterionSpec]:
    return [
        CriterionSpec(id=c.pk, weight=c.weight, scale_min=round_.scale_min, scale_max=round_.scale_max)
        for c in criteria
    ]


def submitted_cards(round_: Round) -> list[Card]:
    """Every submitted card of the round with its scores: one query.

    Scores are read as text and turned into ``Decimal`` once per distinct value: a round
    repeats a few dozen values tens of thousands of times, and the database driver's
    per-row decimal conversion would dominate the time.
    """
    decimals: dict[str, Decimal] = {}
    cards: list[Card] = []
    current: tuple[int, int, int] | None = None
    scores: dict[int, Decimal] = {}
    rows = (
        Score.objects.filter(scorecard__round=round_, scorecard__status=Scorecard.Status.SUBMITTED)
        .order_by("scorecard_id")
        .values_list(
            "scorecard_id", "scorecard__judge_id", "scorecard__entry_id", "criterion_id", Cast("value", CharField())
        )
    )
    for card_id, judge_id, entry_id, criterion_id, text in rows.iterator(chunk_size=10000):
        if current is None or current[0] != card_id:
            if current is not None:
                cards.append(Card(judge_id=current[1], entry_id=current[2], scores=scores))
            current, scores = (card_id, judge_id, entry_id), {}
        value = decimals.get(text)
        if value is None:
            value = decimals[text] = Decimal(text)
        scores[criterion_id] = value
    if current is not None:
        cards.append(Card(judge_id=current[1], entry_id=current[2], scores=scores))
    return cards


def _compute_results(round_: Round) -> RoundResults:
    criteria = selectors.criteria_of(round_)
    cards = submitted_cards(round_)
    tracks = dict(Entry.objects.filter(event_id=round_.event_id).values_list("pk", "track_id"))
    groups = {card.entry_id: tracks[card.entry_id] or 0 for card in cards}  # 0: an entry without a track
    try:
        by_method = aggregate_all(
            criteria=criterion_specs(round_, criteria),
            cards=cards,
            tie_break_criterion=round_.tie_break_criterion_id,
            groups=groups,
        )
    except AggregationError as exc:
        return RoundResults(by_method={}, error_code=exc.code, error_detail=str(exc))
    return RoundResults(by_method=by_method)


_results_cache: OrderedDict[tuple, RoundResults] = OrderedDict()
_results_cache_lock = threading.Lock()


def results_compute(round_: Round) -> RoundResults:
    """The round's results under every method, cached in this process until a card or the set-up changes.

    The cache is per process, not shared: unpickling thousands of entry results from a shared
    cache costs about as much as computing them. The key holds the round's ``results_version``,
    which every change that alters results bumps in its own transaction, so a stale result is
    never served; each process computes a round once per version.
    """
    version = Round.objects.filter(pk=round_.pk).values_list("results_version", flat=True).get()
    key = (round_.pk, round_.created_at, version)
    with _results_cache_lock:
        results = _results_cache.get(key)
        if results is not None:
            _results_cache.move_to_end(key)
            return results
    results = _compute_results(round_)
    with _results_cache_lock:
        _results_cache[key] = results
        while len(_results_cache) > RESULTS_CACHE_ROUNDS:
            _results_cache.popitem(last=False)
    return results


def results_cache_clear() -> None:
    """Forget every cached result in this process (benchmarks measure the cold path with it)."""
    with _results_cache_lock:
        _results_cache.clear()


def round_results(*, round: Round, viewer: User) -> RoundResults:
    """The full results (organisers only; everyone else waits for the release)."""
    require(viewer, "judging.view_results", round.event)
    return results_compute(round)


# --- The round's standing: judges' results with the audience vote and a live signal weighed in ----------

SIGNAL_COUNTS = {
    Round.SignalsMeasure.INTERESTED: lambda evidence: evidence.interest_clicks,
    Round.SignalsMeasure.QUESTION_VOTES: lambda evidence: evidence.question_votes,
    Round.SignalsMeasure.REACTIONS: lambda evidence: evidence.reaction_total,
    Round.SignalsMeasure.PEAK_VIEWERS: lambda evidence: evidence.peak_viewers,
}


def signal_count(evidence: PitchEvidence | None, measure: str) -> int:
    """The round's chosen live signal in an entry's evidence (0 when it did not pitch)."""
    return 0 if evidence is None else SIGNAL_COUNTS[Round.SignalsMeasure(measure)](evidence)


def _audience_counts(round_: Round) -> dict[int, int]:
    """Votes per entry in the round's audience award (two queries); refused when the award is gone."""
    award = Award.objects.filter(
        pk=round_.audience_award_id, event_id=round_.event_id, kind=Award.Kind.AUDIENCE
    ).first()
    if award is None:
        raise ValidationError(
            _(
                "This round counts the audience vote at %(weight)s %%, but its audience award is gone or is "
                "no longer an audience vote. Choose one in the round's set-up, or set the weight to 0."
            )
            % {"weight": plain(round_.audience_weight)},
            code="no_audience_award",
        )
    return vote_counts(award)


def round_standing(round_: Round, *, method: str | None = None, results: RoundResults | None = None) -> Standing:
    """The round's standing under ``method`` (default: the round's own): the judges' results, with the
    audience vote and the chosen live signal weighed in when the organiser gave them a weight.

    With both weights 0 it is the judges' ranking exactly. Otherwise each entry's votes and signal
    are read fresh (a constant number of queries, however many entries) and put on the round's
    scale by ``judging.weights.blend``. Raises ``ValidationError`` when the results cannot be
    computed or the weighted audience award is gone.
    """
    results = results if results is not None else results_compute(round_)
    if results.error:
        raise ValidationError(results.error, code="no_results")
    result = results.of(method or round_.method)
    audience_counts: dict[int, int] = {}
    signal_counts: dict[int, int] = {}
    if round_.audience_weight > 0:
        audience_counts = _audience_counts(round_)
    if round_.signals_weight > 0:
        evidence = pitch_signals_of_entries(event=round_.event, entry_ids=list(result.entries))
        signal_counts = {
            entry_id: signal_count(entry_evidence, round_.signals_measure)
            for entry_id, entry_evidence in evidence.items()
        }
    return blend(
        result,
        tie_break_criterion=round_.tie_break_criterion_id,
        audience_weight=round_.audience_weight,
        audience_counts=audience_counts,
        signals_weight=round_.signals_weight,
        signal_counts=signal_counts,
    )


# --- Advancement and release --------------------------------------------------------------------


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
