"""The audience vote and a live signal weighed into a round's total, only when the organiser says so.

Hand-worked round (weights 40/30/30 on 0–10, two judges giving one value to every criterion):

    entry   judges   votes   people interested
    e0      8        0       0
    e1      7        0       4
    e2      6        10      2
    e3      —        (no card: never ranked)

Audience vote at 30 %:  e2 = 0.7 × 6 + 0.3 × 10 = 7.2;  e0 = 0.7 × 8 = 5.6;  e1 = 0.7 × 7 = 4.9.
People interested at 10 % (e1 has the most: 10 on the scale; e2 half: 5):
                        e1 = 0.9 × 7 + 0.1 × 10 = 7.3;  e0 = 7.2;  e2 = 0.9 × 6 + 0.1 × 5 = 5.9.
"""

import html as html_module
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from awards.models import AudienceVote, Award
from events.models import Role
from judging import services
from judging.aggregation import Card, CriterionSpec, Method, aggregate, aggregate_all
from judging.models import Round, RoundOutcome
from judging.weights import WeightError, blend
from tests.factories import (
    AgendaSlotFactory,
    EventFactory,
    EventRoleFactory,
    RoadshowRoomFactory,
    RoomInterestFactory,
    UserFactory,
)

from .conftest import assign, make_entry, open_round, scores_for

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- The pure blend ------------------------------------------------------------------------------

SPECS = [CriterionSpec(id="a", weight=60, scale_max=10), CriterionSpec(id="b", weight=40, scale_max=10)]


def _cards(values: dict) -> list[Card]:
    """``{entry: [(a, b) per judge]}`` as cards of judges 1, 2, ..."""
    return [
        Card(judge_id=judge, entry_id=entry, scores={"a": a, "b": b})
        for entry, per_judge in values.items()
        for judge, (a, b) in enumerate(per_judge, start=1)
    ]


def _places(standing) -> list[tuple]:
    return [(place.rank, place.entry.entry_id, place.entry.value) for place in standing.overall]


@pytest.mark.unit
def test_blend_audience_changes_the_order_with_exact_totals():
    result = aggregate(
        criteria=SPECS, cards=_cards({"A": [(8, 8)], "B": [(7, 7)], "C": [(6, 6)]}), method="weighted_mean"
    )
    standing = blend(result, audience_weight=Decimal(20), audience_counts={"A": 0, "B": 10, "C": 5})
    # B = 0.8 × 7 + 0.2 × 10;  A = 0.8 × 8 + 0;  C = 0.8 × 6 + 0.2 × 5
    assert _places(standing) == [(1, "B", 7.6), (2, "A", 6.4), (3, "C", 5.8)]
    b = standing.entries["B"]
    assert (b.judges_value, b.audience.count, b.audience.value, b.signal) == (7.0, 10, 10.0, None)
    assert (standing.judges_weight, standing.weighted) == (80, True)
    assert [place.entry.entry_id for place in result.overall] == ["A", "B", "C"]  # the judges' result is untouched


@pytest.mark.unit
def test_blend_both_components_and_a_scale_that_does_not_start_at_zero():
    specs = [CriterionSpec(id="a", weight=100, scale_min=2, scale_max=10)]
    cards = [Card(judge_id=1, entry_id=e, scores={"a": v}) for e, v in (("A", 8), ("B", 7), ("C", 6))]
    result = aggregate(criteria=specs, cards=cards, method="weighted_mean")
    standing = blend(
        result,
        audience_weight=20,
        audience_counts={"B": 4, "C": 2},  # A has none: 0, i.e. the bottom of the scale, 2
        signals_weight=10,
        signal_counts={"A": 3, "C": 3},  # B did not pitch
    )
    # A = 0.7 × 8 + 0.2 × 2 + 0.1 × 10 = 7;  B = 4.9 + 2 + 0.2 = 7.1;  C = 4.2 + 0.2 × 6 + 1 = 6.4
    assert _places(standing) == [(1, "B", 7.1), (2, "A", 7.0), (3, "C", 6.4)]
    assert standing.entries["C"].audience.value == 6.0
    assert standing.entries["B"].signal.value == 2.0


