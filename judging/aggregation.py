"""Aggregation and ranking of one judging round: pure and typed, no Django, no database.

The judging services read a round's criteria and submitted scorecards, describe them with
:class:`CriterionSpec` and :class:`Card`, and call :func:`aggregate`. The :class:`RoundResult`
it returns holds each entry's value and statistics, the rankings overall and per group (track),
and one report per judge. The rules, as organisers read them:

Judge total
    A card's total is ``Σ weight_i / 100 × score_i``. Weights are percentages that sum to 100
    (0 is allowed: a criterion kept only to break ties), and all criteria of a round share the
    round's scale (``scale_min`` to ``scale_max``), so every total lies on that scale too.

Methods (:class:`Method`, chosen per round)
    ``WEIGHTED_MEAN``     the mean of the entry's judge totals.
    ``TRIMMED_MEAN``      drop one highest and one lowest total ("去掉一个最高分和一个最低分") and
                          take the mean of the rest. With 1 or 2 cards nothing can be dropped: the
                          value is the plain mean and the entry's ``trimmed`` is False.
    ``MEDIAN``            the median of the totals (the mean of the middle two for an even count).
    ``JUDGE_NORMALISED``  each judge's totals become z-scores within the round (mean and population
                          standard deviation over that judge's cards in the round), so a harsh and
                          a generous judge count alike. The entry's score is the mean of its
                          z-scores; its value is that score put back on the scale,
                          ``mean of all totals in the round + z × their population standard
                          deviation``, clamped to the scale. A judge with a single card, or whose
                          totals are all equal, carries no ranking information: their cards count
                          as z = 0.

Per entry
    value, card count, per-criterion means (over all cards, under every method), the spread of
    the judge totals (range and population standard deviation), and a disagreement flag
    (:class:`DisagreementRule`; by default: the standard deviation of the totals exceeds 15 % of
    the scale's width).

Ranking
    By value, highest first; for ``JUDGE_NORMALISED`` by the unclamped mean z-score behind the
    value, so clamping at the top or bottom of the scale never merges entries. Ties break by the
    mean of a named criterion (highest first), then by card count (most first). Entries equal on
    all of these share a rank and the next rank skips ("competition ranking": 1, 2, 2, 4); within
    a shared rank entries are listed by entry id. Entries are ranked overall and within each group.

Per judge
    cards done, mean total, leniency (the mean of ``their total − panel mean`` over the entries
    they scored, where the panel mean is the plain mean of all judges' totals for that entry,
    theirs included) and the Spearman rank correlation between their order of those entries
    (by their totals) and the consensus order (the overall ranking) — None with fewer than 3
    entries, or when either order is one big tie.

Arithmetic
    Scores, weights and thresholds are read exactly as the decimals they are written as (a float
    is read as its shortest repr, so ``0.1`` is one tenth; ``Decimal`` and ``Fraction`` are exact
    already). Totals, means, medians, variances and threshold comparisons are exact fractions, so
    equal totals tie exactly and the order of the input never matters. Only square roots
    (standard deviations, z-scores, Spearman with ties) are floating point. Results are floats
    and are never rounded here: round for display only.

Entries without any card are not in the result; the caller decides how to show them. Invalid
input raises :class:`AggregationError`, a ``ValueError`` whose ``code`` and ``params`` let the
caller word the problem in the user's language (``str()`` is an English sentence).
"""

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import groupby
from typing import TypeAlias

Number: TypeAlias = int | float | Decimal | Fraction
JudgeId: TypeAlias = int | str
EntryId: TypeAlias = int | str
CriterionId: TypeAlias = int | str
GroupId: TypeAlias = int | str  # ids of one kind must be mutually orderable: results list them in id order
# Ranking key: (value, or mean z-score for JUDGE_NORMALISED; tie-break criterion mean; card count).
RankKey: TypeAlias = tuple[Fraction | float, Fraction, int]

TRIMMED_MIN_CARDS = 3  # fewer cannot lose a highest and a lowest and keep one
SPEARMAN_MIN_ENTRIES = 3


