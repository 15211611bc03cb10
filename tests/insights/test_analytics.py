"""The pure outcome-analytics functions: ranks, Spearman's rho, sample sizes, suggested weights."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import spearmanr

from insights.analytics import MIN_SAMPLE, Correlation, average_ranks, correlate, spearman, suggest_weights


def test_average_ranks_share_ties():
    assert average_ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]
    assert average_ranks([0, 1, 0, 0, 1]) == [2.0, 4.5, 2.0, 2.0, 4.5]


def test_spearman_known_values():
    scores = [1, 2, 3, 4, 5, 6, 7, 8]
    signed = [0, 0, 0, 0, 1, 1, 1, 1]
    # A perfect separator against a 0/1 outcome reaches the largest rho ties allow.
    assert spearman(scores, signed) == pytest.approx(0.8728716, abs=1e-6)
    assert spearman(scores, list(reversed(signed))) == pytest.approx(-0.8728716, abs=1e-6)
    assert spearman(scores, scores) == pytest.approx(1.0)
    assert spearman(scores, [1] * 8) is None  # nobody differs: undefined
    assert spearman([1], [1]) is None
    with pytest.raises(ValueError):
        spearman([1, 2], [1])


@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 1)), min_size=3, max_size=30))
def test_spearman_agrees_with_scipy(pairs):
    xs, ys = [x for x, _y in pairs], [y for _x, y in pairs]
    ours = spearman(xs, ys)
    if len(set(xs)) < 2 or len(set(ys)) < 2:
        assert ours is None
    else:
        assert ours == pytest.approx(spearmanr(xs, ys).statistic, abs=1e-9)


def test_small_samples_are_marked_and_not_usable():
    small = correlate([(x, x % 2) for x in range(MIN_SAMPLE - 1)])
    assert (small.n, small.too_few, small.usable) == (7, True, None)
    assert small.rho is not None
    enough = correlate([(x, int(x >= 4)) for x in range(MIN_SAMPLE)])
    assert (enough.n, enough.too_few) == (8, False)
    assert enough.usable == pytest.approx(0.8728716, abs=1e-6)
    assert Correlation(rho=None, n=20).usable is None


def test_suggested_weights_follow_positive_correlation_blended_with_current():
    current = {"a": Decimal(50), "b": Decimal(50)}
    # A predicts signing, B predicts it backwards: B gets no target share.
    assert suggest_weights(current, {"a": 0.866, "b": -0.866}) == {"a": Decimal(75), "b": Decimal(25)}
    assert suggest_weights(current, {"a": 0.6, "b": 0.2}) == {"a": Decimal("62.50"), "b": Decimal("37.50")}
    assert suggest_weights(current, {"a": 0.866, "b": -0.866}, blend=Decimal(1)) == {"a": 100, "b": 0}


def test_suggested_weights_always_total_100_in_hundredths():
    current = {"a": Decimal(40), "b": Decimal(30), "c": Decimal(30)}
    suggested = suggest_weights(current, {"a": 0.3, "b": 0.3, "c": 0.3})
    assert sum(suggested.values()) == 100
    assert suggested == {"a": Decimal("36.67"), "b": Decimal("31.67"), "c": Decimal("31.66")}
    assert all(value == value.quantize(Decimal("0.01")) for value in suggested.values())


def test_no_suggestion_without_positive_evidence():
    current = {"a": Decimal(60), "b": Decimal(40)}
    assert suggest_weights(current, {"a": None, "b": None}) is None
    assert suggest_weights(current, {"a": -0.5, "b": 0.0}) is None
    assert suggest_weights({}, {}) is None