@pytest.mark.unit
def test_blend_all_zero_counts_give_everyone_the_bottom_of_the_scale():
    result = aggregate(criteria=SPECS, cards=_cards({"A": [(8, 8)], "B": [(6, 6)]}), method="median")
    standing = blend(result, signals_weight=50, signal_counts={})
    assert _places(standing) == [(1, "A", 4.0), (2, "B", 3.0)]
    assert [standing.entries[e].signal.value for e in "AB"] == [0.0, 0.0]


@pytest.mark.unit
def test_blend_ties_break_like_the_judges_then_by_the_judges_value():
    cards = _cards({"A": [(8, 8)], "B": [(6, 6)], "C": [(9, 5), (5, 9)], "D": [(7, 7), (7, 7)]})
    result = aggregate(criteria=SPECS, cards=cards, method="weighted_mean", tie_break_criterion="a")
    # A: 0.8 × 8 + 0.2 × 2 = 6.8;  B: 0.8 × 6 + 0.2 × 10 = 6.8;  C (7.0 … mean of a 7, b 7): 5.6 + 1.2 = 6.8;
    # D: 5.6 + 1.2 = 6.8 — all tied on the total.
    standing = blend(
        result, tie_break_criterion="a", audience_weight=20, audience_counts={"A": 2, "B": 10, "C": 6, "D": 6}
    )
    assert {line.value for line in standing.entries.values()} == {6.8}
    # Tie-break criterion a: A 8 > C 7 = D 7 > B 6; C and D tie on a and on cards (2 each) and
    # on judges' value (7): they share rank 2 and the next rank skips.
    assert [(place.rank, place.entry.entry_id) for place in standing.overall] == [
        (1, "A"),
        (2, "C"),
        (2, "D"),
        (4, "B"),
    ]
    # Without a tie-break criterion the card count decides first, then the judges' value.
    standing = blend(result, audience_weight=20, audience_counts={"A": 2, "B": 10, "C": 6, "D": 6})
    assert [(place.rank, place.entry.entry_id) for place in standing.overall] == [
        (1, "C"),
        (1, "D"),
        (3, "A"),
        (4, "B"),
    ]


@pytest.mark.unit
def test_blend_with_zero_weights_is_the_judges_ranking_under_every_method():
    cards = _cards(
        {"A": [(8, 6), (4, 4), (9, 9)], "B": [(7, 7), (7, 7), (2, 3)], "C": [(10, 10), (1, 1)], "D": [(5, 5)]}
    )
    results = aggregate_all(
        criteria=SPECS, cards=cards, groups={"A": 1, "B": 2, "C": 1, "D": 2}, tie_break_criterion="b"
    )
    for method, result in results.items():
        standing = blend(result, tie_break_criterion="b", audience_counts={"D": 100}, signal_counts={"B": 9})
        assert not standing.weighted
        assert [(p.rank, p.entry.entry_id, p.entry.value) for p in standing.overall] == [
            (r.rank, r.entry.entry_id, r.entry.value) for r in result.overall
        ], method
        assert {group: [(p.rank, p.entry.entry_id) for p in places] for group, places in standing.by_group.items()} == {
            group: [(r.rank, r.entry.entry_id) for r in ranking] for group, ranking in result.by_group.items()
        }
        assert all(line.audience is None and line.signal is None for line in standing.entries.values())


@pytest.mark.unit
@pytest.mark.parametrize(
    ("audience", "signals", "code"),
    [(Decimal(51), 0, "weight_range"), (0, -1, "weight_range"), (30, 25, "weights_sum"), ("10", 0, "weight_range")],
)
def test_blend_refuses_weights_outside_the_rules(audience, signals, code):
    result = aggregate(criteria=SPECS, cards=_cards({"A": [(8, 8)]}), method="weighted_mean")
    with pytest.raises(WeightError) as caught:
        blend(result, audience_weight=audience, signals_weight=signals)
    assert caught.value.code == code


@pytest.mark.unit
def test_blend_refuses_negative_counts():
    result = aggregate(criteria=SPECS, cards=_cards({"A": [(8, 8)]}), method="weighted_mean")
    with pytest.raises(WeightError) as caught:
        blend(result, audience_weight=10, audience_counts={"A": -1})
    assert caught.value.code == "negative_count"


