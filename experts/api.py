"""Expert pool API: the pool as an event's organisers see it, the invitations they send, and the
invited expert's own invitations with their answers.

Thin over ``experts.selectors`` and ``experts.services``: organisers act through
``judging.assign``; an invitation that is not the requester's own does not exist for them (404);
a broken rule (a duplicate pending invitation, an expert out of the pool, an answered
invitation) is a 400 with the service's message.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api import ERRORS, error_response, invalid_response, require_api, visible_event
from core.fields import TechField
from judging.models import Round
from judging.selectors import rounds_of

from . import selectors, services
from .models import MESSAGE_MAX, JudgeInvitation, Language

SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.")
INVITATION = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The invitation's id.")


@extend_schema_field(
    {
        "type": "string",
        "enum": JudgeInvitation.Status.values,
        "description": "pending → accepted, declined or cancelled",
    },
    component_name="JudgeInvitationStatusEnum",
)
class InvitationStatusField(serializers.ChoiceField):
    """The invitation's status, named apart from other apps' "status" enums in the schema."""

    def __init__(self, **kwargs):
        super().__init__(choices=JudgeInvitation.Status.choices, **kwargs)


class InvitationPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name", help_text="Name in the request's language.")


class InvitationRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField(help_text="Name in the request's language.")


class InvitationSerializer(serializers.ModelSerializer):
    expert = InvitationPersonSerializer()
    round = InvitationRoundSerializer(allow_null=True)
    invited_by = InvitationPersonSerializer(allow_null=True)
    status = InvitationStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", help_text="In the request's language.")

    class Meta:
        model = JudgeInvitation
        fields = [
            "id",
            "expert",
            "round",
            "invited_by",
            "status",
            "status_label",
            "message",
            "created_at",
            "responded_at",
        ]
        read_only_fields = fields


class InvitationEventSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField(help_text="Title in the request's language.")


class MyInvitationSerializer(InvitationSerializer):
    event = InvitationEventSerializer()

    class Meta(InvitationSerializer.Meta):
        fields = ["event", *(name for name in InvitationSerializer.Meta.fields if name != "expert")]
        read_only_fields = fields


class ConflictSerializer(serializers.Serializer):
    entry_id = serializers.IntegerField(source="entry.pk")
    reference = serializers.CharField(source="entry.reference")
    title = serializers.CharField(source="entry.title", help_text="Title in the request's language.")
    kind = serializers.CharField(help_text="declared, team_member or same_organisation.")
    kind_label = serializers.CharField(help_text="In the request's language.")


class LatestInvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = InvitationStatusField()
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()


class PoolRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk", help_text="The expert's user id (what to invite).")
    name = serializers.CharField(source="user.display_name", help_text="Name in the request's language.")
    organisation = serializers.SerializerMethodField(help_text="Organisation in the request's language.")
    fields = serializers.ListField(source="profile.fields", child=serializers.CharField())
    field_labels = serializers.ListField(source="profile.field_labels", child=serializers.CharField())
    languages = serializers.ListField(source="profile.languages", child=serializers.CharField())
    language_labels = serializers.ListField(source="profile.language_labels", child=serializers.CharField())
    bio = serializers.CharField(source="profile.bio")
    rounds_judged = serializers.IntegerField(help_text="Rounds judged in any event.")
    events_judged = serializers.IntegerField()
    cards_submitted = serializers.IntegerField()
    open_load = serializers.IntegerField(help_text="Assigned entries without a submitted card in rounds still open.")
    is_judge = serializers.BooleanField(help_text="Already a judge of this event.")
    can_invite = serializers.BooleanField()
    conflict_count = serializers.SerializerMethodField(help_text="Entries of this event (or the round) in conflict.")
    conflicts = ConflictSerializer(many=True)
    latest_invitation = LatestInvitationSerializer(source="invitation", allow_null=True)

    def get_organisation(self, row) -> str:
        return row.user.organisation.name if row.user.organisation_id else ""

    def get_conflict_count(self, row) -> int:
        return len(row.conflicts)


class PoolFilterSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=TechField.choices, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    round = serializers.IntegerField(required=False)


@extend_schema(
    tags=["experts"],
    parameters=[
        SLUG,
        OpenApiParameter("field", OpenApiTypes.STR, enum=TechField.values, description="Only experts in this field."),
        OpenApiParameter("language", OpenApiTypes.STR, enum=Language.values, description="Only experts judging in it."),
        OpenApiParameter(
            "round", OpenApiTypes.INT, description="A round's id: conflicts with its entries instead of the event's."
        ),
    ],
    responses={200: PoolRowSerializer(many=True), 400: ERRORS},
)
class ExpertPoolView(generics.GenericAPIView):
    """The active experts of the pool with their record across events, open load, conflicts with
    this event's entries and latest invitation to it (organisers who assign judges)."""

    serializer_class = PoolRowSerializer

    def get(self, request, slug: str):
        event = visible_event(request, slug)
        require_api(request, "judging.assign", event)
        filters = PoolFilterSerializer(data=request.query_params)
        if not filters.is_valid():
            return invalid_response(filters.errors)
        chosen = filters.validated_data
        round_ = rounds_of(event).filter(pk=chosen["round"]).first() if "round" in chosen else None
        if "round" in chosen and round_ is None:
            return invalid_response({"round": [_("No such round.")]})
        rows = selectors.pool_rows(
            event, round_=round_, field_value=chosen.get("field", ""), language=chosen.get("language", "")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class InviteInputSerializer(serializers.Serializer):
    expert = serializers.IntegerField(help_text="The expert's user id.")
    round = serializers.IntegerField(required=False, allow_null=True, help_text="A round of the event, or null.")
    message = serializers.CharField(required=False, allow_blank=True, max_length=MESSAGE_MAX)


class InvitationCreatedSerializer(InvitationSerializer):
    conflicts = ConflictSerializer(many=True, help_text="Entries the expert conflicts with: they are never assigned.")

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "conflicts"]
        read_only_fields = fields


