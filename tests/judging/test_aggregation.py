"""Aggregation and ranking of a judging round: hand-computed examples and properties."""

import math
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from judging.aggregation import (
    AggregationError,
    Card,
    CriterionSpec,
    DisagreementRule,
    Method,
    aggregate,
    judge_total,
    spearman,
)

pytestmark = pytest.mark.unit

# One criterion worth 100 % on a 0–10 scale: a card's total is its score.
SINGLE = [CriterionSpec(id="score", weight=100, scale_max=10)]
# Innovation 60 %, market 40 %, on a 0–10 scale.
TWO = [CriterionSpec(id="innovation", weight=60, scale_max=10), CriterionSpec(id="market", weight=40, scale_max=10)]


def single_cards(entry_id, totals):
    """One card per judge ("j1", "j2", ...) for ``entry_id`` with the given totals."""
    return [
        Card(judge_id=f"j{index}", entry_id=entry_id, scores={"score": total}) for index, total in enumerate(totals, 1)
    ]


def ranking(ranked_entries):
    return [(ranked.rank, ranked.entry.entry_id) for ranked in ranked_entries]


# --- judge totals and the four methods -------------------------------------------------------


def test_judge_total_is_the_weighted_sum_of_scores():
    criteria = [
        CriterionSpec(id="innovation", weight=30, scale_max=10),
        CriterionSpec(id="team", weight=30, scale_max=10),
        CriterionSpec(id="market", weight=40, scale_max=10),
    ]
    card = Card(judge_id=1, entry_id=1, scores={"innovation": 8, "team": 9, "market": 7})

    assert judge_total(card, criteria) == 7.9  # 0.3 × 8 + 0.3 × 9 + 0.4 × 7


def test_weighted_mean_reports_value_criterion_means_totals_and_spread():
    criteria = [
        CriterionSpec(id="innovation", weight=30, scale_max=10),
        CriterionSpec(id="team", weight=30, scale_max=10),
        CriterionSpec(id="market", weight=40, scale_max=10),
    ]
    cards = [
        Card(judge_id="j1", entry_id="e", scores={"innovation": 8, "team": 9, "market": 7}),  # 7.9
        Card(judge_id="j2", entry_id="e", scores={"innovation": 9, "team": 9, "market": 8}),  # 8.6
        Card(judge_id="j3", entry_id="e", scores={"innovation": 6, "team": 7, "market": 6}),  # 6.3
    ]

    entry = aggregate(criteria=criteria, cards=cards, method=Method.WEIGHTED_MEAN).entries["e"]

    assert entry.value == 7.6  # 22.8 / 3
    assert entry.card_count == 3
    assert entry.judge_totals == {"j1": 7.9, "j2": 8.6, "j3": 6.3}
    assert entry.criterion_means == {"innovation": 23 / 3, "team": 25 / 3, "market": 7.0}
    assert entry.spread_range == 2.3
    assert entry.spread_std == math.sqrt(139 / 150)  # (0.3² + 1² + 1.3²) / 3 = 2.78 / 3
    assert entry.trimmed is False
    assert entry.mean_z is None
    assert entry.disagreement is False


def test_trimmed_mean_of_seven_judges_drops_one_highest_and_one_lowest():
    cards = single_cards("e", [9.2, 9.5, 9.3, 8.8, 9.0, 9.6, 9.1])

    entry = aggregate(criteria=SINGLE, cards=cards, method=Method.TRIMMED_MEAN).entries["e"]

    assert entry.value == 9.22  # (9.2 + 9.5 + 9.3 + 9.0 + 9.1) / 5, without 9.6 and 8.8
    assert entry.trimmed is True
    assert entry.card_count == 7
    assert entry.criterion_means == {"score": 64.5 / 7}  # criterion means keep every card
    assert entry.spread_range == 0.8


def test_trimmed_mean_drops_only_one_of_equal_extremes():
    cards = single_cards("e", [9, 9, 7, 7, 8])

    entry = aggregate(criteria=SINGLE, cards=cards, method=Method.TRIMMED_MEAN).entries["e"]

    assert entry.value == 8.0  # (9 + 8 + 7) / 3