# --- Rounds in the database -------------------------------------------------------------------------


def _award(event, **fields) -> Award:
    defaults = {"name_en": "Audience favourite", "kind": Award.Kind.AUDIENCE, "eligible_statuses": ["screened_in"]}
    defaults.update(fields)
    return Award.objects.create(event=event, **defaults)


def _votes(award, entry, count):
    for _ in range(count):
        AudienceVote.objects.create(award=award, entry=entry, voter=UserFactory(), created_at=timezone.now())


def _interest(room, entry, count):
    slot = AgendaSlotFactory(room=room, entry=entry, state="done", started_at=timezone.now())
    for _ in range(count):
        RoomInterestFactory(slot=slot)


def _score(round_, entry, judges, value):
    for judge in judges:
        assign(round_, entry, judge)
        services.scorecard_submit(round=round_, entry=entry, judge=judge, scores=scores_for(round_, *[value] * 3))


@pytest.fixture
def worked(event, organiser, judges, entries):
    """The hand-worked round of the module docstring, top 2 overall advance; returns (round, award, room)."""
    round_ = open_round(event, organiser, k=2)
    for entry, value in zip(entries[:3], (8, 7, 6), strict=True):
        _score(round_, entry, judges[:2], value)
    award = _award(event)
    _votes(award, entries[2], 10)
    room = RoadshowRoomFactory(event=event)
    _interest(room, entries[1], 4)
    _interest(room, entries[2], 2)
    return round_, award, room


def _standing_rows(round_, method=None):
    standing = services.round_standing(Round.objects.get(pk=round_.pk), method=method)
    return [(place.rank, place.entry.entry_id, place.entry.value) for place in standing.overall]


def _update(round_, organiser, **fields):
    return services.round_update(round=Round.objects.get(pk=round_.pk), changed_by=organiser, **fields)


@pytest.mark.django_db
@pytest.mark.integration
def test_zero_weights_leave_standings_totals_and_advancement_as_they_were(worked, organiser, entries, judges):
    round_, award, _room = worked
    # More varied cards, so every method ranks differently.
    judge_values = {entries[0]: (9, 4), entries[1]: (7, 7)}
    for entry, values in judge_values.items():
        for judge, value in zip(judges[:2], values, strict=True):
            services.scorecard_submit(round=round_, entry=entry, judge=judge, scores=scores_for(round_, *[value] * 3))
    _update(round_, organiser, audience_award=award)  # chosen, but weight 0: still nothing counts
    services.results_cache_clear()
    computed = services.results_compute(round_)
    for method in Method:
        assert _standing_rows(round_, method) == [
            (r.rank, r.entry.entry_id, r.entry.value) for r in computed.of(method).overall
        ], method
        _update(round_, organiser, method=method.value)
        lines = services.advancement_preview(round=Round.objects.get(pk=round_.pk), viewer=organiser)
        judges_result = computed.of(method)
        expected = [(r.entry.entry_id, r.rank, r.entry.value, r.rank <= 2) for r in judges_result.overall]
        assert [(line.entry_id, line.rank, line.value, line.advances) for line in lines[:3]] == expected, method
        assert all(line.audience is None and line.signal is None for line in lines)