class Method(StrEnum):
    """How a round turns its judge totals into one value per entry (the organiser's choice)."""

    WEIGHTED_MEAN = "weighted_mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"
    JUDGE_NORMALISED = "judge_normalised"


class AggregationError(ValueError):
    """Invalid round input.

    ``code`` names the problem (``no_criteria``, ``duplicate_criterion``, ``not_a_number``,
    ``negative_weight``, ``bad_scale``, ``mixed_scales``, ``weights_sum``, ``unknown_criteria``,
    ``missing_criteria``, ``score_out_of_scale``, ``duplicate_card``, ``unknown_tie_break``,
    ``missing_group``, ``negative_threshold``, ``length_mismatch``) and ``params`` its details.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    """One criterion of a round: its weight in percent and the round's scale."""

    id: CriterionId
    weight: Number
    scale_max: Number
    scale_min: Number = 0


@dataclass(frozen=True, slots=True)
class Card:
    """One judge's scores for one entry, a score for every criterion of the round."""

    judge_id: JudgeId
    entry_id: EntryId
    scores: Mapping[CriterionId, Number]


@dataclass(frozen=True, slots=True)
class DisagreementRule:
    """When an entry's judges disagree strongly, as fractions of the scale's width.

    The entry is flagged when the population standard deviation of its judge totals exceeds
    ``std_fraction`` of the width, or their range (highest − lowest) exceeds ``range_fraction``
    of it; ``None`` switches a test off. The default uses the standard deviation only: it
    reflects the whole panel, whereas the range reacts to a single outlier — the very card a
    trimmed mean already drops. (Both at once add little: the standard deviation is at most
    half the range, so ``std > 15 %`` already implies ``range > 30 %``.) A single card is
    never flagged.
    """

    std_fraction: Number | None = 0.15
    range_fraction: Number | None = None


DEFAULT_DISAGREEMENT = DisagreementRule()


@dataclass(frozen=True, slots=True)
class EntryResult:
    """One entry's outcome; ``judge_totals`` maps each judge to their total for the entry."""

    entry_id: EntryId
    group: GroupId | None
    value: float
    card_count: int
    criterion_means: Mapping[CriterionId, float]
    judge_totals: Mapping[JudgeId, float]
    spread_range: float
    spread_std: float
    disagreement: bool
    trimmed: bool
    mean_z: float | None  # JUDGE_NORMALISED only: the score the entry is ranked by


@dataclass(frozen=True, slots=True)
class RankedEntry:
    """One place in a ranking: entries sharing all ranking keys share ``rank``."""

    rank: int
    entry: EntryResult


@dataclass(frozen=True, slots=True)
class JudgeReport:
    """How one judge scored: ``leniency`` > 0 means above the panel, ``spearman`` their agreement with its order."""

    judge_id: JudgeId
    cards_done: int
    mean_total: float
    leniency: float
    spearman: float | None


@dataclass(frozen=True, slots=True)
class RoundResult:
    """The whole round: ``entries`` and ``overall`` in overall rank order, groups and judges by id."""

    method: Method
    scale_min: float
    scale_max: float
    entries: Mapping[EntryId, EntryResult]
    overall: tuple[RankedEntry, ...]
    by_group: Mapping[GroupId, tuple[RankedEntry, ...]]
    judges: Mapping[JudgeId, JudgeReport]


@dataclass(frozen=True, slots=True)
class _Round:
    weights: dict[CriterionId, Fraction]  # fractions of 1, in the order the criteria were given
    low: Fraction
    high: Fraction


@dataclass(frozen=True, slots=True)
class _ExactCard:
    judge_id: JudgeId
    entry_id: EntryId
    scores: dict[CriterionId, Fraction]
    total: Fraction


def _exact(value: object, *, what: str) -> Fraction:
    """``value`` as an exact fraction; a float is read as the decimal its repr shows."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        raise AggregationError("not_a_number", f"{what} must be a number, got {value!r}.", what=what, value=value)
    if isinstance(value, Decimal):
        finite = value.is_finite()
    elif isinstance(value, float):
        finite = math.isfinite(value)
    else:
        finite = True
    if not finite:
        raise AggregationError(
            "not_a_number", f"{what} must be a finite number, got {value!r}.", what=what, value=value
        )
    return _fraction(value)


@functools.lru_cache(maxsize=4096)
def _fraction(value: Number) -> Fraction:
    """Cached, because a round repeats the same few scores thousands of times; ``1 == 1.0`` share an entry."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _show(number: Fraction) -> str:
    return f"{float(number):g}"


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _variance(values: Sequence[Fraction]) -> Fraction:
    """Population variance."""
    centre = _mean(values)
    return sum(((value - centre) ** 2 for value in values), Fraction(0)) / len(values)