@pytest.mark.parametrize(
    ("totals", "value", "trimmed"),
    [([8], 8.0, False), ([6, 9], 7.5, False), ([6, 9, 7], 7.0, True)],
)
def test_trimmed_mean_with_fewer_than_three_cards_is_the_plain_mean(totals, value, trimmed):
    entry = aggregate(criteria=SINGLE, cards=single_cards("e", totals), method=Method.TRIMMED_MEAN).entries["e"]

    assert (entry.value, entry.trimmed) == (value, trimmed)


@pytest.mark.parametrize(("totals", "value"), [([5], 5.0), ([6, 9, 7], 7.0), ([6, 9, 7, 10], 8.0), ([1, 1, 9], 1.0)])
def test_median_of_judge_totals(totals, value):
    entry = aggregate(criteria=SINGLE, cards=single_cards("e", totals), method=Method.MEDIAN).entries["e"]

    assert entry.value == value
    assert entry.trimmed is False


def test_judge_normalised_lets_a_harsh_and_a_generous_judge_count_alike():
    # Harsh judge H: e1 = 6, e2 = 4 → mean 5, std 1 → z = +1, −1.
    # Generous judge G: e3 = 9, e4 = 7 → mean 8, std 1 → z = +1, −1.
    cards = [
        Card(judge_id="H", entry_id="e1", scores={"score": 6}),
        Card(judge_id="H", entry_id="e2", scores={"score": 4}),
        Card(judge_id="G", entry_id="e3", scores={"score": 9}),
        Card(judge_id="G", entry_id="e4", scores={"score": 7}),
    ]

    normalised = aggregate(criteria=SINGLE, cards=cards, method=Method.JUDGE_NORMALISED)
    plain = aggregate(criteria=SINGLE, cards=cards, method=Method.WEIGHTED_MEAN)

    assert ranking(plain.overall) == [(1, "e3"), (2, "e4"), (3, "e1"), (4, "e2")]
    assert ranking(normalised.overall) == [(1, "e1"), (1, "e3"), (3, "e2"), (3, "e4")]
    # Round totals 6, 4, 9, 7: mean 6.5, population variance 13 / 4.
    assert {entry_id: entry.mean_z for entry_id, entry in normalised.entries.items()} == {
        "e1": 1.0,
        "e3": 1.0,
        "e2": -1.0,
        "e4": -1.0,
    }
    assert normalised.entries["e1"].value == 6.5 + math.sqrt(3.25)
    assert normalised.entries["e2"].value == 6.5 - math.sqrt(3.25)


def test_judge_normalised_gives_single_card_and_constant_judges_z_zero():
    cards = [
        Card(judge_id="H", entry_id="e1", scores={"score": 6}),  # H: mean 5, std 1 → z = +1
        Card(judge_id="H", entry_id="e2", scores={"score": 4}),  # z = −1
        Card(judge_id="Z", entry_id="e1", scores={"score": 7}),  # Z scores everything 7 → z = 0
        Card(judge_id="Z", entry_id="e2", scores={"score": 7}),  # z = 0
        Card(judge_id="S", entry_id="e3", scores={"score": 10}),  # S has one card → z = 0
    ]

    result = aggregate(criteria=SINGLE, cards=cards, method=Method.JUDGE_NORMALISED)

    assert {entry_id: entry.mean_z for entry_id, entry in result.entries.items()} == {"e1": 0.5, "e3": 0.0, "e2": -0.5}
    # Round totals 6, 4, 7, 7, 10: mean 6.8, population variance 3.76.
    assert result.entries["e1"].value == 6.8 + 0.5 * math.sqrt(3.76)
    assert result.entries["e3"].value == 6.8
    assert result.entries["e2"].value == 6.8 - 0.5 * math.sqrt(3.76)
    assert ranking(result.overall) == [(1, "e1"), (2, "e3"), (3, "e2")]


