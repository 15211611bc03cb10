"""A round's standing with the audience vote and a live signal weighed in: pure and typed, no Django.

The judges' result (:class:`judging.aggregation.RoundResult`) is never changed. When the organiser
gives the audience vote or a live signal of the roadshow rooms a weight, :func:`blend` puts the
extra components beside each entry's judges' value and ranks the entries by the weighted total.
The rules, as organisers read them:

Components
    Each extra component is a count per entry (audience votes; people interested, question votes,
    reactions or peak viewers). It is put on the round's scale relative to the best entry:
    ``scale_min + count / highest × (scale_max − scale_min)``, where ``highest`` is the highest
    count among the round's scored entries (entries without a count have 0). When every count is
    0, every entry gets ``scale_min``. A component with weight 0 is left out (``None``).

Total
    ``(100 − wa − ws) / 100 × judges' value + wa / 100 × audience + ws / 100 × signal``, with the
    weights ``wa`` and ``ws`` in percent: each from 0 to 50, together at most 50, so the judges'
    scores always keep the majority. Computed exactly (fractions), given as a float.

Ranking
    By the total, highest first; ties break as the judges' ranking does (the tie-break criterion's
    mean, then the card count), then by the judges' value (for ``JUDGE_NORMALISED`` the mean
    z-score it is ranked by). Entries equal on all of these share a rank, the next rank skips
    (1, 2, 2, 4). Overall and within each group, as in the judges' result.

Weights 0
    With both weights 0 the standing *is* the judges' ranking: the same order, ranks and values.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .aggregation import CriterionId, EntryId, EntryResult, GroupId, Method, Number, RoundResult

EXTRA_WEIGHT_MAX = 50  # percent: the audience vote and a live signal together; judges keep the majority


class WeightError(ValueError):
    """Weights outside the rules: ``code`` is ``weight_range``, ``weights_sum`` or ``negative_count``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Component:
    """One extra part of an entry's total: the raw count and the count put on the round's scale."""

    count: int
    value: float


@dataclass(frozen=True, slots=True)
class StandingEntry:
    """One entry's total (``value``) and its parts; ``result`` is the judges' result, unchanged."""

    entry_id: EntryId
    group: GroupId | None
    value: float
    judges_value: float
    card_count: int
    result: EntryResult
    audience: Component | None
    signal: Component | None


@dataclass(frozen=True, slots=True)
class StandingPlace:
    """One place in the standing: entries equal on every ranking key share ``rank``."""

    rank: int
    entry: StandingEntry


@dataclass(frozen=True, slots=True)
class Standing:
    """The round's standing: ``entries`` and ``overall`` in overall rank order; weights in percent."""

    judges: RoundResult
    audience_weight: float
    signals_weight: float
    entries: Mapping[EntryId, StandingEntry]
    overall: tuple[StandingPlace, ...]
    by_group: Mapping[GroupId, tuple[StandingPlace, ...]]

    @property
    def judges_weight(self) -> float:
        return 100 - self.audience_weight - self.signals_weight

    @property
    def weighted(self) -> bool:
        return self.audience_weight > 0 or self.signals_weight > 0


def _percent(weight: Number, *, what: str) -> Fraction:
    if isinstance(weight, bool) or not isinstance(weight, int | float | Decimal | Fraction):
        raise WeightError("weight_range", f"The {what} weight must be a number, got {weight!r}.")
    exact = Fraction(repr(weight)) if isinstance(weight, float) else Fraction(weight)
    if not 0 <= exact <= EXTRA_WEIGHT_MAX:
        raise WeightError("weight_range", f"The {what} weight must lie between 0 and 50 %, got {float(exact):g} %.")
    return exact


def _on_scale(
    counts: Mapping[EntryId, int], entry_ids: list[EntryId], low: Fraction, high: Fraction, *, what: str
) -> dict[EntryId, tuple[int, Fraction]]:
    """Each entry's count and that count put on the scale relative to the highest one."""
    read = {entry_id: counts.get(entry_id, 0) for entry_id in entry_ids}
    negative = [entry_id for entry_id, count in read.items() if count < 0]
    if negative:
        raise WeightError("negative_count", f"The {what} counts cannot be negative (entries {negative!r}).")
    highest = max(read.values(), default=0)
    if highest == 0:
        return {entry_id: (count, low) for entry_id, count in read.items()}
    return {entry_id: (count, low + Fraction(count, highest) * (high - low)) for entry_id, count in read.items()}


