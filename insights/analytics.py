"""Outcome analytics: did the judges' scores predict what became of the projects?

Pure functions, no database: Spearman's rank correlation between scores and an outcome
(0 or 1: signed, landed, in production), with its sample size, and the weight set suggested
for the next edition.

- Spearman's rho is Pearson's correlation of the ranks, ties given their average rank (the
  outcome is mostly ties: every 0 shares one rank, every 1 another). It is undefined when
  either side does not vary (everybody signed, or every score is the same): ``None``.
- Below ``MIN_SAMPLE`` pairs a correlation says nothing reliable: it is computed but marked
  ``too_few`` and never used for a suggestion.
- Suggested weights: each criterion's target share is proportional to ``max(0, rho)`` (a
  criterion whose scores did not predict the outcome, or predicted it backwards, gets no
  target share); the suggestion blends the current weights with that target
  (``BLEND`` of the target), so one edition's evidence moves the weights without throwing the
  organisers' judgement away. Weights are rounded to hundredths of a percent with the largest
  remainders, so they total exactly 100.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from judging.aggregation import _doubled_average_ranks
from judging.aggregation import spearman as judging_spearman

MIN_SAMPLE = 8
BLEND = Decimal("0.5")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, tied values sharing the mean of the ranks they span (judging's ranks, halved)."""
    return [doubled / 2 for doubled in _doubled_average_ranks(values)]


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rank correlation of paired values; ``None`` when either side does not vary.

    Judging's :func:`~judging.aggregation.spearman`, except that two pairs already give a
    correlation here (judging wants three before it compares a judge with the panel): small
    samples are computed and marked ``too_few`` by :class:`Correlation` instead.
    """
    if len(xs) == len(ys) == 2:
        x_order, y_order = _sign(xs[1] - xs[0]), _sign(ys[1] - ys[0])
        return float(x_order * y_order) if x_order and y_order else None
    return judging_spearman(xs, ys)


def _sign(difference: float) -> int:
    return (difference > 0) - (difference < 0)


@dataclass(frozen=True)
class Correlation:
    rho: float | None
    n: int

    @property
    def too_few(self) -> bool:
        return self.n < MIN_SAMPLE

    @property
    def usable(self) -> float | None:
        """The correlation when the sample is large enough to act on, else ``None``."""
        return None if self.too_few else self.rho


def correlate(pairs: Sequence[tuple[float, float]]) -> Correlation:
    """The correlation of (score, outcome) pairs with its sample size."""
    return Correlation(rho=spearman([x for x, _y in pairs], [y for _x, y in pairs]), n=len(pairs))


def _to_hundred(shares: Mapping[Hashable, Decimal]) -> dict[Hashable, Decimal]:
    """Shares (any positive total) as percentages in hundredths that total exactly 100."""
    total = sum(shares.values())
    exact = {key: share * HUNDRED / total for key, share in shares.items()}
    floored = {key: value.quantize(CENT, rounding=ROUND_DOWN) for key, value in exact.items()}
    missing = int((HUNDRED - sum(floored.values())) / CENT)
    by_remainder = sorted(exact, key=lambda key: floored[key] - exact[key])  # stable: ties keep their order
    for key in by_remainder[:missing]:
        floored[key] += CENT
    return floored


def suggest_weights(
    current: Mapping[Hashable, Decimal], correlations: Mapping[Hashable, float | None], *, blend: Decimal = BLEND
) -> dict[Hashable, Decimal] | None:
    """The next edition's weights (percent, totalling 100), or ``None`` when the evidence says
    nothing: no usable correlation, or none of them positive."""
    if not current:
        return None
    targets = {key: Decimal(str(max(0.0, correlations.get(key) or 0.0))) for key in current}
    if sum(targets.values()) == 0:
        return None
    target = _to_hundred(targets)
    blended = {key: (1 - blend) * Decimal(current[key]) + blend * target[key] for key in current}
    return _to_hundred(blended)
