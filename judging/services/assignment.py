"""Assignment and conflicts: which judges score which entries, never a judge with a conflict
(declared, own team, or the same organisation as any team member)."""

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from events.services import require
from registration.models import Entry

from .. import selectors, sources
from ..models import Assignment, Conflict, Round, Score, Scorecard


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
        fields_of = sources.expert_fields(judge_ids)

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
