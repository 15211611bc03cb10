"""Results: a round's results under every method from its submitted cards (``judging.aggregation``),
cached per process, and the round's standing with the audience vote and a live signal weighed in."""

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from accounts.models import User
from events.services import require
from registration.models import Entry

from .. import selectors, sources
from ..aggregation import AggregationError, Card, CriterionSpec, RoundResult, aggregate_all
from ..models import Criterion, Round, Score, Scorecard
from ..weights import Standing, blend
from .common import plain

RESULTS_CACHE_ROUNDS = 16  # rounds whose results a process keeps


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


# --- The round's standing: judges' results with the audience vote and a live signal weighed in ----


SIGNAL_COUNTS = {
    Round.SignalsMeasure.INTERESTED: lambda evidence: evidence.interest_clicks,
    Round.SignalsMeasure.QUESTION_VOTES: lambda evidence: evidence.question_votes,
    Round.SignalsMeasure.REACTIONS: lambda evidence: evidence.reaction_total,
    Round.SignalsMeasure.PEAK_VIEWERS: lambda evidence: evidence.peak_viewers,
}


def signal_count(evidence: sources.PitchEvidence | None, measure: str) -> int:
    """The round's chosen live signal in an entry's evidence (0 when it did not pitch)."""
    return 0 if evidence is None else SIGNAL_COUNTS[Round.SignalsMeasure(measure)](evidence)


def _audience_counts(round_: Round) -> dict[int, int]:
    """Votes per entry in the round's audience award (two queries); refused when the award is gone."""
    audience_votes = sources.audience_votes()
    award = audience_votes.awards_of_event(round_.event_id).filter(pk=round_.audience_award_id).first()
    if award is None:
        raise ValidationError(
            _(
                "This round counts the audience vote at %(weight)s %%, but its audience award is gone or is "
                "no longer an audience vote. Choose one in the round's set-up, or set the weight to 0."
            )
            % {"weight": plain(round_.audience_weight)},
            code="no_audience_award",
        )
    return audience_votes.vote_counts(award)


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
        evidence = sources.pitch_evidence(event=round_.event, entry_ids=list(result.entries))
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