@extend_schema(tags=["experts"], parameters=[SLUG])
class EventInvitationListView(generics.ListAPIView):
    """The event's invitations to judge, newest first (organisers); invite an expert with POST."""

    serializer_class = InvitationSerializer

    def get_queryset(self):
        event = visible_event(self.request, self.kwargs["slug"])
        require_api(self.request, "judging.assign", event)
        return selectors.invitations_sent(event)

    @extend_schema(request=InviteInputSerializer, responses={201: InvitationCreatedSerializer, 400: ERRORS})
    def post(self, request, slug: str):
        event = visible_event(request, slug)
        require_api(request, "judging.assign", event)
        body = InviteInputSerializer(data=request.data)
        if not body.is_valid():
            return invalid_response(body.errors)
        data = body.validated_data
        expert = User.objects.filter(pk=data["expert"]).first()
        if expert is None:
            return invalid_response({"expert": [_("This person is not in the expert pool.")]})
        # A round of another event is the service's to refuse; only an unknown id is answered here.
        round_ = Round.objects.filter(pk=data["round"]).first() if data.get("round") is not None else None
        if data.get("round") is not None and round_ is None:
            return invalid_response({"round": [_("No such round.")]})
        try:
            invitation = services.judge_invite(
                event=event, round=round_, expert=expert, invited_by=request.user, message=data.get("message", "")
            )
        except ValidationError as exc:
            return error_response(exc)
        invitation.conflicts = services.invitation_conflicts(
            event=event, expert=expert, viewer=request.user, round=round_
        )
        return Response(InvitationCreatedSerializer(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["experts"])
class MyInvitationListView(generics.ListAPIView):
    """The requesting person's invitations to judge, newest first."""

    serializer_class = MyInvitationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return selectors.invitations_of(self.request.user)


@extend_schema(
    tags=["experts"], parameters=[INVITATION], request=None, responses={200: MyInvitationSerializer, 400: ERRORS}
)
class _AnswerView(APIView):
    """Base of the invited expert's answers; any other person gets a 404."""

    permission_classes = [permissions.IsAuthenticated]
    answer = None  # the service that records the answer

    def post(self, request, id: int):
        invitation = get_object_or_404(selectors.invitations_of(request.user), pk=id)
        try:
            self.answer(invitation=invitation, user=request.user)
        except ValidationError as exc:
            return error_response(exc)
        return Response(MyInvitationSerializer(invitation).data)


class InvitationAcceptView(_AnswerView):
    """Accept an invitation to judge: you become a judge of its event (and nothing more)."""

    answer = staticmethod(services.invitation_accept)


class InvitationDeclineView(_AnswerView):
    """Decline an invitation to judge; no role changes."""

    answer = staticmethod(services.invitation_decline)