def _rank(lines: Mapping[EntryId, StandingEntry], keys: Mapping[EntryId, tuple]) -> tuple[StandingPlace, ...]:
    """Competition ranking by ``keys`` (each part highest first); equal keys share a rank."""
    order = sorted(lines, key=lambda entry_id: (tuple(-part for part in keys[entry_id]), entry_id))
    places: list[StandingPlace] = []
    for position, entry_id in enumerate(order, start=1):
        shares_rank = bool(places) and keys[entry_id] == keys[places[-1].entry.entry_id]
        places.append(StandingPlace(rank=places[-1].rank if shares_rank else position, entry=lines[entry_id]))
    return tuple(places)


def _unweighted(result: RoundResult) -> Standing:
    """The judges' ranking itself, in the standing's shape."""
    lines = {
        entry_id: StandingEntry(
            entry_id=entry_id,
            group=entry.group,
            value=entry.value,
            judges_value=entry.value,
            card_count=entry.card_count,
            result=entry,
            audience=None,
            signal=None,
        )
        for entry_id, entry in result.entries.items()
    }

    def places(ranking) -> tuple[StandingPlace, ...]:
        return tuple(StandingPlace(rank=ranked.rank, entry=lines[ranked.entry.entry_id]) for ranked in ranking)

    return Standing(
        judges=result,
        audience_weight=0.0,
        signals_weight=0.0,
        entries=lines,
        overall=places(result.overall),
        by_group={group: places(ranking) for group, ranking in result.by_group.items()},
    )


def blend(
    result: RoundResult,
    *,
    tie_break_criterion: CriterionId | None = None,
    audience_weight: Number = 0,
    audience_counts: Mapping[EntryId, int] | None = None,
    signals_weight: Number = 0,
    signal_counts: Mapping[EntryId, int] | None = None,
) -> Standing:
    """The round's standing with the audience vote and a live signal weighed in (see the module docstring).

    ``tie_break_criterion`` must be the one the judges' result was ranked with. Counts missing
    for an entry are 0. Weights outside the rules, or negative counts, raise :class:`WeightError`.
    """
    audience = _percent(audience_weight, what="audience vote")
    signals = _percent(signals_weight, what="live signal")
    if audience + signals > EXTRA_WEIGHT_MAX:
        raise WeightError(
            "weights_sum",
            "The audience vote and the live signal together may weigh at most 50 %, "
            f"got {float(audience + signals):g} %.",
        )
    if audience == 0 and signals == 0:
        return _unweighted(result)

    low, high = Fraction(result.scale_min), Fraction(result.scale_max)
    entry_ids = list(result.entries)
    audience_parts = _on_scale(audience_counts or {}, entry_ids, low, high, what="audience vote") if audience else {}
    signal_parts = _on_scale(signal_counts or {}, entry_ids, low, high, what="live signal") if signals else {}
    judges_share = (100 - audience - signals) / 100
    lines: dict[EntryId, StandingEntry] = {}
    keys: dict[EntryId, tuple] = {}
    for entry_id, entry in result.entries.items():
        # The float value is exact as a binary fraction: equal values give equal totals.
        total = judges_share * Fraction(entry.value)
        audience_part = signal_part = None
        if audience:
            count, on_scale = audience_parts[entry_id]
            total += audience / 100 * on_scale
            audience_part = Component(count=count, value=float(on_scale))
        if signals:
            count, on_scale = signal_parts[entry_id]
            total += signals / 100 * on_scale
            signal_part = Component(count=count, value=float(on_scale))
        tie_break = 0.0 if tie_break_criterion is None else entry.criterion_means[tie_break_criterion]
        judges_key = entry.mean_z if result.method is Method.JUDGE_NORMALISED else entry.value
        keys[entry_id] = (total, tie_break, entry.card_count, judges_key)
        lines[entry_id] = StandingEntry(
            entry_id=entry_id,
            group=entry.group,
            value=float(total),
            judges_value=entry.value,
            card_count=entry.card_count,
            result=entry,
            audience=audience_part,
            signal=signal_part,
        )
    overall = _rank(lines, keys)
    by_group = {
        group: _rank({entry_id: line for entry_id, line in lines.items() if line.group == group}, keys)
        for group in result.by_group
    }
    return Standing(
        judges=result,
        audience_weight=float(audience),
        signals_weight=float(signals),
        entries={place.entry.entry_id: place.entry for place in overall},
        overall=overall,
        by_group=by_group,
    )
