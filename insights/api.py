"""Outcome analytics API: did a released round's scores predict what became of the projects
(signed, landed, in production), and the weights suggested for the next edition.

Read-only over ``insights.outcomes``; applying the suggested weights stays a confirmed action:
the POST needs ``"confirm": true`` and the service recomputes the suggestion itself.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ERRORS, check_visible, denied, error_response, invalid_response, require_api
from judging.models import Round

from . import outcomes
from .analytics import BLEND, MIN_SAMPLE

ROUND = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The judging round's id.")
OUTCOME = OpenApiParameter(
    "outcome",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=list(outcomes.OUTCOMES),
    description="The outcome the suggested weights are for (default: signed).",
)


class CorrelationSerializer(serializers.Serializer):
    rho = serializers.FloatField(allow_null=True, help_text="Spearman's rank correlation; null when a side is flat.")
    n = serializers.IntegerField(help_text="How many projects it rests on.")
    too_few = serializers.BooleanField(help_text=f"Under {MIN_SAMPLE} projects: too few to say; never suggested from.")


class ByOutcomeSerializer(serializers.Serializer):
    signed = CorrelationSerializer()
    landed = CorrelationSerializer()
    production = CorrelationSerializer()


class AnalysisRowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The criterion's or judge's name, or the total, in the request's language.")
    criterion_id = serializers.IntegerField(allow_null=True, help_text="Null for judges' rows and the total.")
    weight = serializers.FloatField(allow_null=True, help_text="The criterion's weight now (%).")
    by_outcome = ByOutcomeSerializer()


class OutcomeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="In the request's language.")
    reached = serializers.IntegerField(help_text="How many of the scored projects reached it.")


class SuggestedWeightSerializer(serializers.Serializer):
    criterion_id = serializers.IntegerField()
    label = serializers.CharField()
    current = serializers.FloatField(help_text="Weight now (%).")
    correlation = CorrelationSerializer()
    suggested = serializers.FloatField(help_text="Suggested weight (%); the suggestion totals 100.")


class SuggestionSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    weights = SuggestedWeightSerializer(many=True, help_text="Empty when the evidence suggests nothing.")
    reasoning = serializers.CharField(help_text="How the suggestion is made, or why there is none.")


class AnalysedRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()
    event = serializers.SlugField(source="event.slug")


class AnalysisSerializer(serializers.Serializer):
    round = AnalysedRoundSerializer()
    entries = serializers.IntegerField(help_text="Scored projects.")
    error = serializers.CharField(help_text="Why the round has no results to analyse; empty otherwise.")
    outcomes = OutcomeSerializer(many=True)
    total = AnalysisRowSerializer()
    criteria = AnalysisRowSerializer(many=True)
    judges = AnalysisRowSerializer(many=True, help_text="Only for those who may see the round's full results.")
    suggestion = SuggestionSerializer()


def _correlation(cell) -> dict:
    return {"rho": cell.rho, "n": cell.n, "too_few": cell.too_few}


def _row(row: outcomes.Row) -> dict:
    criterion = row.criterion
    return {
        "label": row.label,
        "criterion_id": criterion.pk if criterion else None,
        "weight": float(criterion.weight) if criterion else None,
        "by_outcome": {key: _correlation(cell) for key, cell in row.cells()},
    }


def _suggestion(analysis: outcomes.Analysis, outcome: str) -> dict:
    weights = analysis.suggestion(outcome) if not analysis.error else None
    if weights is None:
        reasoning = _(
            "No suggestion: too few projects, or no criterion's scores went with this outcome. "
            "The current weights stay as they are."
        )
        return {"outcome": outcome, "weights": [], "reasoning": reasoning}
    reasoning = _(
        "Each criterion's target share is proportional to its correlation with the outcome "
        "“%(outcome)s”, counting only positive correlations from at least %(min)s projects (a criterion "
        "that did not predict the outcome, or predicted it backwards, gets no target share). The "
        "suggestion is %(blend)s %% that target and the rest the current weights, so one edition's "
        "evidence moves the weights without discarding the organisers' judgement. It totals exactly 100 %%."
    ) % {"outcome": outcomes.OUTCOMES[outcome], "min": MIN_SAMPLE, "blend": int(BLEND * 100)}
    rows = [
        {
            "criterion_id": row.criterion.pk,
            "label": row.label,
            "current": float(row.criterion.weight),
            "correlation": _correlation(row.by_outcome[outcome]),
            "suggested": float(weights[row.criterion.pk]),
        }
        for row in analysis.criteria
    ]
    return {"outcome": outcome, "weights": rows, "reasoning": reasoning}


def _insights_round(request, round_id: int) -> Round:
    """The round, for those who read the event's insights: 404 when hidden, 401/403 otherwise."""
    round_ = get_object_or_404(Round.objects.select_related("event"), pk=round_id)
    check_visible(request, round_.event)
    require_api(request, "insights.view", round_.event)
    return round_


