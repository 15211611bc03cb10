"""Outcome analytics on a hand-built edition: known correlations, small samples, confirm-only weights."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from events.models import Role
from insights import outcomes
from judging.models import Criterion
from tests.factories import EventRoleFactory
from tests.insights.outcomes_setup import make_edition, person

pytestmark = pytest.mark.django_db
SEPARATES = 0.8703882797784892  # rho of a perfect split of ten scores against five 0s and five 1s


@pytest.fixture
def edition():
    return make_edition()


def test_criterion_a_predicts_signing_and_b_is_reversed(edition):
    with translation.override("en"):
        analysis = outcomes.outcome_analysis(round=edition.round, viewer=edition.organiser)

    technology, market = analysis.criteria
    assert (technology.label, market.label) == ("Technology", "Market")
    assert technology.by_outcome["signed"].rho == pytest.approx(SEPARATES)
    assert market.by_outcome["signed"].rho == pytest.approx(-SEPARATES)
    assert technology.by_outcome["signed"].n == 10
    assert technology.by_outcome["signed"].too_few is False
    assert analysis.outcome_counts == {"signed": 5, "landed": 2, "production": 1}
    assert analysis.entries == 10
    assert technology.by_outcome["production"].rho > technology.by_outcome["landed"].rho * 0.5
    assert [row.label for row in analysis.judges] == ["Judge Alpha", "Judge Beta"]
    assert analysis.judges[0].by_outcome["signed"].n == 10
    # Both judges score A and B alike, so their totals do not vary: undefined, not zero.
    assert analysis.judges[0].by_outcome["signed"].rho is None


def test_suggestion_moves_weight_to_the_predicting_criterion(edition):
    analysis = outcomes.outcome_analysis(round=edition.round, viewer=edition.organiser)
    assert analysis.suggestion("signed") == {edition.criterion_a.pk: Decimal(75), edition.criterion_b.pk: Decimal(25)}


def test_small_samples_give_no_suggestion():
    small = make_edition(projects=6, slug="small")
    analysis = outcomes.outcome_analysis(round=small.round, viewer=small.organiser)
    cell = analysis.criteria[0].by_outcome["signed"]
    assert (cell.n, cell.too_few, cell.usable) == (6, True, None)
    assert analysis.suggestion("signed") is None
    EventRoleFactory(event=small.next_round.event, user=small.organiser, role=Role.ORGANISER)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        outcomes.suggested_weights_apply(
            source=small.round, outcome="signed", target=small.next_round, confirmed_by=small.organiser, confirmed=True
        )
    assert exc.value.messages == ["There is no suggestion to apply: too few projects or no positive correlation."]


def weights(round_):
    return list(Criterion.objects.filter(round=round_).order_by("position").values_list("name_en", "weight"))


def test_weights_apply_only_on_confirm(edition):
    # The organiser of both editions confirms; without the tick nothing changes.
    organiser = edition.organiser
    EventRoleFactory(event=edition.next_round.event, user=organiser, role=Role.ORGANISER)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        outcomes.suggested_weights_apply(
            source=edition.round, outcome="signed", target=edition.next_round, confirmed_by=organiser, confirmed=False
        )
    assert exc.value.message_dict == {"confirm": ["Tick the box to confirm: the weights change only when you confirm."]}
    assert weights(edition.next_round) == [("Technology", Decimal(50)), ("Market", Decimal(50))]
    kept = set(Criterion.objects.filter(round=edition.next_round).values_list("pk", flat=True))

    outcomes.suggested_weights_apply(
        source=edition.round, outcome="signed", target=edition.next_round, confirmed_by=organiser, confirmed=True
    )

    assert weights(edition.next_round) == [("Technology", Decimal(75)), ("Market", Decimal(25))]
    assert set(Criterion.objects.filter(round=edition.next_round).values_list("pk", flat=True)) == kept
    assert weights(edition.round) == [("Technology", Decimal(50)), ("Market", Decimal(50))]


def test_only_the_target_events_organisers_apply_and_only_future_rounds(edition):
    with pytest.raises(PermissionDenied):  # organiser of the source edition only
        outcomes.suggested_weights_apply(
            source=edition.round,
            outcome="signed",
            target=edition.next_round,
            confirmed_by=edition.organiser,
            confirmed=True,
        )
    with pytest.raises(PermissionDenied):  # organiser of the next edition cannot read this one
        outcomes.suggested_weights_apply(
            source=edition.round,
            outcome="signed",
            target=edition.next_round,
            confirmed_by=edition.next_organiser,
            confirmed=True,
        )
    with pytest.raises(ValidationError):
        outcomes.suggested_weights_apply(
            source=edition.round, outcome="signed", target=edition.round, confirmed_by=edition.organiser, confirmed=True
        )
    assert weights(edition.next_round) == [("Technology", Decimal(50)), ("Market", Decimal(50))]
    assert list(outcomes.future_rounds(edition.next_organiser)) == [edition.next_round]
    assert list(outcomes.future_rounds(edition.organiser)) == []


def test_unreleased_rounds_and_outsiders(edition):
    edition.round.results_released_at = None
    edition.round.save(update_fields=["results_released_at"])
    with pytest.raises(ValidationError):
        outcomes.outcome_analysis(round=edition.round, viewer=edition.organiser)
    judge = edition.judges[0]
    with pytest.raises(PermissionDenied):
        outcomes.outcome_analysis(round=edition.round, viewer=judge)


def test_ledger_editors_see_criteria_but_not_judges(edition):
    editor = person(edition.event, Role.LEDGER_EDITOR)
    analysis = outcomes.outcome_analysis(round=edition.round, viewer=editor)
    assert len(analysis.criteria) == 2
    assert analysis.judges == []
