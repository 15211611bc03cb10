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
    already). Totals, means, medians, variances and threshold comparisons are exact: the round's
    scores are written as integers over their common denominator, and totals over that times the
    weights' one, so equal totals tie exactly and the order of the input never matters; each float
    result is one correctly rounded division of exact integers. Only square roots (standard
    deviations, z-scores, Spearman with ties) are floating point. Results are floats and are never
    rounded here: round for display only. :func:`aggregate_all` computes several methods from one
    reading of the cards (a round of 2,273 entries × 5 judges × 6 criteria takes well under a second).

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
# Ranking key: (value, or mean z-score for JUDGE_NORMALISED; tie-break criterion mean; card count). Values
# and means are exact integers over one denominator shared by all entries, so they compare exactly and fast.
RankKey: TypeAlias = tuple[int | float, int, int]

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


@dataclass(frozen=True, slots=True)
class _IntCard:
    """A validated card in integers: each score is ``score × score_unit``, the total ``total × total_unit``."""

    judge_id: JudgeId
    entry_id: EntryId
    scores: dict[CriterionId, int]
    total: int


@dataclass(frozen=True, slots=True)
class _CardTable:
    """A round's validated cards by entry, then by judge, both in id order, as exact integers.

    Every score shares the denominator ``score_unit`` and every total ``total_unit``, so sums,
    comparisons and variances are integer arithmetic, and a float is one correctly rounded
    integer division: the same float the exact fraction gives.
    """

    cards_by_entry: dict[EntryId, dict[JudgeId, _IntCard]]
    score_unit: int
    total_unit: int


def _read_scores(card: Card, round_: _Round, exact: dict) -> dict[CriterionId, Fraction]:
    """Validate one card against the round; ``exact`` caches the values already read in this round."""
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
        value = card.scores[criterion_id]
        key = (type(value), value)  # typed: True must never pass as a cached 1
        score = exact.get(key)
        if score is None:
            score = _exact(value, what=f"The score for {criterion_id!r} on the {card_name}")
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
            exact[key] = score
        scores[criterion_id] = score
    return scores