@pytest.mark.django_db
@pytest.mark.integration
def test_weighted_audience_vote_reorders_and_decides_advancement(client, worked, organiser, entries):
    round_, award, _room = worked
    assert _standing_rows(round_) == [(1, entries[0].pk, 8.0), (2, entries[1].pk, 7.0), (3, entries[2].pk, 6.0)]
    _update(round_, organiser, audience_weight=Decimal(30), audience_award=award)
    assert _standing_rows(round_) == [(1, entries[2].pk, 7.2), (2, entries[0].pk, 5.6), (3, entries[1].pk, 4.9)]
    # The judges' own results are unchanged.
    assert [r.entry.entry_id for r in services.results_compute(round_).of("weighted_mean").overall] == [
        entries[0].pk,
        entries[1].pk,
        entries[2].pk,
    ]
    round_ = Round.objects.get(pk=round_.pk)
    preview = services.advancement_preview(round=round_, viewer=organiser)
    assert [(line.entry_id, line.advances) for line in preview[:3]] == [
        (entries[2].pk, True),
        (entries[0].pk, True),
        (entries[1].pk, False),
    ]
    assert (preview[0].judges_value, preview[0].audience.count, preview[0].audience.value) == (6.0, 10, 10.0)
    services.advancement_confirm(round=round_, confirmed_by=organiser)
    outcome = RoundOutcome.objects.get(round=round_, entry=entries[2])
    assert (outcome.rank, outcome.value, outcome.judges_value, outcome.audience_votes, outcome.audience_value) == (
        1,
        7.2,
        6.0,
        10,
        10.0,
    )
    assert outcome.advanced and outcome.signal_count is None
    # Votes arriving after the decision move the live standing, not what the entrant is told.
    _votes(award, entries[1], 30)
    services.results_release(round=round_, released_by=organiser)
    rows = services.entrant_results(user=entries[2].owner, event=round_.event)
    assert [(row["rank"], row["value"], row["judges_value"], row["audience"].count) for row in rows] == [
        (1, 7.2, 6.0, 10)
    ]
    client.force_login(entries[2].owner)
    page = _text(client.get(reverse("judging:my_results", kwargs={"slug": round_.event.slug}), **EN))
    assert "Rank 1 of 3, score 7.20." in page
    assert "This round's total includes the audience vote at 30 %; judges' scores count 70 %." in page
    assert "Judges' scores: 6.00 (70 %)" in page
    assert "Audience votes: 10, 10.00 on the scale (30 %)" in page
    client.force_login(organiser)
    page = _text(client.get(reverse("judging:advancement", kwargs={"slug": round_.event.slug, "number": 1}), **EN))
    assert "This round's total includes the audience vote at 30 %" in page
    assert '<td class="text-end">7.20</td><td class="text-end">6.00</td><td class="text-end">10 → 10.00</td>' in page


@pytest.mark.django_db
@pytest.mark.integration
def test_weighted_live_signal_counts_the_chosen_measure(worked, organiser, entries):
    round_, _award, _room = worked
    _update(round_, organiser, signals_weight=Decimal(10))  # people interested by default
    assert _standing_rows(round_) == [(1, entries[1].pk, 7.3), (2, entries[0].pk, 7.2), (3, entries[2].pk, 5.9)]
    standing = services.round_standing(Round.objects.get(pk=round_.pk))
    assert (standing.entries[entries[2].pk].signal.count, standing.entries[entries[2].pk].signal.value) == (2, 5.0)
    # Nobody voted on questions: everyone gets the bottom of the scale, the order is the judges'.
    _update(round_, organiser, signals_measure=Round.SignalsMeasure.QUESTION_VOTES)
    assert _standing_rows(round_) == [(1, entries[0].pk, 7.2), (2, entries[1].pk, 6.3), (3, entries[2].pk, 5.4)]


@pytest.mark.django_db
@pytest.mark.integration
@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"audience_weight": Decimal(60)},
            {"audience_weight": ["The audience vote's weight must be between 0 and 50 %."]},
        ),
        ({"signals_weight": Decimal(-5)}, {"signals_weight": ["The live signal's weight must be between 0 and 50 %."]}),
        ({"signals_weight": Decimal("10.005")}, {"signals_weight": ["Use at most two decimal places."]}),
        (
            {"signals_weight": Decimal(30), "audience_weight": Decimal(25), "with_award": True},
            {
                "signals_weight": [
                    "The audience vote and the live signal together weigh 55 %; they may weigh at most 50 % so that "
                    "the judges' scores keep the majority."
                ],
                "audience_award": [
                    "Choose the audience award whose votes count, or set the audience vote's weight to 0."
                ],
            },
        ),
        (
            {"audience_weight": Decimal(10), "with_award": True},
            {
                "audience_award": [
                    "Choose the audience award whose votes count, or set the audience vote's weight to 0."
                ]
            },
        ),
        (
            {"audience_weight": Decimal(10)},
            {
                "audience_weight": [
                    "This event has no audience-vote award, so the audience vote cannot count: create one under "
                    "Awards first, or set the weight to 0."
                ]
            },
        ),
    ],
)
def test_weights_outside_the_rules_are_refused(round_, organiser, fields, errors):
    if fields.pop("with_award", False):
        _award(round_.event)
    with pytest.raises(ValidationError) as caught:
        _update(round_, organiser, **fields)
    assert caught.value.message_dict == errors
    saved = Round.objects.get(pk=round_.pk)
    assert (saved.audience_weight, saved.signals_weight, saved.audience_award_id) == (0, 0, None)