def test_judge_normalised_clamps_values_to_the_scale_but_ranks_by_mean_z():
    cards = [
        *[Card(judge_id="A", entry_id=entry_id, scores={"score": total}) for entry_id, total in [(1, 10), (2, 0)]],
        *[
            Card(judge_id="B", entry_id=entry_id, scores={"score": total})
            for entry_id, total in [(3, 10), (4, 10), (5, 10), (6, 0)]
        ],
        *[
            Card(judge_id="C", entry_id=entry_id, scores={"score": total})
            for entry_id, total in [(7, 10), (8, 10), (9, 10), (10, 10), (11, 0)]
        ],
    ]

    result = aggregate(criteria=SINGLE, cards=cards, method=Method.JUDGE_NORMALISED)

    # A: z = ±1. B: mean 7.5, std √18.75 → z(0) = −√3. C: mean 8, std 4 → z(10) = 0.5, z(0) = −2.
    assert result.entries[6].mean_z == pytest.approx(-math.sqrt(3), rel=1e-12)
    assert result.entries[11].mean_z == -2.0
    # Round totals: eight 10s, three 0s → mean 80 / 11, population variance 2400 / 121.
    assert result.entries[1].value == 10.0  # 7.27 + 4.45 → clamped
    assert result.entries[2].value == 80 / 11 - math.sqrt(2400 / 121)
    assert result.entries[6].value == 0.0  # 7.27 − 7.71 → clamped
    assert result.entries[11].value == 0.0  # 7.27 − 8.91 → clamped
    assert ranking(result.overall) == [
        (1, 1),
        (2, 3),
        (2, 4),
        (2, 5),
        (5, 7),
        (5, 8),
        (5, 9),
        (5, 10),
        (9, 2),
        (10, 6),
        (11, 11),
    ]


def test_method_may_be_given_as_its_stored_value():
    result = aggregate(criteria=SINGLE, cards=single_cards("e", [6, 9, 7]), method="median")

    assert result.method is Method.MEDIAN
    assert result.entries["e"].value == 7.0


def test_decimal_and_float_scores_give_the_same_result():
    as_floats = [Card(judge_id=j, entry_id="e", scores={"innovation": 8.5, "market": 7.1}) for j in (1, 2)]
    as_decimals = [
        Card(judge_id=j, entry_id="e", scores={"innovation": Decimal("8.5"), "market": Decimal("7.1")}) for j in (1, 2)
    ]

    from_floats = aggregate(criteria=TWO, cards=as_floats, method=Method.WEIGHTED_MEAN)

    assert from_floats == aggregate(criteria=TWO, cards=as_decimals, method=Method.WEIGHTED_MEAN)
    assert from_floats.entries["e"].value == 7.94  # 0.6 × 8.5 + 0.4 × 7.1


def test_weights_written_as_decimals_sum_exactly():
    criteria = [
        CriterionSpec(id="a", weight=33.3, scale_max=10),
        CriterionSpec(id="b", weight=33.3, scale_max=10),
        CriterionSpec(id="c", weight=33.4, scale_max=10),
    ]
    card = Card(judge_id=1, entry_id=1, scores={"a": 10, "b": 10, "c": 10})

    assert judge_total(card, criteria) == 10.0


def test_no_cards_give_an_empty_result():
    result = aggregate(criteria=SINGLE, cards=[], method=Method.JUDGE_NORMALISED, groups={})

    assert (result.entries, result.overall, result.by_group, result.judges) == ({}, (), {}, {})


# --- ranking ---------------------------------------------------------------------------------


def tie_break_cards():
    scores = [
        ("a", "j1", 9, 6),  # 7.8
        ("b", "j1", 8, 7.5),  # 7.8
        ("c", "j1", 7, 5),  # 6.2
        ("c", "j2", 7, 5),  # 6.2
        ("d", "j1", 7, 5),  # 6.2
        ("e", "j2", 7, 5),  # 6.2
        ("f", "j2", 5, 5),  # 5.0
    ]
    # Given in reverse, so the order of listing within a shared rank comes from the entry ids.
    return [
        Card(judge_id=judge, entry_id=entry, scores={"innovation": innovation, "market": market})
        for entry, judge, innovation, market in reversed(scores)
    ]


@pytest.mark.parametrize(
    ("tie_break", "expected"),
    [
        # a and b tie on value: innovation 9 > 8; c, d and e tie on value and innovation: c has 2 cards.
        ("innovation", [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (4, "e"), (6, "f")]),
        ("market", [(1, "b"), (2, "a"), (3, "c"), (4, "d"), (4, "e"), (6, "f")]),
        (None, [(1, "a"), (1, "b"), (3, "c"), (4, "d"), (4, "e"), (6, "f")]),
    ],
)
def test_ties_break_by_named_criterion_then_card_count_then_share_a_rank(tie_break, expected):
    result = aggregate(
        criteria=TWO, cards=tie_break_cards(), method=Method.WEIGHTED_MEAN, tie_break_criterion=tie_break
    )

    assert ranking(result.overall) == expected
    assert list(result.entries) == [entry_id for _, entry_id in expected]