@extend_schema(tags=["insights"], parameters=[ROUND, OUTCOME], responses={200: AnalysisSerializer, 400: ERRORS})
class OutcomeAnalysisView(APIView):
    """Correlations of a released round's scores (per criterion, per judge and the total) with
    what became of the projects, each with its sample size, and the weights suggested for the
    next edition with the reasoning (organisers and ledger editors; judges' rows for organisers)."""

    def get(self, request, id: int):
        round_ = _insights_round(request, id)
        outcome = request.query_params.get("outcome") or "signed"
        if outcome not in outcomes.OUTCOMES:
            return invalid_response({"outcome": [_("Choose an outcome.")]})
        try:
            analysis = outcomes.outcome_analysis(round=round_, viewer=request.user)
        except ValidationError as exc:
            return error_response(exc)
        body = {
            "round": round_,
            "entries": analysis.entries,
            "error": analysis.error,
            "outcomes": [
                {"key": key, "label": str(label), "reached": analysis.outcome_counts[key]}
                for key, label in outcomes.OUTCOMES.items()
            ],
            "total": _row(analysis.total),
            "criteria": [_row(row) for row in analysis.criteria],
            "judges": [_row(row) for row in analysis.judges],
            "suggestion": _suggestion(analysis, outcome),
        }
        return Response(AnalysisSerializer(body).data)


class ApplyWeightsInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=list(outcomes.OUTCOMES), help_text="The outcome whose suggestion to apply."
    )
    target = serializers.IntegerField(help_text="The id of a round whose scoring has not opened yet.")
    confirm = serializers.BooleanField(default=False, help_text="Must be true: nothing changes otherwise.")


class AppliedCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.FloatField()


@extend_schema(
    tags=["insights"],
    parameters=[ROUND],
    request=ApplyWeightsInputSerializer,
    responses={200: AppliedCriterionSerializer(many=True), 400: ERRORS},
)
class ApplySuggestedWeightsView(APIView):
    """Put the suggested weights (recomputed, never taken from the request) on a future round's
    criteria. Only with ``"confirm": true``; the target round's organisers only."""

    def post(self, request, id: int):
        source = _insights_round(request, id)
        body = ApplyWeightsInputSerializer(data=request.data)
        if not body.is_valid():
            return invalid_response(body.errors)
        data = body.validated_data
        target = Round.objects.select_related("event").filter(pk=data["target"]).first()
        if target is None:
            return invalid_response({"target": [_("No such round.")]})
        try:
            criteria = outcomes.suggested_weights_apply(
                source=source,
                outcome=data["outcome"],
                target=target,
                confirmed_by=request.user,
                confirmed=data["confirm"],
            )
        except PermissionDenied as exc:
            raise denied(request, exc) from None
        except ValidationError as exc:
            return error_response(exc)
        return Response(
            AppliedCriterionSerializer(
                [{"id": c.pk, "name": c.name, "weight": float(c.weight)} for c in criteria], many=True
            ).data
        )
