"""Awards API: the event's public awards (published winners, open votes), casting an audience
vote, and an award's ranking for organisers. Same services and permission checks as the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import visible_event as _event
from events.services import require
from registration.models import Entry

from . import selectors, services
from .models import Award, AwardWinner

SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.")
AWARD = OpenApiParameter("award_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The award's id.")


def _award(request, slug: str, pk: int) -> Award:
    award = selectors.award_of(_event(request, slug), pk)
    if award is None:
        raise Http404
    return award


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


class EntryBriefSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True, help_text="Title in the request's language.")
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = Entry
        fields = ["id", "reference", "title"]


class WinnerSerializer(serializers.ModelSerializer):
    entry = EntryBriefSerializer()

    class Meta:
        model = AwardWinner
        fields = ["id", "rank", "entry"]


class AwardSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")
    vote_is_open = serializers.BooleanField(read_only=True)
    winners = WinnerSerializer(many=True, read_only=True, help_text="Empty until the winners are published.")

    class Meta:
        model = Award
        fields = ["id", "name", "name_zh", "name_en", "kind", "sponsor", "winner_count", "vote_is_open", "winners"]


@extend_schema(tags=["awards"], parameters=[SLUG])
class AwardListView(generics.ListAPIView):
    """The event's awards anyone may see: those with published winners and audience votes open now."""

    serializer_class = AwardSerializer

    def get_queryset(self):
        event = _event(self.request, self.kwargs["slug"])
        published = AwardWinner.objects.filter(award__is_published=True).select_related("entry").order_by("rank")
        return (
            Award.objects.filter(event=event)
            .filter(Q(is_published=True) | Q(kind=Award.Kind.AUDIENCE, vote_opened_at__isnull=False))
            .prefetch_related(Prefetch("winners", queryset=published))
            .order_by("pk")
        )


class VoteInputSerializer(serializers.Serializer):
    entry = serializers.IntegerField(help_text="The id of the entry voted for.")


@extend_schema(
    tags=["awards"],
    parameters=[SLUG, AWARD],
    request=VoteInputSerializer,
    responses={
        201: inline_serializer(
            "AudienceVote", {"entry": serializers.IntegerField(), "created_at": serializers.DateTimeField()}
        ),
        400: OpenApiTypes.OBJECT,
    },
)
class VoteView(APIView):
    """Cast the requesting account's one vote in an open audience award (verified e-mail required)."""

    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, slug: str, award_id: int):
        award = _award(request, slug, award_id)
        body = VoteInputSerializer(data=request.data)
        if not body.is_valid():
            return Response({"errors": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            vote = services.vote_cast(
                award=award,
                entry_id=body.validated_data["entry"],
                voter=request.user,
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.headers.get("user-agent", ""),
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        except ValidationError as exc:
            return Response({"errors": _errors(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"entry": vote.entry_id, "created_at": vote.created_at}, status=status.HTTP_201_CREATED)


RANK_LINES = inline_serializer(
    "AwardRankLine",
    {
        "rank": serializers.IntegerField(allow_null=True),
        "entry": EntryBriefSerializer(),
        "value": serializers.FloatField(allow_null=True, help_text="Score on the round's scale (judged awards)."),
        "card_count": serializers.IntegerField(),
        "votes": serializers.IntegerField(allow_null=True, help_text="Audience votes (audience awards only)."),
    },
    many=True,
)


@extend_schema(
    tags=["awards"],
    parameters=[SLUG, AWARD],
    responses=inline_serializer(
        "AwardRanking",
        {
            "weights": serializers.DictField(child=serializers.FloatField(), help_text="Criterion id → weight (%)."),
            "error": serializers.CharField(),
            "lines": RANK_LINES,
        },
    ),
)
class RankingView(APIView):
    """An award's ranking of its eligible entries (organisers); audience votes never enter judged rankings."""

    def get(self, request, slug: str, award_id: int):
        award = _award(request, slug, award_id)
        try:
            require(request.user, "awards.manage", award.event)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        ranking = services.award_ranking(award=award, viewer=request.user)
        return Response(
            {
                "weights": {str(pk): float(weight) for pk, weight in ranking.weights.items()},
                "error": ranking.error,
                "lines": [
                    {
                        "rank": line.rank,
                        "entry": EntryBriefSerializer(line.entry).data,
                        "value": line.value,
                        "card_count": line.card_count,
                        "votes": line.votes,
                    }
                    for line in ranking.lines
                ],
            }
        )