def test_competition_ranking_skips_after_a_shared_rank():
    cards = [*single_cards("w", [9]), *single_cards("x", [8]), *single_cards("y", [8]), *single_cards("z", [7])]

    result = aggregate(criteria=SINGLE, cards=cards, method=Method.WEIGHTED_MEAN)

    assert [ranked.rank for ranked in result.overall] == [1, 2, 2, 4]


def test_ranking_per_group_and_overall():
    totals = {1: 9, 2: 8, 3: 7, 4: 6, 5: 8}
    cards = [card for entry_id, total in totals.items() for card in single_cards(entry_id, [total])]
    groups = {1: "biotech", 2: "ai", 3: "biotech", 4: "ai", 5: "ai"}

    result = aggregate(criteria=SINGLE, cards=cards, method=Method.WEIGHTED_MEAN, groups=groups)

    assert ranking(result.overall) == [(1, 1), (2, 2), (2, 5), (4, 3), (5, 4)]
    assert {group: ranking(ranked) for group, ranked in result.by_group.items()} == {
        "ai": [(1, 2), (1, 5), (3, 4)],
        "biotech": [(1, 1), (2, 3)],
    }
    assert list(result.by_group) == ["ai", "biotech"]
    assert result.entries[4].group == "ai"


# --- disagreement ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "totals", "flagged"),
    [
        (DisagreementRule(), [5, 8], False),  # std 1.5 = 15 % of 10: not above
        (DisagreementRule(), [5, 8.2], True),  # std 1.6
        (DisagreementRule(), [0], False),  # one card never disagrees
        (DisagreementRule(), [2, 5, 5, 5, 8], True),  # std √3.6 ≈ 1.90
        (DisagreementRule(std_fraction=None, range_fraction=0.3), [5, 8], False),  # range 3 = 30 %
        (DisagreementRule(std_fraction=None, range_fraction=0.3), [5, 5, 5, 5, 8.1], True),  # range 3.1, std 1.24
        (DisagreementRule(std_fraction=0.3, range_fraction=0.3), [5, 5, 5, 5, 8.1], True),  # either test suffices
        (DisagreementRule(std_fraction=None, range_fraction=None), [0, 10], False),
    ],
)
def test_disagreement_flag(rule, totals, flagged):
    entry = aggregate(
        criteria=SINGLE, cards=single_cards("e", totals), method=Method.WEIGHTED_MEAN, disagreement=rule
    ).entries["e"]

    assert entry.disagreement is flagged


def test_disagreement_thresholds_scale_with_the_scale_width():
    criteria = [CriterionSpec(id="score", weight=100, scale_min=1, scale_max=5)]  # width 4: std limit 0.6
    cards = [Card(judge_id=j, entry_id="e", scores={"score": s}) for j, s in [(1, 3), (2, 4.4)]]

    entry = aggregate(criteria=criteria, cards=cards, method=Method.MEDIAN).entries["e"]

    assert (entry.spread_range, entry.spread_std, entry.disagreement) == (1.4, 0.7, True)


# --- judge report ----------------------------------------------------------------------------


def judge_report_cards():
    scores = {
        "J1": {1: 9, 2: 8, 3: 7, 4: 6},  # same order as the panel
        "J2": {1: 8, 2: 9, 3: 6, 4: 7},  # swaps 1↔2 and 3↔4: Σd² = 4
        "J3": {1: 10, 2: 7.5, 3: 8, 4: 6.5},  # swaps 2↔3: Σd² = 2
    }
    return [
        Card(judge_id=judge, entry_id=entry, scores={"score": score})
        for judge, by_entry in scores.items()
        for entry, score in by_entry.items()
    ]


def test_judge_report_shows_cards_leniency_and_spearman_with_the_panel():
    result = aggregate(criteria=SINGLE, cards=judge_report_cards(), method=Method.WEIGHTED_MEAN)

    # Panel means: 9, 24.5 / 3, 7, 6.5 → consensus order 1, 2, 3, 4.
    assert ranking(result.overall) == [(1, 1), (2, 2), (3, 3), (4, 4)]
    reports = {
        judge_id: (report.cards_done, report.mean_total, report.leniency, report.spearman)
        for judge_id, report in result.judges.items()
    }
    assert reports == {
        "J1": (4, 7.5, -1 / 6, 1.0),  # offsets 0, −1/6, 0, −1/2
        "J2": (4, 7.5, -1 / 6, 0.6),  # 1 − 6 × 4 / (4 × 15); offsets −1, 5/6, −1, 1/2
        "J3": (4, 8.0, 1 / 3, 0.8),  # 1 − 6 × 2 / (4 × 15); offsets 1, −2/3, 1, 0
    }