@pytest.mark.django_db
@pytest.mark.integration
def test_only_an_audience_award_of_the_same_event_can_count(round_, organiser):
    other_event_award = _award(EventFactory())
    judged_award = _award(round_.event, kind=Award.Kind.SPONSOR, sponsor="ACME")
    for award in (other_event_award, judged_award):
        with pytest.raises(ValidationError) as caught:
            _update(round_, organiser, audience_weight=Decimal(10), audience_award=award)
        assert caught.value.message_dict == {"audience_award": ["Choose an audience-vote award of this event."]}


@pytest.mark.django_db
@pytest.mark.integration
def test_a_weighted_award_that_stops_being_an_audience_vote_stops_the_results(worked, organiser):
    round_, award, _room = worked
    _update(round_, organiser, audience_weight=Decimal(10), audience_award=award)
    Award.objects.filter(pk=award.pk).update(kind=Award.Kind.SPONSOR)  # e.g. changed in the admin
    with pytest.raises(ValidationError) as caught:
        services.advancement_preview(round=Round.objects.get(pk=round_.pk), viewer=organiser)
    assert caught.value.messages == [
        "This round counts the audience vote at 10 %, but its audience award is gone or is no longer an "
        "audience vote. Choose one in the round's set-up, or set the weight to 0."
    ]


@pytest.mark.django_db
@pytest.mark.integration
def test_weights_are_fixed_once_advancement_is_confirmed(worked, organiser):
    round_, award, _room = worked
    _update(round_, organiser, audience_weight=Decimal(10), audience_award=award)
    services.advancement_confirm(round=Round.objects.get(pk=round_.pk), confirmed_by=organiser)
    for fields in ({"audience_weight": Decimal(20)}, {"signals_measure": "reactions"}, {"audience_award": None}):
        with pytest.raises(ValidationError) as caught:
            _update(round_, organiser, **fields)
        [(name, [message])] = caught.value.message_dict.items()
        assert name == next(iter(fields))
        assert message.startswith("Advancement for this round was confirmed on ")
        assert message.endswith("with these weights; they can no longer change.")
    # Saving the same weights with another change is fine.
    saved = _update(round_, organiser, audience_weight=Decimal(10), name_en="First round (decided)")
    assert (saved.audience_weight, saved.name_en) == (10, "First round (decided)")


@pytest.mark.django_db
@pytest.mark.integration
def test_another_events_organiser_cannot_set_the_weights(client, round_):
    stranger = UserFactory(language="en")
    EventRoleFactory(event=EventFactory(), user=stranger, role=Role.ORGANISER)
    with pytest.raises(PermissionDenied):
        _update(round_, stranger, signals_weight=Decimal(10))
    client.force_login(stranger)
    url = reverse("judging:round_edit", kwargs={"slug": round_.event.slug, "number": round_.number})
    assert client.post(url, {"round-signals_weight": "10"}, **EN).status_code in (403, 404)
    assert Round.objects.get(pk=round_.pk).signals_weight == 0


def _text(response) -> str:
    """The page's HTML with entities decoded (apostrophes are escaped)."""
    return html_module.unescape(response.content.decode())


