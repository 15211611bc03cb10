"""Rounds and criteria: set-up rules, weights that must total 100 %, and what is fixed once judges score."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from judging import services
from judging.models import Criterion, Round
from judging.services import CriterionInput

from .conftest import assign, open_round, scores_for

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def criteria(*weights):
    return [CriterionInput(name_en=f"C{i}", weight=weight) for i, weight in enumerate(weights)]


def error_dict(exc_info) -> dict[str, list[str]]:
    return {name: [m for e in errors for m in e.messages] for name, errors in exc_info.value.error_dict.items()}


def test_a_round_gets_the_next_number_and_its_criteria_in_order(event, organiser):
    first = open_round(event, organiser)
    second = open_round(event, organiser, name_en="Second round", weights=(50, 50))
    assert (first.number, second.number) == (1, 2)
    assert [(c.name_en, c.weight, c.position) for c in second.criteria.order_by("position")] == [
        ("Innovation", Decimal("50.00"), 1),
        ("Market", Decimal("50.00"), 2),
    ]
    assert second.tie_break_criterion.name_en == "Innovation"


def test_weights_must_total_exactly_100(event, organiser):
    round_ = open_round(event, organiser)
    with pytest.raises(ValidationError) as exc_info:
        services.criteria_set(round=round_, changed_by=organiser, criteria=criteria(40, 30, 20))
    assert error_dict(exc_info) == {"criteria": ["The weights add up to 90 %; they must total exactly 100 %."]}
    with pytest.raises(ValidationError) as exc_info:
        services.criteria_set(round=round_, changed_by=organiser, criteria=criteria("33.33", "33.33", "33.33"))
    assert error_dict(exc_info) == {"criteria": ["The weights add up to 99.99 %; they must total exactly 100 %."]}
    # Nothing changed: the round keeps its 40/30/30 criteria.
    assert list(round_.criteria.order_by("position").values_list("weight", flat=True)) == [40, 30, 30]


def test_each_weight_is_checked_with_a_clear_message(event, organiser):
    round_ = open_round(event, organiser)
    with pytest.raises(ValidationError) as exc_info:
        services.criteria_set(
            round=round_,
            changed_by=organiser,
            criteria=[
                CriterionInput(name_en="A", weight="abc"),
                CriterionInput(name_en="B", weight="-5"),
                CriterionInput(name_en="C", weight="105"),
                CriterionInput(name_en="D", weight="0.125"),
                CriterionInput(weight="10"),
            ],
        )
    assert error_dict(exc_info) == {
        "criterion_0": ["Enter the weight as a number of percent."],
        "criterion_1": ["A weight lies between 0 and 100 %."],
        "criterion_2": ["A weight lies between 0 and 100 %."],
        "criterion_3": ["Use at most two decimal places."],
        "criterion_4": ["Give the criterion a name in Chinese, English or both."],
    }


def test_a_round_needs_criteria_and_a_valid_tie_break(event, organiser):
    round_ = open_round(event, organiser)
    with pytest.raises(ValidationError) as exc_info:
        services.criteria_set(round=round_, changed_by=organiser, criteria=[])
    assert error_dict(exc_info) == {"criteria": ["A round needs at least one criterion."]}
    with pytest.raises(ValidationError) as exc_info:
        services.criteria_set(round=round_, changed_by=organiser, criteria=criteria(100), tie_break=3)
    assert error_dict(exc_info) == {"tie_break": ["Choose one of the round's criteria to break ties."]}


def test_a_zero_weight_criterion_is_allowed_for_tie_breaks(event, organiser):
    round_ = open_round(event, organiser)
    saved = services.criteria_set(round=round_, changed_by=organiser, criteria=criteria(100, 0), tie_break=1)
    round_.refresh_from_db()
    assert round_.tie_break_criterion == saved[1]
    assert saved[1].weight == 0


def test_round_settings_are_validated(event, organiser):
    now = timezone.now()
    base = {
        "name_en": "R",
        "opens_at": now,
        "closes_at": now - dt.timedelta(hours=1),
        "scale_min": Decimal(10),
        "scale_max": Decimal(0),
        "advancement_rule": "threshold",
    }
    with pytest.raises(ValidationError) as exc_info:
        services.round_create(event=event, created_by=organiser, **base)
    assert error_dict(exc_info) == {
        "closes_at": ["Scoring must close after it opens."],
        "scale_max": ["The highest score must be above the lowest."],
        "advancement_threshold": ["Give the lowest score that advances."],
    }
    with pytest.raises(ValidationError) as exc_info:
        services.round_create(
            event=event,
            created_by=organiser,
            name_en="",
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
            advancement_rule="top_overall",
        )
    assert error_dict(exc_info) == {
        "name_zh": ["Give the round a name in Chinese, English or both."],
        "advancement_count": ["Give how many entries advance (N, at least 1)."],
    }
    assert Round.objects.count() == 0


def test_a_threshold_must_lie_on_the_scale_and_round_numbers_are_unique(event, organiser):
    open_round(event, organiser)
    now = timezone.now()
    with pytest.raises(ValidationError) as exc_info:
        services.round_create(
            event=event,
            created_by=organiser,
            number=1,
            name_en="Again",
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
            advancement_rule="threshold",
            advancement_threshold=Decimal(11),
        )
    assert error_dict(exc_info) == {
        "advancement_threshold": ["The lowest advancing score must lie on the scale, 0–10."],
        "number": ["This event already has a round number 1."],
    }


def test_only_organisers_set_up_rounds(event, organiser, judges):
    round_ = open_round(event, organiser)
    with pytest.raises(PermissionDenied):
        open_round(event, judges[0])
    with pytest.raises(PermissionDenied):
        services.criteria_set(round=round_, changed_by=judges[0], criteria=criteria(100))
    with pytest.raises(PermissionDenied):
        services.round_update(round=round_, changed_by=judges[0], name_en="Hijacked")


def test_once_a_card_is_submitted_criteria_and_scale_are_fixed_but_names_can_change(round_, organiser, judges, entries):
    assign(round_, entries[0], judges[0])
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[0], scores=scores_for(round_, 7, 8, 9))
    existing = list(round_.criteria.order_by("position"))
    kept = [CriterionInput(id=c.pk, name_en=c.name_en, weight=c.weight) for c in existing]
    with pytest.raises(ValidationError) as exc_info:
        services.criteria_set(
            round=round_, changed_by=organiser, criteria=[*kept, CriterionInput(name_en="X", weight=0)]
        )
    assert exc_info.value.error_dict["criteria"][0].code == "criteria_fixed"
    reweighted = [
        CriterionInput(id=c.pk, name_en=c.name_en, weight=w) for c, w in zip(existing, (50, 25, 25), strict=True)
    ]
    with pytest.raises(ValidationError):
        services.criteria_set(round=round_, changed_by=organiser, criteria=reweighted)
    with pytest.raises(ValidationError) as exc_info:
        services.round_update(round=round_, changed_by=organiser, scale_max=Decimal(100))
    assert error_dict(exc_info) == {
        "scale_max": ["Judges have already submitted cards on this scale; it can no longer change."]
    }

    renamed = [
        CriterionInput(id=c.pk, name_en=f"{c.name_en}!", guidance_en="New guidance", weight=c.weight) for c in existing
    ]
    services.criteria_set(round=round_, changed_by=organiser, criteria=renamed, tie_break=2)
    assert list(Criterion.objects.filter(round=round_).order_by("position").values_list("name_en", flat=True)) == [
        "Innovation!",
        "Market!",
        "Team!",
    ]
    assert round_.scorecards.get().scores.count() == 3