def test_judge_spearman_is_none_with_fewer_than_three_entries_or_all_equal_totals():
    cards = [
        *judge_report_cards(),
        Card(judge_id="J4", entry_id=1, scores={"score": 9}),
        Card(judge_id="J4", entry_id=2, scores={"score": 8}),
        *[Card(judge_id="J5", entry_id=entry, scores={"score": 7}) for entry in (1, 2, 3)],
    ]

    judges = aggregate(criteria=SINGLE, cards=cards, method=Method.WEIGHTED_MEAN).judges

    assert (judges["J4"].cards_done, judges["J4"].spearman) == (2, None)
    assert (judges["J5"].cards_done, judges["J5"].spearman) == (3, None)


def test_spearman_uses_average_ranks_for_ties():
    # Ranks x: 1, 2.5, 2.5, 4; y: 1, 2, 3, 4 → covariance 4.5, variances 4.5 and 5.
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(3 / math.sqrt(10), rel=1e-15)


@pytest.mark.parametrize(
    ("xs", "ys", "expected"),
    [
        ([1, 2, 3, 4, 5], [50, 40, 30, 20, 10], -1.0),
        ([1, 2, 3, 4], [1, 3, 2, 4], 0.8),
        ([1, 2], [1, 2], None),
        ([1, 2, 3], [7, 7, 7], None),
    ],
)
def test_spearman_exact_values(xs, ys, expected):
    assert spearman(xs, ys) == expected


# --- validation ------------------------------------------------------------------------------


def one_card(scores, judge="j1", entry="e1"):
    return Card(judge_id=judge, entry_id=entry, scores=scores)


FULL = {"innovation": 8, "market": 7}


