"""Deals and meetings API: an event's deals for organisers and ledger editors (list, record,
change, move the stage), an event's meetings for organisers, and a person's own meetings.

The same services and permission checks as the pages; a service's ``ValidationError`` answers
400 with its messages.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_response as _errors
from core.api import visible_event as _event
from events.models import Event
from events.services import require

from ..models import Deal, EnterpriseProfile, Lead, Meeting, MeetingParticipant
from ..selectors import deals as deal_selectors
from ..selectors import meetings as meeting_selectors
from ..services import deals as services

SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.")
DEAL = OpenApiParameter("deal_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The deal's id.")
STAGE = OpenApiParameter(
    "stage", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=Deal.Stage.values, description="Only deals at this stage."
)
ERRORS = inline_serializer(
    "DockingErrors", {"errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()))}
)


def _require(user, action: str, event: Event) -> None:
    try:
        require(user, action, event)
    except PermissionDenied as exc:
        raise ApiPermissionDenied(str(exc)) from None


class DealSerializer(serializers.ModelSerializer):
    entry_title = serializers.CharField(source="entry.title", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default="")

    class Meta:
        model = Deal
        fields = [
            "id",
            "entry",
            "entry_title",
            "enterprise",
            "enterprise_name",
            "kind",
            "stage",
            "amount_cny",
            "parties",
            "signed_on",
            "meeting",
            "lead",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DealInputSerializer(serializers.Serializer):
    """What a client may send; the rules are the service's (amount not negative, signing date, ...)."""

    entry = serializers.IntegerField(required=False, help_text="The project's (entry's) id.")
    enterprise = serializers.IntegerField(required=False, allow_null=True, help_text="Enterprise profile id.")
    kind = serializers.ChoiceField(choices=Deal.Kind.choices, required=False)
    stage = serializers.ChoiceField(
        choices=Deal.Stage.choices,
        required=False,
        help_text="On create: intent or signed. On update: a move to signed or cancelled.",
    )
    amount_cny = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    parties = serializers.CharField(required=False, allow_blank=True, max_length=500)
    signed_on = serializers.DateField(required=False, allow_null=True)
    meeting = serializers.IntegerField(required=False, allow_null=True)
    lead = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="Why it is cancelled.")


def _objects(event: Event, data: dict) -> dict:
    """Turn ids into the event's objects; unknown ids are a 400 on their field."""
    lookups = {
        "entry": meeting_selectors.docking_entries(event),
        "enterprise": EnterpriseProfile.objects.all(),
        "meeting": Meeting.objects.filter(event=event),
        "lead": Lead.objects.filter(event=event),
    }
    resolved = {}
    for name, value in data.items():
        if name in lookups and value is not None:
            found = lookups[name].filter(pk=value).first()
            if found is None:
                raise ValidationError({name: _("Not found in this event.")})
            resolved[name] = found
        else:
            resolved[name] = value
    return resolved


@extend_schema(tags=["docking"], parameters=[SLUG])
class DealListView(generics.ListAPIView):
    """The event's deals (organisers and ledger editors), newest first; record one with POST."""

    serializer_class = DealSerializer

    @extend_schema(parameters=[STAGE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        event = _event(self.request, self.kwargs["slug"])
        _require(self.request.user, "docking.record_deal", event)
        stage = self.request.query_params.get("stage", "")
        return deal_selectors.deals_of(event, stage=stage if stage in Deal.Stage.values else "")

    @extend_schema(request=DealInputSerializer, responses={201: DealSerializer, 400: ERRORS})
    def post(self, request, slug: str):
        event = _event(request, slug)
        _require(request.user, "docking.record_deal", event)
        body = DealInputSerializer(data=request.data)
        if not body.is_valid():
            return Response({"errors": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        data = dict(body.validated_data)
        data.pop("reason", None)
        missing = {name: ["This field is required."] for name in ("entry", "kind") if name not in data}
        if missing:
            return Response({"errors": missing}, status=status.HTTP_400_BAD_REQUEST)
        try:
            deal = services.deal_create(event=event, recorded_by=request.user, **_objects(event, data))
        except ValidationError as exc:
            return _errors(exc)
        return Response(DealSerializer(deal).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["docking"], parameters=[SLUG, DEAL])
class DealDetailView(APIView):
    """One deal: read it, change its details, or move its stage (``stage`` with ``signed_on`` or ``reason``)."""

    permission_classes = [permissions.IsAuthenticated]

    def _deal(self, request, slug: str, deal_id: int) -> Deal:
        event = _event(request, slug)
        _require(request.user, "docking.record_deal", event)
        deal = Deal.objects.filter(event=event, pk=deal_id).select_related("event", "entry", "enterprise__organisation")
        found = deal.first()
        if found is None:
            raise Http404
        return found

    @extend_schema(responses={200: DealSerializer})
    def get(self, request, slug: str, deal_id: int):
        return Response(DealSerializer(self._deal(request, slug, deal_id)).data)

    @extend_schema(request=DealInputSerializer, responses={200: DealSerializer, 400: ERRORS})
    def patch(self, request, slug: str, deal_id: int):
        deal = self._deal(request, slug, deal_id)
        body = DealInputSerializer(data=request.data, partial=True)
        if not body.is_valid():
            return Response({"errors": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        data = dict(body.validated_data)
        to_stage = data.pop("stage", None)
        reason = data.pop("reason", "")
        try:
            fields = _objects(deal.event, data)
            if to_stage and to_stage != deal.stage:
                deal = services.deal_transition(
                    deal=deal,
                    to_stage=to_stage,
                    changed_by=request.user,
                    signed_on=fields.pop("signed_on", None),
                    reason=reason,
                )
            if fields:
                deal = services.deal_update(deal=deal, changed_by=request.user, **fields)
        except ValidationError as exc:
            return _errors(exc)
        deal = Deal.objects.select_related("entry", "enterprise__organisation").get(pk=deal.pk)
        return Response(DealSerializer(deal).data)


class ParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = MeetingParticipant
        fields = ["user", "name", "checked_in_at"]


class MeetingSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    entry_title = serializers.CharField(source="entry.title", read_only=True)
    table = serializers.CharField(source="table.label", read_only=True, default="")
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "event",
            "entry",
            "entry_title",
            "starts_at",
            "ends_at",
            "mode",
            "online_url",
            "table",
            "status",
            "outcome_notes",
            "participants",
        ]


@extend_schema(tags=["docking"], parameters=[SLUG])
class EventMeetingListView(generics.ListAPIView):
    """Every meeting of the event in time order (organisers)."""

    serializer_class = MeetingSerializer

    def get_queryset(self):
        event = _event(self.request, self.kwargs["slug"])
        _require(self.request.user, "docking.manage", event)
        return meeting_selectors.meetings_of(event)


@extend_schema(tags=["docking"])
class MyMeetingListView(generics.ListAPIView):
    """The requesting person's meetings in every event, in time order."""

    serializer_class = MeetingSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return meeting_selectors.meetings_of_person(self.request.user)