def _median(values: Sequence[Fraction]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _read_criteria(criteria: Sequence[CriterionSpec]) -> _Round:
    if not criteria:
        raise AggregationError("no_criteria", "A round needs at least one criterion.")
    weights: dict[CriterionId, Fraction] = {}
    scales: set[tuple[Fraction, Fraction]] = set()
    for criterion in criteria:
        if criterion.id in weights:
            raise AggregationError(
                "duplicate_criterion", f"Criterion {criterion.id!r} is listed twice.", criterion=criterion.id
            )
        weight = _exact(criterion.weight, what=f"The weight of criterion {criterion.id!r}")
        if weight < 0:
            raise AggregationError(
                "negative_weight",
                f"The weight of criterion {criterion.id!r} is {_show(weight)} %; weights cannot be negative.",
                criterion=criterion.id,
                weight=float(weight),
            )
        low = _exact(criterion.scale_min, what=f"The scale minimum of criterion {criterion.id!r}")
        high = _exact(criterion.scale_max, what=f"The scale maximum of criterion {criterion.id!r}")
        if high <= low:
            raise AggregationError(
                "bad_scale",
                f"Criterion {criterion.id!r} has the scale {_show(low)}–{_show(high)}; "
                "its maximum must be above its minimum.",
                criterion=criterion.id,
                scale_min=float(low),
                scale_max=float(high),
            )
        weights[criterion.id] = weight / 100
        scales.add((low, high))
    if len(scales) > 1:
        shown = ", ".join(f"{_show(low)}–{_show(high)}" for low, high in sorted(scales))
        raise AggregationError(
            "mixed_scales", f"All criteria of a round must share one scale, got {shown}.", scales=sorted(scales)
        )
    weight_sum = sum(weights.values(), Fraction(0)) * 100
    if weight_sum != 100:
        raise AggregationError(
            "weights_sum",
            f"Criterion weights must sum to 100 %, they sum to {_show(weight_sum)} %.",
            weight_sum=float(weight_sum),
        )
    ((low, high),) = scales
    return _Round(weights=weights, low=low, high=high)


def _read_card(card: Card, round_: _Round) -> _ExactCard:
    card_name = f"card of judge {card.judge_id!r} for entry {card.entry_id!r}"
    unknown = [criterion_id for criterion_id in card.scores if criterion_id not in round_.weights]
    if unknown:
        raise AggregationError(
            "unknown_criteria",
            f"The {card_name} scores criteria that are not in the round: {', '.join(map(repr, unknown))}.",
            judge=card.judge_id,
            entry=card.entry_id,
            criteria=unknown,
        )
    missing = [criterion_id for criterion_id in round_.weights if criterion_id not in card.scores]
    if missing:
        raise AggregationError(
            "missing_criteria",
            f"The {card_name} has no score for {', '.join(map(repr, missing))}.",
            judge=card.judge_id,
            entry=card.entry_id,
            criteria=missing,
        )
    scores: dict[CriterionId, Fraction] = {}
    for criterion_id in round_.weights:
        score = _exact(card.scores[criterion_id], what=f"The score for {criterion_id!r} on the {card_name}")
        if not round_.low <= score <= round_.high:
            raise AggregationError(
                "score_out_of_scale",
                f"The {card_name} scores {criterion_id!r} {_show(score)}, "
                f"outside the scale {_show(round_.low)}–{_show(round_.high)}.",
                judge=card.judge_id,
                entry=card.entry_id,
                criterion=criterion_id,
                score=float(score),
            )
        scores[criterion_id] = score
    total = sum((weight * scores[criterion_id] for criterion_id, weight in round_.weights.items()), Fraction(0))
    return _ExactCard(judge_id=card.judge_id, entry_id=card.entry_id, scores=scores, total=total)


def judge_total(card: Card, criteria: Sequence[CriterionSpec]) -> float:
    """One card's total, ``Σ weight_i / 100 × score_i``, after validating the card and criteria."""
    return float(_read_card(card, _read_criteria(criteria)).total)


def _threshold(fraction: Number | None, *, name: str) -> Fraction | None:
    if fraction is None:
        return None
    exact = _exact(fraction, what=f"The disagreement {name}")
    if exact < 0:
        raise AggregationError(
            "negative_threshold",
            f"The disagreement {name} cannot be negative, got {_show(exact)}.",
            name=name,
            value=float(exact),
        )
    return exact


def _disagreement_limits(rule: DisagreementRule, round_: _Round) -> tuple[Fraction | None, Fraction | None]:
    """The rule's limits on the scale: (variance limit, range limit), None where a test is off."""
    width = round_.high - round_.low
    std_fraction = _threshold(rule.std_fraction, name="standard deviation fraction")
    range_fraction = _threshold(rule.range_fraction, name="range fraction")
    return (
        None if std_fraction is None else (std_fraction * width) ** 2,
        None if range_fraction is None else range_fraction * width,
    )


def _central_value(method: Method, totals: Sequence[Fraction]) -> Fraction:
    """The entry's value under the mean-based methods and the median."""
    if method is Method.MEDIAN:
        return _median(totals)
    if method is Method.TRIMMED_MEAN and len(totals) >= TRIMMED_MIN_CARDS:
        return _mean(sorted(totals)[1:-1])
    return _mean(totals)


def _mean_z_scores(cards_by_entry: Mapping[EntryId, Mapping[JudgeId, _ExactCard]]) -> dict[EntryId, float]:
    """Each entry's mean z-score; each judge is standardised over their own cards in the round."""
    totals_by_judge: dict[JudgeId, list[Fraction]] = defaultdict(list)
    for entry_cards in cards_by_entry.values():
        for card in entry_cards.values():
            totals_by_judge[card.judge_id].append(card.total)
    # Per judge: (mean, standard deviation), or None when the judge's totals carry no ranking
    # information (one card, or all equal); such cards count as z = 0.
    standardisers: dict[JudgeId, tuple[Fraction, float] | None] = {
        judge_id: None if min(totals) == max(totals) else (_mean(totals), math.sqrt(_variance(totals)))
        for judge_id, totals in totals_by_judge.items()
    }
    mean_z: dict[EntryId, float] = {}
    for entry_id, entry_cards in cards_by_entry.items():
        z_scores = []
        for card in entry_cards.values():
            standardiser = standardisers[card.judge_id]
            z_scores.append(0.0 if standardiser is None else float(card.total - standardiser[0]) / standardiser[1])
        # fsum: the exactly rounded sum, whatever the order of the terms.
        mean_z[entry_id] = math.fsum(z_scores) / len(z_scores)
    return mean_z


def _rank(results: Mapping[EntryId, EntryResult], keys: Mapping[EntryId, RankKey]) -> tuple[RankedEntry, ...]:
    """Competition ranking of ``results`` by ``keys`` (each part highest first); equal keys share a rank."""
    order = sorted(results, key=lambda entry_id: (tuple(-part for part in keys[entry_id]), entry_id))
    ranked: list[RankedEntry] = []
    for position, entry_id in enumerate(order, start=1):
        shares_rank = bool(ranked) and keys[entry_id] == keys[ranked[-1].entry.entry_id]
        ranked.append(RankedEntry(rank=ranked[-1].rank if shares_rank else position, entry=results[entry_id]))
    return tuple(ranked)


def _doubled_average_ranks(values: Sequence[Fraction | int]) -> list[int]:
    """Twice the ranks 1..n from the lowest value, tied values sharing the mean of their positions.

    Doubled, so the half ranks of ties stay integers.
    """
    doubled_ranks = [0] * len(values)
    before = 0
    for _, tied_group in groupby(sorted(range(len(values)), key=values.__getitem__), key=values.__getitem__):
        tied = list(tied_group)
        shared = 2 * before + len(tied) + 1  # twice the mean of positions before+1 .. before+len(tied)
        for index in tied:
            doubled_ranks[index] = shared
        before += len(tied)
    return doubled_ranks


def spearman(xs: Sequence[Number], ys: Sequence[Number]) -> float | None:
    """Spearman's rank correlation of paired values (1: same order, −1: reversed).

    Tied values share their average rank and the correlation is Pearson's on those ranks.
    Returns None for fewer than 3 pairs, or when either side is all ties (no order to compare).
    """
    if len(xs) != len(ys):
        raise AggregationError(
            "length_mismatch",
            f"Spearman needs paired values, got {len(xs)} and {len(ys)}.",
            lengths=(len(xs), len(ys)),
        )
    return _rank_correlation([_exact(x, what="A value") for x in xs], [_exact(y, what="A value") for y in ys])


def _rank_correlation(xs: Sequence[Fraction | int], ys: Sequence[Fraction | int]) -> float | None:
    """:func:`spearman` on exact values of equal length."""
    if len(xs) < SPEARMAN_MIN_ENTRIES:
        return None
    doubled_centre = len(xs) + 1  # twice the mean of any set of average ranks 1..n
    x_offsets = [rank - doubled_centre for rank in _doubled_average_ranks(xs)]
    y_offsets = [rank - doubled_centre for rank in _doubled_average_ranks(ys)]
    # Integer sums: the common factor 4 from doubling cancels in the ratio.
    covariance = sum(x * y for x, y in zip(x_offsets, y_offsets, strict=True))
    x_variance = sum(x * x for x in x_offsets)
    y_variance = sum(y * y for y in y_offsets)
    if x_variance == 0 or y_variance == 0:
        return None
    if x_variance == y_variance:  # always so without ties: then the value is exact
        return covariance / x_variance
    return max(-1.0, min(1.0, covariance / math.sqrt(x_variance * y_variance)))


def _judge_reports(
    cards_by_entry: Mapping[EntryId, Mapping[JudgeId, _ExactCard]], overall_ranks: Mapping[EntryId, int]
) -> dict[JudgeId, JudgeReport]:
    panel_means = {
        entry_id: _mean([card.total for card in cards.values()]) for entry_id, cards in cards_by_entry.items()
    }
    cards_by_judge: dict[JudgeId, list[_ExactCard]] = defaultdict(list)
    for entry_id in sorted(cards_by_entry):
        for card in cards_by_entry[entry_id].values():
            cards_by_judge[card.judge_id].append(card)
    reports: dict[JudgeId, JudgeReport] = {}
    for judge_id in sorted(cards_by_judge):
        judge_cards = cards_by_judge[judge_id]
        totals = [card.total for card in judge_cards]
        reports[judge_id] = JudgeReport(
            judge_id=judge_id,
            cards_done=len(judge_cards),
            mean_total=float(_mean(totals)),
            leniency=float(_mean([card.total - panel_means[card.entry_id] for card in judge_cards])),
            # A better consensus rank is a smaller number: negate it so both sides rank high-is-good.
            spearman=_rank_correlation(totals, [-overall_ranks[card.entry_id] for card in judge_cards]),
        )
    return reports


def _read_cards(cards: Iterable[Card], round_: _Round) -> dict[EntryId, dict[JudgeId, _ExactCard]]:
    """The validated cards by entry, then by judge, both in id order: results never depend on input order."""
    cards_by_entry: dict[EntryId, dict[JudgeId, _ExactCard]] = defaultdict(dict)
    for card in cards:
        exact_card = _read_card(card, round_)
        entry_cards = cards_by_entry[card.entry_id]
        if card.judge_id in entry_cards:
            raise AggregationError(
                "duplicate_card",
                f"Judge {card.judge_id!r} has more than one card for entry {card.entry_id!r}.",
                judge=card.judge_id,
                entry=card.entry_id,
            )
        entry_cards[card.judge_id] = exact_card
    return {
        entry_id: {judge_id: cards_by_entry[entry_id][judge_id] for judge_id in sorted(cards_by_entry[entry_id])}
        for entry_id in sorted(cards_by_entry)
    }


def aggregate(
    *,
    criteria: Sequence[CriterionSpec],
    cards: Iterable[Card],
    method: Method | str,
    tie_break_criterion: CriterionId | None = None,
    groups: Mapping[EntryId, GroupId] | None = None,
    disagreement: DisagreementRule = DEFAULT_DISAGREEMENT,
) -> RoundResult:
    """Aggregate one round's cards into entry values, rankings and judge reports.

    ``method`` is a :class:`Method` or its stored value. ``tie_break_criterion`` names the
    criterion whose mean breaks ties in value (None: straight to card count). ``groups`` maps
    every entry to its group (track) for the per-group rankings; None ranks overall only. The
    rules are in the module docstring; invalid input raises :class:`AggregationError`.
    """
    method = Method(method)
    round_ = _read_criteria(criteria)
    if tie_break_criterion is not None and tie_break_criterion not in round_.weights:
        raise AggregationError(
            "unknown_tie_break",
            f"The tie-break criterion {tie_break_criterion!r} is not a criterion of this round.",
            criterion=tie_break_criterion,
        )
    variance_limit, range_limit = _disagreement_limits(disagreement, round_)

    cards_by_entry = _read_cards(cards, round_)
    if groups is not None:
        ungrouped = [entry_id for entry_id in cards_by_entry if entry_id not in groups]
        if ungrouped:
            raise AggregationError(
                "missing_group",
                f"Entries without a group: {', '.join(map(repr, ungrouped))}.",
                entries=ungrouped,
            )

    mean_z: dict[EntryId, float] = {}
    round_mean = round_std = 0.0
    if method is Method.JUDGE_NORMALISED and cards_by_entry:
        mean_z = _mean_z_scores(cards_by_entry)
        all_totals = [card.total for entry_cards in cards_by_entry.values() for card in entry_cards.values()]
        round_mean = float(_mean(all_totals))
        round_std = math.sqrt(_variance(all_totals))

    results: dict[EntryId, EntryResult] = {}
    keys: dict[EntryId, RankKey] = {}
    for entry_id, entry_cards in cards_by_entry.items():
        totals = [card.total for card in entry_cards.values()]
        variance = _variance(totals)
        spread = max(totals) - min(totals)
        criterion_means = {
            criterion_id: _mean([card.scores[criterion_id] for card in entry_cards.values()])
            for criterion_id in round_.weights
        }
        value: Fraction | float
        if method is Method.JUDGE_NORMALISED:
            value = min(float(round_.high), max(float(round_.low), round_mean + mean_z[entry_id] * round_std))
            primary: Fraction | float = mean_z[entry_id]
        else:
            value = primary = _central_value(method, totals)
        tie_break = Fraction(0) if tie_break_criterion is None else criterion_means[tie_break_criterion]
        keys[entry_id] = (primary, tie_break, len(totals))
        results[entry_id] = EntryResult(
            entry_id=entry_id,
            group=None if groups is None else groups[entry_id],
            value=float(value),
            card_count=len(totals),
            criterion_means={criterion_id: float(mean) for criterion_id, mean in criterion_means.items()},
            judge_totals={judge_id: float(card.total) for judge_id, card in entry_cards.items()},
            spread_range=float(spread),
            spread_std=math.sqrt(variance),
            disagreement=(variance_limit is not None and variance > variance_limit)
            or (range_limit is not None and spread > range_limit),
            trimmed=method is Method.TRIMMED_MEAN and len(totals) >= TRIMMED_MIN_CARDS,
            mean_z=mean_z.get(entry_id),
        )

    overall = _rank(results, keys)
    by_group = {
        group: _rank({entry_id: result for entry_id, result in results.items() if result.group == group}, keys)
        for group in sorted({result.group for result in results.values() if result.group is not None})
    }
    return RoundResult(
        method=method,
        scale_min=float(round_.low),
        scale_max=float(round_.high),
        entries={ranked.entry.entry_id: ranked.entry for ranked in overall},
        overall=overall,
        by_group=by_group,
        judges=_judge_reports(cards_by_entry, {ranked.entry.entry_id: ranked.rank for ranked in overall}),
    )