@pytest.mark.parametrize(
    ("criteria", "cards", "options", "code", "message"),
    [
        ([], [], {}, "no_criteria", "A round needs at least one criterion."),
        (
            [CriterionSpec(id="a", weight=50, scale_max=10), CriterionSpec(id="b", weight=45, scale_max=10)],
            [],
            {},
            "weights_sum",
            "Criterion weights must sum to 100 %, they sum to 95 %.",
        ),
        (
            [CriterionSpec(id="a", weight=110, scale_max=10), CriterionSpec(id="b", weight=-10, scale_max=10)],
            [],
            {},
            "negative_weight",
            "The weight of criterion 'b' is -10 %; weights cannot be negative.",
        ),
        (
            [CriterionSpec(id="a", weight=50, scale_max=10), CriterionSpec(id="a", weight=50, scale_max=10)],
            [],
            {},
            "duplicate_criterion",
            "Criterion 'a' is listed twice.",
        ),
        (
            [CriterionSpec(id="a", weight=50, scale_max=10), CriterionSpec(id="b", weight=50, scale_max=100)],
            [],
            {},
            "mixed_scales",
            "All criteria of a round must share one scale, got 0–10, 0–100.",
        ),
        (
            [CriterionSpec(id="a", weight=100, scale_min=5, scale_max=5)],
            [],
            {},
            "bad_scale",
            "Criterion 'a' has the scale 5–5; its maximum must be above its minimum.",
        ),
        (
            [CriterionSpec(id="a", weight="100", scale_max=10)],
            [],
            {},
            "not_a_number",
            "The weight of criterion 'a' must be a number, got '100'.",
        ),
        (
            TWO,
            [one_card({"innovation": 11, "market": 7})],
            {},
            "score_out_of_scale",
            "The card of judge 'j1' for entry 'e1' scores 'innovation' 11, outside the scale 0–10.",
        ),
        (
            TWO,
            [one_card({"innovation": 8, "market": -0.5})],
            {},
            "score_out_of_scale",
            "The card of judge 'j1' for entry 'e1' scores 'market' -0.5, outside the scale 0–10.",
        ),
        (
            TWO,
            [one_card({"innovation": 8})],
            {},
            "missing_criteria",
            "The card of judge 'j1' for entry 'e1' has no score for 'market'.",
        ),
        (
            TWO,
            [one_card({**FULL, "design": 5})],
            {},
            "unknown_criteria",
            "The card of judge 'j1' for entry 'e1' scores criteria that are not in the round: 'design'.",
        ),
        (
            TWO,
            [one_card({"innovation": math.nan, "market": 7})],
            {},
            "not_a_number",
            "The score for 'innovation' on the card of judge 'j1' for entry 'e1' must be a finite number, got nan.",
        ),
        (
            TWO,
            [one_card({"innovation": True, "market": 7})],
            {},
            "not_a_number",
            "The score for 'innovation' on the card of judge 'j1' for entry 'e1' must be a number, got True.",
        ),
        (
            TWO,
            [one_card(FULL), one_card(FULL)],
            {},
            "duplicate_card",
            "Judge 'j1' has more than one card for entry 'e1'.",
        ),
        (
            TWO,
            [one_card(FULL)],
            {"tie_break_criterion": "team"},
            "unknown_tie_break",
            "The tie-break criterion 'team' is not a criterion of this round.",
        ),
        (
            TWO,
            [one_card(FULL), one_card(FULL, entry="e2")],
            {"groups": {"e1": "ai"}},
            "missing_group",
            "Entries without a group: 'e2'.",
        ),
        (
            TWO,
            [one_card(FULL)],
            {"disagreement": DisagreementRule(std_fraction=-0.1)},
            "negative_threshold",
            "The disagreement standard deviation fraction cannot be negative, got -0.1.",
        ),
    ],
)
def test_invalid_input_raises_a_value_error_saying_what_is_wrong(criteria, cards, options, code, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$") as raised:
        aggregate(criteria=criteria, cards=cards, method=Method.WEIGHTED_MEAN, **options)

    assert isinstance(raised.value, AggregationError)
    assert raised.value.code == code


def test_error_params_name_the_card_and_criterion():
    with pytest.raises(AggregationError) as raised:
        aggregate(criteria=TWO, cards=[one_card({"innovation": 11, "market": 7})], method=Method.MEDIAN)

    assert raised.value.params == {"judge": "j1", "entry": "e1", "criterion": "innovation", "score": 11.0}


def test_unknown_method_is_a_value_error():
    with pytest.raises(ValueError, match="'best' is not a valid Method"):
        aggregate(criteria=TWO, cards=[], method="best")


def test_spearman_needs_paired_values():
    with pytest.raises(AggregationError, match=r"^Spearman needs paired values, got 3 and 2\.$"):
        spearman([1, 2, 3], [1, 2])


# --- properties ------------------------------------------------------------------------------

SCALES = [(0, 10), (0, 100), (1, 5)]
PROPERTY_SETTINGS = hypothesis_settings(max_examples=40, deadline=None)


@st.composite
def rounds(draw, *, equal_weights=False, min_judges=1, max_entries=6, lower_half=False):
    """A round: criteria on one scale and cards with half-point scores; every entry has a card.

    ``lower_half`` keeps every score in the lower half of the scale, leaving room to shift it up.
    """
    low, high = draw(st.sampled_from(SCALES))
    criterion_count = draw(st.integers(1, 4))
    if equal_weights:
        weights = [Fraction(100, criterion_count)] * criterion_count
    else:
        cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=criterion_count - 1, max_size=criterion_count - 1)))
        weights = [upper - lower for lower, upper in zip([0, *cuts], [*cuts, 100], strict=True)]
    criteria = [
        CriterionSpec(id=f"c{index}", weight=weight, scale_min=low, scale_max=high)
        for index, weight in enumerate(weights)
    ]
    judges = [f"j{index}" for index in range(draw(st.integers(min_judges, 6)))]
    entries = list(range(1, draw(st.integers(1, max_entries)) + 1))
    half_points = st.integers(2 * low, low + high if lower_half else 2 * high).map(lambda doubled: doubled / 2)
    cards = [
        Card(judge_id=judge, entry_id=entry, scores={criterion.id: draw(half_points) for criterion in criteria})
        for entry in entries
        for judge in sorted(draw(st.sets(st.sampled_from(judges), min_size=min_judges)))
    ]
    return criteria, cards