def _read_cards(cards: Iterable[Card], round_: _Round) -> _CardTable:
    """Validate every card, then write the round in integers over common denominators."""
    exact: dict[tuple[type, object], Fraction] = {}
    read: dict[EntryId, dict[JudgeId, dict[CriterionId, Fraction]]] = defaultdict(dict)
    for card in cards:
        scores = _read_scores(card, round_, exact)
        entry_cards = read[card.entry_id]
        if card.judge_id in entry_cards:
            raise AggregationError(
                "duplicate_card",
                f"Judge {card.judge_id!r} has more than one card for entry {card.entry_id!r}.",
                judge=card.judge_id,
                entry=card.entry_id,
            )
        entry_cards[card.judge_id] = scores
    score_unit = math.lcm(1, *{score.denominator for score in exact.values()})
    weight_unit = math.lcm(*(weight.denominator for weight in round_.weights.values()))
    weights = {
        criterion_id: weight.numerator * (weight_unit // weight.denominator)
        for criterion_id, weight in round_.weights.items()
    }
    # Keyed by identity: every score read is one of the cached fractions, and hashing fractions is slow.
    scaled = {id(score): score.numerator * (score_unit // score.denominator) for score in exact.values()}
    cards_by_entry: dict[EntryId, dict[JudgeId, _IntCard]] = {}
    for entry_id in sorted(read):
        entry_cards = read[entry_id]
        cards_by_entry[entry_id] = {}
        for judge_id in sorted(entry_cards):
            scores = {criterion_id: scaled[id(score)] for criterion_id, score in entry_cards[judge_id].items()}
            total = sum(weight * scores[criterion_id] for criterion_id, weight in weights.items())
            cards_by_entry[entry_id][judge_id] = _IntCard(judge_id, entry_id, scores, total)
    return _CardTable(cards_by_entry, score_unit, weight_unit * score_unit)


def judge_total(card: Card, criteria: Sequence[CriterionSpec]) -> float:
    """One card's total, ``Σ weight_i / 100 × score_i``, after validating the card and criteria."""
    table = _read_cards([card], _read_criteria(criteria))
    return table.cards_by_entry[card.entry_id][card.judge_id].total / table.total_unit


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


def _central_value(method: Method, totals: Sequence[int], unit: int) -> tuple[int, int]:
    """The entry's value under the mean-based methods and the median, as an exact (numerator, denominator)."""
    if method is Method.MEDIAN:
        ordered = sorted(totals)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle], unit
        return ordered[middle - 1] + ordered[middle], 2 * unit
    if method is Method.TRIMMED_MEAN and len(totals) >= TRIMMED_MIN_CARDS:
        return sum(sorted(totals)[1:-1]), (len(totals) - 2) * unit
    return sum(totals), len(totals) * unit


def _over_common_denominator(ratios: Mapping[EntryId, tuple[int, int]]) -> dict[EntryId, int]:
    """Exact ratios rewritten as numerators over one shared denominator, which keeps their order and ties."""
    common = math.lcm(1, *{denominator for _numerator, denominator in ratios.values()})
    return {key: numerator * (common // denominator) for key, (numerator, denominator) in ratios.items()}


def _variance_ratio(values: Sequence[int], unit: int) -> tuple[int, int]:
    """The population variance of ``values / unit`` as an exact (numerator, denominator) pair."""
    count = len(values)
    total = sum(values)
    return count * sum(value * value for value in values) - total * total, count * count * unit * unit


def _mean_z_scores(table: _CardTable) -> dict[EntryId, float]:
    """Each entry's mean z-score; each judge is standardised over their own cards in the round."""
    totals_by_judge: dict[JudgeId, list[int]] = defaultdict(list)
    for entry_cards in table.cards_by_entry.values():
        for card in entry_cards.values():
            totals_by_judge[card.judge_id].append(card.total)
    # Per judge: (card count, sum of totals, standard deviation), or None when the judge's totals
    # carry no ranking information (one card, or all equal); such cards count as z = 0.
    standardisers: dict[JudgeId, tuple[int, int, float] | None] = {}
    for judge_id, totals in totals_by_judge.items():
        if min(totals) == max(totals):
            standardisers[judge_id] = None
        else:
            numerator, denominator = _variance_ratio(totals, table.total_unit)
            standardisers[judge_id] = (len(totals), sum(totals), math.sqrt(numerator / denominator))
    mean_z: dict[EntryId, float] = {}
    for entry_id, entry_cards in table.cards_by_entry.items():
        z_scores = []
        for card in entry_cards.values():
            standardiser = standardisers[card.judge_id]
            if standardiser is None:
                z_scores.append(0.0)
            else:
                count, total, std = standardiser
                # (total_card − judge mean) exactly, as one correctly rounded division.
                z_scores.append(((count * card.total - total) / (count * table.total_unit)) / std)
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


@dataclass(frozen=True, slots=True)
class _JudgeStats:
    """What does not depend on the method: the judge's entries (in id order), totals and leniency."""

    entry_ids: list[EntryId]
    totals: list[int]
    mean_total: float
    leniency: float


def _judge_stats(table: _CardTable) -> dict[JudgeId, _JudgeStats]:
    unit = table.total_unit
    panel = {
        entry_id: (len(cards), sum(card.total for card in cards.values()))
        for entry_id, cards in table.cards_by_entry.items()
    }
    cards_by_judge: dict[JudgeId, list[_IntCard]] = defaultdict(list)
    for entry_cards in table.cards_by_entry.values():  # entries in id order
        for card in entry_cards.values():
            cards_by_judge[card.judge_id].append(card)
    stats: dict[JudgeId, _JudgeStats] = {}
    for judge_id in sorted(cards_by_judge):
        judge_cards = cards_by_judge[judge_id]
        totals = [card.total for card in judge_cards]
        # Σ (total − panel mean) exactly: group the differences by the panel size they are divided by.
        offsets: dict[int, int] = defaultdict(int)
        for card in judge_cards:
            count, panel_total = panel[card.entry_id]
            offsets[count] += count * card.total - panel_total
        offset = sum((Fraction(value, count) for count, value in offsets.items()), Fraction(0))
        stats[judge_id] = _JudgeStats(
            entry_ids=[card.entry_id for card in judge_cards],
            totals=totals,
            mean_total=sum(totals) / (len(totals) * unit),
            leniency=float(offset / (len(judge_cards) * unit)),
        )
    return stats


def _judge_reports(
    judges: Mapping[JudgeId, _JudgeStats], overall_ranks: Mapping[EntryId, int]
) -> dict[JudgeId, JudgeReport]:
    return {
        judge_id: JudgeReport(
            judge_id=judge_id,
            cards_done=len(judge.totals),
            mean_total=judge.mean_total,
            leniency=judge.leniency,
            # A better consensus rank is a smaller number: negate it so both sides rank high-is-good.
            spearman=_rank_correlation(judge.totals, [-overall_ranks[entry_id] for entry_id in judge.entry_ids]),
        )
        for judge_id, judge in judges.items()
    }


@dataclass(frozen=True, slots=True)
class _EntryStats:
    """What does not depend on the method: totals, criterion means, spread, disagreement."""

    totals: list[int]
    criterion_means: dict[CriterionId, float]
    tie_break: int  # the tie-break criterion's mean over a denominator shared by all entries (0: none)
    judge_totals: dict[JudgeId, float]
    spread_range: float
    spread_std: float
    disagreement: bool


def _entry_stats(
    table: _CardTable,
    round_: _Round,
    tie_break_criterion: CriterionId | None,
    limits: tuple[Fraction | None, Fraction | None],
) -> dict[EntryId, _EntryStats]:
    variance_limit, range_limit = limits
    unit, score_unit = table.total_unit, table.score_unit
    tie_breaks = _over_common_denominator(
        {
            entry_id: (
                0 if tie_break_criterion is None else sum(c.scores[tie_break_criterion] for c in cards.values()),
                len(cards),
            )
            for entry_id, cards in table.cards_by_entry.items()
        }
    )
    stats: dict[EntryId, _EntryStats] = {}
    for entry_id, entry_cards in table.cards_by_entry.items():
        totals = [card.total for card in entry_cards.values()]
        count = len(totals)
        sums = {
            criterion_id: sum(card.scores[criterion_id] for card in entry_cards.values())
            for criterion_id in round_.weights
        }
        numerator, denominator = _variance_ratio(totals, unit)
        spread = max(totals) - min(totals)
        stats[entry_id] = _EntryStats(
            totals=totals,
            criterion_means={criterion_id: value / (count * score_unit) for criterion_id, value in sums.items()},
            tie_break=tie_breaks[entry_id],
            judge_totals={judge_id: card.total / unit for judge_id, card in entry_cards.items()},
            spread_range=spread / unit,
            spread_std=math.sqrt(numerator / denominator),
            disagreement=(
                variance_limit is not None
                and numerator * variance_limit.denominator > variance_limit.numerator * denominator
            )
            or (range_limit is not None and spread * range_limit.denominator > range_limit.numerator * unit),
        )
    return stats


def _round_result(
    method: Method,
    table: _CardTable,
    round_: _Round,
    stats: Mapping[EntryId, _EntryStats],
    judges: Mapping[JudgeId, _JudgeStats],
    groups: Mapping[EntryId, GroupId] | None,
) -> RoundResult:
    unit = table.total_unit
    mean_z: dict[EntryId, float] = {}
    round_mean = round_std = 0.0
    if method is Method.JUDGE_NORMALISED and table.cards_by_entry:
        mean_z = _mean_z_scores(table)
        all_totals = [total for entry in stats.values() for total in entry.totals]
        round_mean = sum(all_totals) / (len(all_totals) * unit)
        numerator, denominator = _variance_ratio(all_totals, unit)
        round_std = math.sqrt(numerator / denominator)

    central: dict[EntryId, tuple[int, int]] = {}
    primary: dict[EntryId, int | float] = mean_z
    if method is not Method.JUDGE_NORMALISED:
        central = {entry_id: _central_value(method, entry.totals, unit) for entry_id, entry in stats.items()}
        primary = _over_common_denominator(central)
    results: dict[EntryId, EntryResult] = {}
    keys: dict[EntryId, RankKey] = {}
    for entry_id, entry in stats.items():
        if method is Method.JUDGE_NORMALISED:
            value = min(float(round_.high), max(float(round_.low), round_mean + mean_z[entry_id] * round_std))
        else:
            numerator, denominator = central[entry_id]
            value = numerator / denominator  # correctly rounded, as float(Fraction) is
        keys[entry_id] = (primary[entry_id], entry.tie_break, len(entry.totals))
        results[entry_id] = EntryResult(
            entry_id=entry_id,
            group=None if groups is None else groups[entry_id],
            value=value,
            card_count=len(entry.totals),
            criterion_means=entry.criterion_means,
            judge_totals=entry.judge_totals,
            spread_range=entry.spread_range,
            spread_std=entry.spread_std,
            disagreement=entry.disagreement,
            trimmed=method is Method.TRIMMED_MEAN and len(entry.totals) >= TRIMMED_MIN_CARDS,
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
        judges=_judge_reports(judges, {ranked.entry.entry_id: ranked.rank for ranked in overall}),
    )


def aggregate_all(
    *,
    criteria: Sequence[CriterionSpec],
    cards: Iterable[Card],
    methods: Iterable[Method | str] = tuple(Method),
    tie_break_criterion: CriterionId | None = None,
    groups: Mapping[EntryId, GroupId] | None = None,
    disagreement: DisagreementRule = DEFAULT_DISAGREEMENT,
) -> dict[Method, RoundResult]:
    """:func:`aggregate` under several methods at once (all by default), reading the cards once."""
    methods = [Method(method) for method in methods]
    round_ = _read_criteria(criteria)
    if tie_break_criterion is not None and tie_break_criterion not in round_.weights:
        raise AggregationError(
            "unknown_tie_break",
            f"The tie-break criterion {tie_break_criterion!r} is not a criterion of this round.",
            criterion=tie_break_criterion,
        )
    limits = _disagreement_limits(disagreement, round_)
    table = _read_cards(cards, round_)
    if groups is not None:
        ungrouped = [entry_id for entry_id in table.cards_by_entry if entry_id not in groups]
        if ungrouped:
            raise AggregationError(
                "missing_group",
                f"Entries without a group: {', '.join(map(repr, ungrouped))}.",
                entries=ungrouped,
            )
    stats = _entry_stats(table, round_, tie_break_criterion, limits)
    judges = _judge_stats(table)
    return {method: _round_result(method, table, round_, stats, judges, groups) for method in methods}


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
    return aggregate_all(
        criteria=criteria,
        cards=cards,
        methods=[method],
        tie_break_criterion=tie_break_criterion,
        groups=groups,
        disagreement=disagreement,
    )[method]