def _round_form_data(round_, **changes) -> dict:
    data = {
        "round-number": round_.number,
        "round-name_zh": round_.name_zh,
        "round-name_en": round_.name_en,
        "round-pool": round_.pool,
        "round-opens_at": timezone.localtime(round_.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "round-closes_at": timezone.localtime(round_.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "round-scale_min": "0",
        "round-scale_max": "10",
        "round-method": round_.method,
        "round-judges_per_entry": "2",
        "round-advancement_rule": "top_overall",
        "round-advancement_count": "2",
        "round-advance_to": "next_round",
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "3",
    }
    for index, criterion in enumerate(round_.criteria.order_by("position")):
        data[f"criteria-{index}-id"] = criterion.pk
        data[f"criteria-{index}-name_en"] = criterion.name_en
        data[f"criteria-{index}-weight"] = f"{criterion.weight.normalize():f}"
    data.update({f"round-{name}": value for name, value in changes.items()})
    return data


@pytest.mark.django_db
@pytest.mark.integration
def test_round_form_sets_the_weights_and_shows_errors_on_the_fields(client, worked, organiser):
    round_, award, _room = worked
    client.force_login(organiser)
    url = reverse("judging:round_edit", kwargs={"slug": round_.event.slug, "number": round_.number})
    page = client.get(url, **EN)
    assert set(page.context["form"].fields) >= {
        "audience_weight",
        "audience_award",
        "signals_weight",
        "signals_measure",
    }
    assert list(page.context["form"].fields["audience_award"].queryset) == [award]
    response = client.post(url, _round_form_data(round_, audience_weight="40", signals_weight="20"), **EN)
    assert response.status_code == 200
    assert {name: list(errors) for name, errors in response.context["form"].errors.items()} == {
        "signals_weight": [
            "The audience vote and the live signal together weigh 60 %; they may weigh at most 50 % so that "
            "the judges' scores keep the majority."
        ],
        "audience_award": ["Choose the audience award whose votes count, or set the audience vote's weight to 0."],
    }
    assert Round.objects.get(pk=round_.pk).audience_weight == 0
    data = _round_form_data(
        round_, audience_weight="10", audience_award=award.pk, signals_weight="5", signals_measure="interested"
    )
    response = client.post(url, data, **EN)
    assert response.status_code == 302
    saved = Round.objects.get(pk=round_.pk)
    assert (saved.audience_weight, saved.audience_award, saved.signals_weight, saved.signals_measure) == (
        10,
        award,
        5,
        "interested",
    )
    banner = (
        "This round's total includes the audience vote at 10 % and the live signal “People interested” at 5 %; "
        "judges' scores count 85 %."
    )
    assert banner in _text(client.get(url, **EN))
    assert banner in _text(client.get(reverse("judging:manage", kwargs={"slug": round_.event.slug}), **EN))


@pytest.mark.django_db
@pytest.mark.integration
def test_results_page_shows_the_banner_and_the_parts(client, worked, organiser, entries):
    round_, award, _room = worked
    client.force_login(organiser)
    url = reverse("judging:results", kwargs={"slug": round_.event.slug, "number": round_.number})
    html = _text(client.get(url, **EN))
    assert "This round's total includes" not in html
    assert "are evidence, not counted in the total or the rank" in html  # evidence only, as before
    _update(round_, organiser, audience_weight=Decimal(30), audience_award=award)
    response = client.get(url, **EN)
    html = _text(response)
    assert "This round's total includes the audience vote at 30 %; judges' scores count 70 %." in html
    assert [(row["rank"], row["entry"].pk, row["line"].value) for row in response.context["rows"]] == [
        (1, entries[2].pk, 7.2),
        (2, entries[0].pk, 5.6),
        (3, entries[1].pk, 4.9),
    ]
    assert '<td class="text-end fw-semibold" data-part="total">7.20</td>' in html
    assert '<td class="text-end" data-part="audience">10 → 10.00</td>' in html
    assert "Audience votes → on the scale (30 %)" in html


def _add_scored_entries(round_, judges, count, award, room):
    for index in range(count):
        entry = make_entry(round_.event, None)
        _score(round_, entry, judges[:2], 5 + index % 3)
        _votes(award, entry, index + 1)
        _interest(room, entry, index % 2 + 1)


@pytest.mark.django_db
@pytest.mark.integration
def test_standing_and_results_page_queries_do_not_grow_with_entries(client, worked, organiser, judges):
    round_, award, room = worked
    _update(round_, organiser, audience_weight=Decimal(20), audience_award=award, signals_weight=Decimal(10))
    client.force_login(organiser)
    url = reverse("judging:results", kwargs={"slug": round_.event.slug, "number": round_.number})

    def measure() -> tuple[int, int]:
        fresh = Round.objects.select_related("event").get(pk=round_.pk)
        services.results_compute(fresh)  # the judges' results are cached per version: warm them
        reset_queries()  # the log keeps at most 9,000 queries; setting up the entries fills it
        with CaptureQueriesContext(connection) as standing_queries:
            standing = services.round_standing(fresh)
        assert standing.weighted and len(standing.overall) >= 3
        client.get(url, **EN)
        reset_queries()
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get(url, **EN).status_code == 200
        return len(standing_queries), len(page_queries)

    small = measure()
    _add_scored_entries(round_, judges, 6, award, room)
    assert measure() == small
    assert small[0] == 4  # results version, the award, its votes, the pitches with their signals


@pytest.mark.django_db
@pytest.mark.integration
def test_ranking_export_follows_the_weighted_standing(client, worked, organiser, entries):
    round_, award, _room = worked
    _update(round_, organiser, audience_weight=Decimal(30), audience_award=award)
    client.force_login(organiser)
    url = reverse("judging:export", kwargs={"slug": round_.event.slug, "number": round_.number, "kind": "ranking"})
    response = client.get(url, **EN)
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][:9] == (
        "Rank",
        "Rank in track",
        "Reference",
        "Title",
        "Track",
        "Total",
        "Judges' scores",
        "Audience votes",
        "Audience votes → on the scale",
    )
    assert [(row[0], row[2], row[5], row[6], row[7], row[8]) for row in rows[1:]] == [
        (1, entries[2].reference, 7.2, 6.0, 10, 10.0),
        (2, entries[0].reference, 5.6, 8.0, 0, 0.0),
        (3, entries[1].reference, 4.9, 7.0, 0, 0.0),
    ]


@pytest.mark.django_db
@pytest.mark.integration
def test_the_database_refuses_weights_that_take_the_judges_majority(round_):
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(audience_weight=Decimal(40), signals_weight=Decimal(20))
    Round.objects.filter(pk=round_.pk).update(audience_weight=Decimal(40), signals_weight=Decimal(10))
    assert Round.objects.get(pk=round_.pk).judges_weight == 50


# --- The results API and the live signal columns ----------------------------------------------------


def _api_url(round_) -> str:
    return f"/api/v1/events/{round_.event.slug}/judging/rounds/{round_.number}/results/"


def _api_rows(body) -> list[tuple]:
    return [
        (row["rank"], row["entry_id"], row["value"], row["judges_value"], row["audience"], row["signal"])
        for row in body["ranking"]
    ]


@pytest.mark.django_db
@pytest.mark.integration
def test_results_api_without_weights_is_the_judges_ranking(client, worked, organiser, entries):
    round_, award, _room = worked
    _update(round_, organiser, audience_award=award)  # chosen, weight 0
    client.force_login(organiser)
    body = client.get(_api_url(round_), **EN).json()
    assert (body["weighted"], body["weights_summary"], body["error"]) == (False, "", "")
    assert body["weights"] == {
        "judges": 100.0,
        "audience": 0.0,
        "audience_award_id": award.pk,
        "signals": 0.0,
        "signals_measure": "interested",
    }
    assert _api_rows(body) == [
        (1, entries[0].pk, 8.0, 8.0, None, None),
        (2, entries[1].pk, 7.0, 7.0, None, None),
        (3, entries[2].pk, 6.0, 6.0, None, None),
    ]
    judges_result = services.results_compute(round_).of(round_.method)
    track_ranks = {r.entry.entry_id: r.rank for group in judges_result.by_group.values() for r in group}
    assert [row["track_rank"] for row in body["ranking"]] == [track_ranks[row["entry_id"]] for row in body["ranking"]]


@pytest.mark.django_db
@pytest.mark.integration
def test_results_api_returns_the_weighted_total_rank_and_parts(client, worked, organiser, entries):
    round_, award, _room = worked
    _update(round_, organiser, audience_weight=Decimal(20), audience_award=award, signals_weight=Decimal(10))
    client.force_login(organiser)
    body = client.get(_api_url(round_) + "?method=median", **EN).json()
    assert body["method"] == "median"
    assert body["weighted"] is True
    assert body["weights"] == {
        "judges": 70.0,
        "audience": 20.0,
        "audience_award_id": award.pk,
        "signals": 10.0,
        "signals_measure": "interested",
    }
    assert body["weights_summary"] == (
        "This round's total includes the audience vote at 20 % and the live signal “People interested” at 10 %; "
        "judges' scores count 70 %."
    )
    # e2 = 0.7 × 6 + 0.2 × 10 + 0.1 × 5 = 6.7;  e1 = 4.9 + 0 + 0.1 × 10 = 5.9;  e0 = 0.7 × 8 = 5.6
    assert _api_rows(body) == [
        (1, entries[2].pk, 6.7, 6.0, {"count": 10, "value": 10.0}, {"count": 2, "value": 5.0}),
        (2, entries[1].pk, 5.9, 7.0, {"count": 0, "value": 0.0}, {"count": 4, "value": 10.0}),
        (3, entries[0].pk, 5.6, 8.0, {"count": 0, "value": 0.0}, {"count": 0, "value": 0.0}),
    ]
    standing = services.round_standing(Round.objects.get(pk=round_.pk), method="median")
    track_ranks = {p.entry.entry_id: p.rank for group in standing.by_group.values() for p in group}
    assert [row["track_rank"] for row in body["ranking"]] == [track_ranks[row["entry_id"]] for row in body["ranking"]]
    assert body["ranking"][0]["judge_totals"] == {str(judge_id): 6.0 for judge_id in body["ranking"][0]["judge_totals"]}


@pytest.mark.django_db
@pytest.mark.integration
def test_results_api_explains_a_weighted_award_that_is_gone(client, worked, organiser):
    round_, award, _room = worked
    _update(round_, organiser, audience_weight=Decimal(30), audience_award=award)
    Award.objects.filter(pk=award.pk).update(kind=Award.Kind.SPONSOR)
    client.force_login(organiser)
    response = client.get(_api_url(round_), **EN)
    assert response.status_code == 200
    body = response.json()
    assert body["ranking"] == [] and body["weighted"] is True
    assert "its audience award is gone or is no longer an audience vote" in body["error"]


@pytest.mark.django_db
@pytest.mark.integration
def test_results_api_queries_do_not_grow_with_entries(client, worked, organiser, judges):
    round_, award, room = worked
    _update(round_, organiser, audience_weight=Decimal(20), audience_award=award, signals_weight=Decimal(10))
    client.force_login(organiser)

    def measure() -> int:
        client.get(_api_url(round_), **EN)  # warms the cached judges' results
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_api_url(round_), **EN)
        assert response.status_code == 200 and response.json()["weighted"]
        return len(queries)

    small = measure()
    _add_scored_entries(round_, judges, 6, award, room)
    assert measure() == small


