"""Needs API: an event's needs (list, post, read, change) and a need's ranked projects.

The same selectors, services and permission checks as the pages: a need the requester may not
see is a 404, an action they may not take a 403, and a rule broken a 400 with the message.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api import denied as _denied
from core.api import error_response as _errors
from core.api import visible_event as _event
from events.services import can

from ..models import EnterpriseProfile, Need
from ..selectors import needs as selectors
from ..services import matching
from ..services import needs as services

EVENT_SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.")
NEED_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The need's id.")
ERRORS = inline_serializer(
    "NeedErrors", {"errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()))}
)


def _need(request, pk: int) -> Need:
    need = get_object_or_404(Need.objects.select_related("event"), pk=pk)
    if not can(request.user, "event.view", need.event):
        raise Http404
    visible = selectors.need_for_page(request.user, need.event, pk)
    if visible is None:
        raise Http404
    return visible


@extend_schema_field(
    {"type": "string", "enum": Need.Status.values, "description": "open or closed"}, component_name="NeedStatusEnum"
)
class NeedStatusField(serializers.ChoiceField):
    """The need's status, named apart from other apps' "status" enums in the schema."""

    def __init__(self, **kwargs):
        super().__init__(choices=Need.Status.choices, **kwargs)


class EnterpriseSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Name in the request's language.")
    name_zh = serializers.CharField(source="organisation.name_zh")
    name_en = serializers.CharField(source="organisation.name_en")


class NeedSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    enterprise = EnterpriseSummarySerializer(read_only=True)
    enterprise_id = serializers.PrimaryKeyRelatedField(
        queryset=EnterpriseProfile.objects.select_related("organisation"),
        write_only=True,
        required=False,
        help_text="The enterprise the need is for; required when posting unless you act for exactly one.",
    )
    title = serializers.CharField(read_only=True, help_text="Title in the request's language.")
    status = NeedStatusField(required=False)
    budget_min_cny = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, required=False)
    budget_max_cny = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, required=False)

    class Meta:
        model = Need
        fields = [
            "id",
            "event",
            "enterprise",
            "enterprise_id",
            "title",
            *services.NEED_FIELDS,
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # The rules (budgets, deadline, titles) are the services'; their messages come back as 400s.
        extra_kwargs = {"title_zh": {"required": False}, "title_en": {"required": False}}

    def get_validators(self):
        return []


class ProjectMatchSerializer(serializers.Serializer):
    entry_id = serializers.IntegerField(source="item.pk")
    title = serializers.CharField(source="item.title", help_text="Title in the request's language.")
    title_zh = serializers.CharField(source="item.title_zh")
    title_en = serializers.CharField(source="item.title_en")
    track = serializers.SerializerMethodField(help_text="Track name in the request's language.")
    score = serializers.FloatField(help_text="0 to 1: text similarity, plus a bonus for the same field.")
    same_field = serializers.BooleanField()
    shared_terms = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField(help_text="Why they match, in the request's language.")

    def get_track(self, match) -> str:
        return match.item.track.name if match.item.track_id else ""


@extend_schema(tags=["needs"], parameters=[EVENT_SLUG])
class EventNeedListView(generics.ListCreateAPIView):
    """The event's needs the requester may see: all for organisers, their own for enterprises,
    the open ones for entrants. Organisers and enterprises post needs."""

    serializer_class = NeedSerializer

    def get_queryset(self):
        event = _event(self.request, self.kwargs["slug"])
        if not services.needs_can_list(self.request.user, event):
            raise _denied(self.request)
        return selectors.needs_visible_to(self.request.user, event)

    @extend_schema(responses={201: NeedSerializer, 400: ERRORS})
    def post(self, request, slug: str):
        event = _event(request, slug)
        if not can(request.user, "docking.post_need", event):
            raise _denied(request)
        body = NeedSerializer(data=request.data)
        if not body.is_valid():
            return Response({"errors": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        data = body.validated_data
        enterprise = data.get("enterprise_id")
        if enterprise is None:
            choices = list(services.need_enterprise_choices(request.user, event)[:2])
            if len(choices) != 1:
                return Response(
                    {"errors": {"enterprise_id": ["Choose the enterprise the need is for."]}},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            enterprise = choices[0]
        fields = {name: data[name] for name in services.NEED_FIELDS if name in data}
        try:
            need = services.need_create(event=event, user=request.user, enterprise=enterprise, **fields)
        except PermissionDenied as exc:
            raise _denied(request, exc) from None
        except ValidationError as exc:
            return _errors(exc)
        return Response(NeedSerializer(need, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["needs"], parameters=[NEED_ID])
class NeedDetailView(generics.RetrieveUpdateAPIView):
    """One need. Its organisers and its enterprise change it (PATCH any fields, or its status)."""

    serializer_class = NeedSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return _need(self.request, self.kwargs["id"])

    @extend_schema(responses={200: NeedSerializer, 400: ERRORS})
    def patch(self, request, id: int):
        need = self.get_object()
        body = NeedSerializer(need, data=request.data, partial=True)
        if not body.is_valid():
            return Response({"errors": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        data = body.validated_data
        fields = {name: data[name] for name in services.NEED_FIELDS if name in data}
        try:
            if fields or "enterprise_id" in data:
                services.need_update(need=need, user=request.user, enterprise=data.get("enterprise_id"), **fields)
            if "status" in data:
                services.need_set_status(need=need, user=request.user, status=data["status"])
        except PermissionDenied as exc:
            raise _denied(request, exc) from None
        except ValidationError as exc:
            return _errors(exc)
        return Response(NeedSerializer(need, context={"request": request}).data)


@extend_schema(tags=["needs"], parameters=[NEED_ID], responses=ProjectMatchSerializer(many=True))
class NeedMatchesView(generics.GenericAPIView):
    """The event's submitted projects ranked for the need, best first, with the score explained:
    for the event's organisers and the enterprise that posted the need."""

    serializer_class = ProjectMatchSerializer
    pagination_class = None

    def get(self, request, id: int):
        need = _need(request, id)
        try:
            matches = matching.need_project_matches(need=need, user=request.user)
        except PermissionDenied as exc:
            raise _denied(request, exc) from None
        return Response(ProjectMatchSerializer(matches, many=True).data)
