"""Judging API: the event's rounds; a judge's assignments and own scorecards; a round's results for organisers.

The same services and permission checks as the pages: a judge reaches only entries assigned
to them (404 otherwise), blind rounds never include who is behind an entry, and results are
for organisers only (403).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api import denied
from core.api import visible_event as _event
from events.models import Event
from events.services import can, require
from registration.models import Entry, TeamMember

from . import selectors, services
from .aggregation import Method
from .models import Assignment, Criterion, Round, Scorecard

SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.")
NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The round's number.")
ENTRY = OpenApiParameter("entry_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The entry's id.")
METHOD = OpenApiParameter(
    "method",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=[m.value for m in Method],
    description="Aggregation method (default: the round's own).",
)


def _round(request, slug: str, number: int) -> Round:
    round_ = selectors.round_of(_event(request, slug), number)
    if round_ is None:
        raise Http404
    return round_


def _require(user, action: str, event: Event) -> None:
    try:
        require(user, action, event)
    except PermissionDenied as exc:
        raise ApiPermissionDenied(str(exc)) from None


class RoundSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")
    is_open = serializers.BooleanField(read_only=True, help_text="Judges may score now.")

    class Meta:
        model = Round
        fields = ["number", "name", "blind", "live", "opens_at", "closes_at", "scale_min", "scale_max", "is_open"]


class TeamMemberSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["name", "is_lead", "role", "organisation", "country"]


class BlindEntrySerializer(serializers.ModelSerializer):
    """What every judge sees of an entry; blind rounds show nothing more."""

    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True, help_text="Title in the request's language.")
    track = serializers.CharField(source="track.name", read_only=True, default="")

    class Meta:
        model = Entry
        fields = [
            "id",
            "reference",
            "title",
            "track",
            "stage",
            "summary",
            "technology",
            "ip_summary",
            "patent_count",
            "funding_sought",
            "planned_city",
            "planned_park",
        ]


class OpenEntrySerializer(BlindEntrySerializer):
    """An entry in a round that is not blind: with its team and video link."""

    team = TeamMemberSerializer(many=True, read_only=True)

    class Meta(BlindEntrySerializer.Meta):
        fields = [*BlindEntrySerializer.Meta.fields, "video_url", "team"]


def entry_data(entry: Entry, round_: Round) -> dict:
    serializer = BlindEntrySerializer if round_.blind else OpenEntrySerializer
    return serializer(entry).data


class AssignmentSerializer(serializers.Serializer):
    round = RoundSerializer()
    entry = serializers.DictField(help_text="The entry; in blind rounds without team, video or names.")
    card_status = serializers.ChoiceField(
        choices=["todo", "draft", "submitted"], help_text="The state of the judge's own card."
    )
    locked = serializers.BooleanField()


@extend_schema(tags=["judging"], parameters=[SLUG])
class AssignmentListView(generics.ListAPIView):
    """The requesting judge's assigned entries in every round of the event, with the state of their cards."""

    serializer_class = AssignmentSerializer

    def get_queryset(self):
        event = _event(self.request, self.kwargs["slug"])
        _require(self.request.user, "judging.score", event)
        return (
            Assignment.objects.filter(round__event=event, judge=self.request.user)
            .select_related("round", "entry", "entry__track")
            .prefetch_related(Prefetch("entry__team", queryset=TeamMember.objects.order_by("-is_lead", "position")))
            .order_by("round__number", "entry_id")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        cards = {
            (card.round_id, card.entry_id): card
            for card in Scorecard.objects.filter(
                judge=request.user, entry_id__in=[a.entry_id for a in page], round_id__in={a.round_id for a in page}
            ).only("round_id", "entry_id", "status", "locked")
        }
        rows = []
        for assignment in page:
            card = cards.get((assignment.round_id, assignment.entry_id))
            rows.append(
                {
                    "round": RoundSerializer(assignment.round).data,
                    "entry": entry_data(assignment.entry, assignment.round),
                    "card_status": card.status if card else "todo",
                    "locked": bool(card and card.locked),
                }
            )
        return self.get_paginated_response(rows)


class RoundListItemSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")
    status = serializers.SerializerMethodField(
        help_text="not_open, open (judges may score), closed, or advanced (advancement confirmed)."
    )
    results_released = serializers.BooleanField(read_only=True)

    class Meta:
        model = Round
        fields = ["id", "number", "name", "status", "opens_at", "closes_at", "results_released"]

    @extend_schema_field(serializers.ChoiceField(choices=["not_open", "open", "closed", "advanced"]))
    def get_status(self, round_: Round) -> str:
        # The same order as the organisers' round list: a confirmed advancement says the most.
        if round_.advancement_confirmed:
            return "advanced"
        if round_.is_closed:
            return "closed"
        return "open" if round_.is_open() else "not_open"


@extend_schema(tags=["judging"], parameters=[SLUG])
class RoundListView(generics.ListAPIView):
    """The event's judging rounds by number, with the ids other endpoints take (e.g. the expert pool's
    ``round``), for the event's organisers and judges."""

    serializer_class = RoundListItemSerializer

    def get_queryset(self):
        event = _event(self.request, self.kwargs["slug"])
        if not any(can(self.request.user, action, event) for action in ("judging.configure", "judging.score")):
            raise denied(self.request)
        return selectors.rounds_of(event)


class CriterionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    guidance = serializers.CharField(read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "name", "guidance", "weight", "position"]


CARD_RESPONSE = inline_serializer(
    "Scorecard",
    {
        "round": RoundSerializer(),
        "entry": serializers.DictField(),
        "criteria": CriterionSerializer(many=True),
        "card_status": serializers.ChoiceField(choices=["todo", "draft", "submitted"]),
        "locked": serializers.BooleanField(),
        "reopened": serializers.BooleanField(),
        "scores": serializers.DictField(
            child=serializers.DecimalField(max_digits=6, decimal_places=2), help_text="Criterion id → score."
        ),
        "total": serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True),
        "comment_to_organisers": serializers.CharField(),
        "feedback_to_entrant": serializers.CharField(),
        "submitted_at": serializers.DateTimeField(allow_null=True),
    },
)


class ScorecardInputSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True),
        required=False,
        help_text="Criterion id → score (number or text); an empty value clears a draft score.",
    )
    comment_to_organisers = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    feedback_to_entrant = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    submit = serializers.BooleanField(required=False, default=False, help_text="Submit the card (all criteria).")


@extend_schema(tags=["judging"], parameters=[SLUG, NUMBER, ENTRY])
class ScorecardView(APIView):
    """The requesting judge's own card for one assigned entry: read it, save a draft or submit it."""

    permission_classes = [permissions.IsAuthenticated]

    def _context(self, request, slug: str, number: int, entry_id: int) -> tuple[Round, Entry]:
        round_ = _round(request, slug, number)
        _require(request.user, "judging.score", round_.event)
        if not selectors.is_assigned(round_, entry_id, request.user):
            raise Http404
        entry = (
            Entry.objects.select_related("track")
            .prefetch_related(Prefetch("team", queryset=TeamMember.objects.order_by("-is_lead", "position")))
            .get(pk=entry_id)
        )
        return round_, entry

    def _data(self, round_: Round, entry: Entry, judge) -> dict:
        card = selectors.card_of(round_, entry.pk, judge)
        scores = {str(s.criterion_id): s.value for s in card.scores.all()} if card else {}
        return {
            "round": RoundSerializer(round_).data,
            "entry": entry_data(entry, round_),
            "criteria": CriterionSerializer(selectors.criteria_of(round_), many=True).data,
            "card_status": card.status if card else "todo",
            "locked": bool(card and card.locked),
            "reopened": bool(card and card.reopened),
            "scores": {key: f"{value:.2f}" for key, value in scores.items()},
            "total": f"{services.card_total(card):.4f}" if card and card.is_submitted else None,
            "comment_to_organisers": card.comment_to_organisers if card else "",
            "feedback_to_entrant": card.feedback_to_entrant if card else "",
            "submitted_at": card.submitted_at if card else None,
        }

    @extend_schema(responses={200: CARD_RESPONSE})
    def get(self, request, slug: str, number: int, entry_id: int):
        round_, entry = self._context(request, slug, number, entry_id)
        return Response(self._data(round_, entry, request.user))

    @extend_schema(
        request=ScorecardInputSerializer,
        responses={
            200: CARD_RESPONSE,
            400: inline_serializer(
                "ScorecardErrors",
                {"errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()))},
            ),
        },
    )
    def put(self, request, slug: str, number: int, entry_id: int):
        round_, entry = self._context(request, slug, number, entry_id)
        body = ScorecardInputSerializer(data=request.data)
        if not body.is_valid():
            return Response({"errors": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        data = body.validated_data
        save = services.scorecard_submit if data["submit"] else services.scorecard_save_draft
        try:
            save(
                round=round_,
                entry=entry,
                judge=request.user,
                scores=data.get("scores") or {},
                comment_to_organisers=data.get("comment_to_organisers"),
                feedback_to_entrant=data.get("feedback_to_entrant"),
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self._data(round_, entry, request.user))


class WeightedPartSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="The raw count: audience votes, or the live signal's count.")
    value = serializers.FloatField(help_text="The count put on the round's scale (the highest count gets the top).")


class RankedEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="Rank by the round's total (weighted when the round has weights).")
    track_rank = serializers.IntegerField(allow_null=True)
    entry_id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    track = serializers.CharField()
    value = serializers.FloatField(
        help_text="The round's total: the judges' value, with the audience vote and the live signal weighed in "
        "when the round gives them a weight."
    )
    judges_value = serializers.FloatField(
        help_text="The judges' value under the method (equals value when unweighted)."
    )
    audience = WeightedPartSerializer(
        allow_null=True, help_text="Audience votes and their value; null when unweighted."
    )
    signal = WeightedPartSerializer(
        allow_null=True, help_text="The counted live signal and its value; null when unweighted."
    )
    card_count = serializers.IntegerField()
    criterion_means = serializers.DictField(child=serializers.FloatField(), help_text="Criterion id → mean.")
    judge_totals = serializers.DictField(child=serializers.FloatField(), help_text="Judge id → their total.")
    spread_range = serializers.FloatField()
    spread_std = serializers.FloatField()
    disagreement = serializers.BooleanField()


class JudgeReportSerializer(serializers.Serializer):
    judge_id = serializers.IntegerField()
    name = serializers.CharField()
    cards_done = serializers.IntegerField()
    mean_total = serializers.FloatField()
    leniency = serializers.FloatField()
    spearman = serializers.FloatField(allow_null=True)


class RoundWeightsSerializer(serializers.Serializer):
    judges = serializers.FloatField(help_text="Percent of the total the judges' scores count.")
    audience = serializers.FloatField(help_text="Percent the audience vote counts (0: not counted).")
    audience_award_id = serializers.IntegerField(allow_null=True, help_text="The audience award whose votes count.")
    signals = serializers.FloatField(help_text="Percent the live signal counts (0: evidence only).")
    signals_measure = serializers.ChoiceField(
        choices=Round.SignalsMeasure.choices, help_text="The live signal that counts."
    )


class ResultsSerializer(serializers.Serializer):
    method = serializers.CharField()
    error = serializers.CharField()
    weighted = serializers.BooleanField(help_text="The total includes the audience vote or a live signal.")
    weights = RoundWeightsSerializer()
    weights_summary = serializers.CharField(
        help_text="The sentence shown with the round's total; empty when unweighted."
    )
    ranking = RankedEntrySerializer(many=True)
    judges = JudgeReportSerializer(many=True)


@extend_schema(tags=["judging"], parameters=[SLUG, NUMBER, METHOD], responses={200: ResultsSerializer})
class ResultsView(APIView):
    """A round's ranking (overall, with each entry's rank in its track) and judge reports: organisers only.

    The rank and value are the round's standing (``services.round_standing``), as on the results
    page: when the round gives the audience vote or a live signal a weight, they are weighed in and
    each entry carries its parts; otherwise the ranking is the judges' alone.
    """

    def get(self, request, slug: str, number: int):
        round_ = _round(request, slug, number)
        _require(request.user, "judging.view_results", round_.event)
        method = request.query_params.get("method") or round_.method
        if method not in Method._value2member_map_:
            return Response(
                {"errors": {"method": [f"Choose one of: {', '.join(m.value for m in Method)}."]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        head = {
            "method": method,
            "weighted": round_.is_weighted,
            "weights": {
                "judges": float(round_.judges_weight),
                "audience": float(round_.audience_weight),
                "audience_award_id": round_.audience_award_id,
                "signals": float(round_.signals_weight),
                "signals_measure": round_.signals_measure,
            },
            "weights_summary": round_.weights_summary,
        }
        computed = services.results_compute(round_)
        result = computed.of(method)
        if result is None:
            return Response(ResultsSerializer({**head, "error": computed.error, "ranking": [], "judges": []}).data)
        try:
            standing = services.round_standing(round_, method=method, results=computed)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            return Response(ResultsSerializer({**head, "error": error, "ranking": [], "judges": []}).data)
        entries = Entry.objects.select_related("track").in_bulk([place.entry.entry_id for place in standing.overall])
        track_ranks = {place.entry.entry_id: place.rank for group in standing.by_group.values() for place in group}
        judges = User.objects.in_bulk(list(result.judges))

        def part(component) -> dict | None:
            return None if component is None else {"count": component.count, "value": component.value}

        ranking = []
        for place in standing.overall:
            line, entry = place.entry, entries[place.entry.entry_id]
            ranking.append(
                {
                    "rank": place.rank,
                    "track_rank": track_ranks.get(line.entry_id),
                    "entry_id": line.entry_id,
                    "reference": entry.reference,
                    "title": entry.title,
                    "track": entry.track.name if entry.track else "",
                    "value": line.value,
                    "judges_value": line.judges_value,
                    "audience": part(line.audience),
                    "signal": part(line.signal),
                    "card_count": line.card_count,
                    "criterion_means": {str(k): v for k, v in line.result.criterion_means.items()},
                    "judge_totals": {str(k): v for k, v in line.result.judge_totals.items()},
                    "spread_range": line.result.spread_range,
                    "spread_std": line.result.spread_std,
                    "disagreement": line.result.disagreement,
                }
            )
        reports = [
            {
                "judge_id": judge_id,
                "name": judges[judge_id].display_name,
                "cards_done": report.cards_done,
                "mean_total": report.mean_total,
                "leniency": report.leniency,
                "spearman": report.spearman,
            }
            for judge_id, report in result.judges.items()
        ]
        return Response(ResultsSerializer({**head, "error": "", "ranking": ranking, "judges": reports}).data)