@pytest.mark.django_db
@pytest.mark.integration
def test_schema_describes_the_weighted_results(client):
    import yaml

    schemas = yaml.safe_load(client.get("/api/schema/").content)["components"]["schemas"]
    ranked = schemas["RankedEntry"]["properties"]
    assert {"judges_value", "audience", "signal"} <= set(ranked)
    assert ranked["audience"]["nullable"] is True
    assert set(schemas["WeightedPart"]["properties"]) == {"count", "value"}
    assert {"weighted", "weights", "weights_summary"} <= set(schemas["Results"]["properties"])


@pytest.mark.django_db
@pytest.mark.integration
def test_signal_columns_say_which_measure_counts_with_its_weight(client, worked, organiser):
    round_, _award, _room = worked
    client.force_login(organiser)
    url = reverse("judging:results", kwargs={"slug": round_.event.slug, "number": round_.number})
    html = _text(client.get(url, **EN))
    assert html.count('title="Evidence, not counted in the total"') == 5
    assert "data-counted" not in html
    _update(round_, organiser, signals_weight=Decimal(10), signals_measure=Round.SignalsMeasure.REACTIONS)
    html = _text(client.get(url, **EN))
    assert html.count('title="Evidence, not counted in the total"') == 4
    assert (
        '<th scope="col" class="text-end small text-nowrap signals" data-counted="reactions" '
        'title="Counts in the total with its weight, 10 %">Reactions '
        '<span class="badge text-bg-info">10 % of the total</span></th>'
    ) in html
    assert html.count("data-counted=") == 1