@pytest.mark.parametrize("method", list(Method))
@PROPERTY_SETTINGS
@given(round_=rounds())
def test_value_is_always_within_the_scale(method, round_):
    criteria, cards = round_
    result = aggregate(criteria=criteria, cards=cards, method=method)

    assert all(result.scale_min <= entry.value <= result.scale_max for entry in result.entries.values())


@PROPERTY_SETTINGS
@given(round_=rounds(equal_weights=True))
def test_weighted_mean_with_equal_weights_is_the_mean_of_all_scores(round_):
    criteria, cards = round_
    result = aggregate(criteria=criteria, cards=cards, method=Method.WEIGHTED_MEAN)

    for entry_id, entry in result.entries.items():
        scores = [Fraction(score) for card in cards if card.entry_id == entry_id for score in card.scores.values()]
        assert entry.value == float(sum(scores) / len(scores))


@PROPERTY_SETTINGS
@given(round_=rounds(min_judges=3, max_entries=1), pick_highest=st.booleans())
def test_trimmed_mean_ignores_changes_to_the_extreme_card(round_, pick_highest):
    criteria, cards = round_
    before = aggregate(criteria=criteria, cards=cards, method=Method.TRIMMED_MEAN).entries[1]
    totals = [judge_total(card, criteria) for card in cards]
    extreme = totals.index(max(totals) if pick_highest else min(totals))
    bound = criteria[0].scale_max if pick_highest else criteria[0].scale_min
    pushed_further = Card(
        judge_id=cards[extreme].judge_id, entry_id=1, scores={criterion.id: bound for criterion in criteria}
    )
    changed = [pushed_further if index == extreme else card for index, card in enumerate(cards)]

    after = aggregate(criteria=criteria, cards=changed, method=Method.TRIMMED_MEAN).entries[1]

    assert before.trimmed is True
    assert after.value == before.value


@PROPERTY_SETTINGS
@given(round_=rounds(lower_half=True), data=st.data())
def test_a_judge_shifting_every_score_does_not_change_the_judge_normalised_ranking(round_, data):
    criteria, cards = round_
    judge = data.draw(st.sampled_from(sorted({card.judge_id for card in cards})))
    shift = data.draw(st.integers(1, (criteria[0].scale_max - criteria[0].scale_min) // 2))
    shifted = [
        Card(card.judge_id, card.entry_id, {key: score + shift for key, score in card.scores.items()})
        if card.judge_id == judge
        else card
        for card in cards
    ]

    before = aggregate(criteria=criteria, cards=cards, method=Method.JUDGE_NORMALISED)
    after = aggregate(criteria=criteria, cards=shifted, method=Method.JUDGE_NORMALISED)

    assert ranking(after.overall) == ranking(before.overall)


@pytest.mark.parametrize("method", list(Method))
@PROPERTY_SETTINGS
@given(round_=rounds(), data=st.data())
def test_the_order_of_the_cards_does_not_change_the_result(method, round_, data):
    criteria, cards = round_
    shuffled = data.draw(st.permutations(cards))
    groups = {card.entry_id: card.entry_id % 2 for card in cards}
    options = {"method": method, "tie_break_criterion": criteria[-1].id, "groups": groups}

    assert aggregate(criteria=criteria, cards=shuffled, **options) == aggregate(
        criteria=criteria, cards=cards, **options
    )


@pytest.mark.parametrize("method", list(Method))
@PROPERTY_SETTINGS
@given(round_=rounds())
def test_ranking_is_a_competition_ranking_of_every_entry(method, round_):
    criteria, cards = round_
    groups = {card.entry_id: "odd" if card.entry_id % 2 else "even" for card in cards}
    result = aggregate(criteria=criteria, cards=cards, method=method, groups=groups)

    for ranked_entries in [result.overall, *result.by_group.values()]:
        ranks = [ranked.rank for ranked in ranked_entries]
        assert ranks[0] == 1
        for index in range(1, len(ranks)):
            assert ranks[index] in (ranks[index - 1], index + 1)  # shares the rank above, or its own position
    assert sorted(entry_id for _, entry_id in ranking(result.overall)) == sorted({card.entry_id for card in cards})
    assert sorted(entry_id for ranked in result.by_group.values() for _, entry_id in ranking(ranked)) == sorted(
        {card.entry_id for card in cards}
    )
