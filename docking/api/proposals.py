"""Meeting proposals API: after a judging round's results, the round's proposed 1:1 meetings for
the event's organisers — list, generate, change a draft's contact and time, send, discard.

Thin over ``docking.services.proposals``: conflicts, double booking and the draft-only rules are
the service's and come back as a 400 with its message; organisers act through ``docking.manage``.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ERRORS, check_visible, error_response, invalid_response, require_api
from judging.models import Round

from ..forms.proposals import contact_choices
from ..models import MeetingProposal
from ..services import proposals as services
from ..services.proposal_reasons import proposal_reason

ROUND = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The judging round's id.")
PROPOSAL = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The proposal's id.")


def _managed_round(request, round_id: int) -> Round:
    """The round, for the organisers of its event: 404 when the event is hidden, 401/403 otherwise."""
    round_ = get_object_or_404(Round.objects.select_related("event"), pk=round_id)
    check_visible(request, round_.event)
    require_api(request, "docking.manage", round_.event)
    return round_


def _managed_proposal(request, proposal_id: int) -> MeetingProposal:
    rows = MeetingProposal.objects.select_related(
        "event", "round", "entry__owner", "person__organisation", "enterprise__organisation", "request"
    )
    proposal = get_object_or_404(rows, pk=proposal_id)
    check_visible(request, proposal.event)
    require_api(request, "docking.manage", proposal.event)
    return proposal


@extend_schema_field(
    {"type": "string", "enum": MeetingProposal.Status.values, "description": "draft → sent or discarded"},
    component_name="MeetingProposalStatusEnum",
)
class ProposalStatusField(serializers.ChoiceField):
    """The proposal's status, named apart from other apps' "status" enums in the schema."""

    def __init__(self, **kwargs):
        super().__init__(choices=MeetingProposal.Status.choices, **kwargs)


class ProposedEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField(help_text="Title in the request's language.")


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name", help_text="Name in the request's language.")
    organisation = serializers.SerializerMethodField(help_text="Organisation in the request's language.")

    def get_organisation(self, person) -> str:
        return person.organisation.name if person.organisation_id else ""


class ProposalSerializer(serializers.ModelSerializer):
    entry = ProposedEntrySerializer()
    person = ContactSerializer(help_text="The enterprise or investor contact.")
    enterprise = serializers.CharField(source="enterprise.name", default="", help_text="The contact's enterprise.")
    status = ProposalStatusField()
    status_label = serializers.CharField(source="get_status_display", help_text="In the request's language.")
    reason = serializers.SerializerMethodField(help_text="Why they should meet, in the request's language.")
    reasons = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text=(
            'The same as parts: {"kind": "interest", "source": "room"|"match"|"manual"} or {"kind": "need", '
            '"need_id", "title_zh", "title_en", "same_field", "shared_terms"}. Empty for proposals made before '
            "parts were kept (their reason is the text as first written)."
        ),
    )

    class Meta:
        model = MeetingProposal
        fields = [
            "id",
            "round",
            "rank",
            "entry",
            "person",
            "enterprise",
            "score",
            "reason",
            "reasons",
            "starts_at",
            "ends_at",
            "status",
            "status_label",
            "request",
            "created_at",
        ]
        read_only_fields = fields

    def get_reason(self, proposal: MeetingProposal) -> str:
        return proposal_reason(proposal)


@extend_schema(tags=["docking"], parameters=[ROUND])
class RoundProposalListView(generics.ListAPIView):
    """The round's meeting proposals, best-ranked entries first (the event's organisers)."""

    serializer_class = ProposalSerializer

    def get_queryset(self):
        return services.proposals_of_round(_managed_round(self.request, self.kwargs["id"]))


class GenerateInputSerializer(serializers.Serializer):
    top_n = serializers.IntegerField(
        required=False, default=services.DEFAULT_TOP_N, help_text=f"Top entries, 1 to {services.MAX_TOP_N}."
    )
    per_entry = serializers.IntegerField(
        required=False,
        default=services.DEFAULT_PER_ENTRY,
        help_text=f"Contacts per entry at most, 1 to {services.MAX_PER_ENTRY}.",
    )


class GeneratedSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="How many meetings were proposed.")
    proposals = ProposalSerializer(many=True, help_text="The round's drafts now: the ones just proposed.")


@extend_schema(
    tags=["docking"],
    parameters=[ROUND],
    request=GenerateInputSerializer,
    responses={201: GeneratedSerializer, 400: ERRORS},
)
class GenerateProposalsView(APIView):
    """Propose meetings for the round's top entries from its results: the round's drafts are
    replaced; what was sent or discarded stays."""

    def post(self, request, id: int):
        round_ = _managed_round(request, id)
        body = GenerateInputSerializer(data=request.data)
        if not body.is_valid():
            return invalid_response(body.errors)
        try:
            created = services.meeting_proposals_generate(
                round=round_, generated_by=request.user, **body.validated_data
            )
        except ValidationError as exc:
            return error_response(exc)
        drafts = services.proposals_of_round(round_).filter(status=MeetingProposal.Status.DRAFT)
        return Response(
            GeneratedSerializer({"created": len(created), "proposals": drafts}).data, status=status.HTTP_201_CREATED
        )


class ProposalInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        required=False, help_text="The user id of an enterprise or investor contact of the event."
    )
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)


@extend_schema(tags=["docking"], parameters=[PROPOSAL])
class ProposalDetailView(APIView):
    """One proposal; PATCH a draft's contact and/or time (both times or neither: null clears them)."""

    @extend_schema(responses={200: ProposalSerializer})
    def get(self, request, id: int):
        return Response(ProposalSerializer(_managed_proposal(request, id)).data)

    @extend_schema(request=ProposalInputSerializer, responses={200: ProposalSerializer, 400: ERRORS})
    def patch(self, request, id: int):
        proposal = _managed_proposal(request, id)
        body = ProposalInputSerializer(data=request.data)
        if not body.is_valid():
            return invalid_response(body.errors)
        data = body.validated_data
        person = None
        if "person" in data:
            # The same choice as the page's: the event's enterprise side, or the contact proposed now.
            person = contact_choices(proposal.event, [proposal.person_id]).filter(pk=data["person"]).first()
            if person is None:
                return invalid_response({"person": [_("Choose an enterprise or investor contact of this event.")]})
        try:
            services.meeting_proposal_update(
                proposal=proposal,
                changed_by=request.user,
                person=person,
                starts_at=data.get("starts_at", proposal.starts_at),
                ends_at=data.get("ends_at", proposal.ends_at),
            )
        except ValidationError as exc:
            return error_response(exc)
        return Response(ProposalSerializer(_managed_proposal(request, id)).data)


class SendInputSerializer(serializers.Serializer):
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Empty: the proposal's reason is sent."
    )


@extend_schema(
    tags=["docking"],
    parameters=[PROPOSAL],
    request=SendInputSerializer,
    responses={200: ProposalSerializer, 400: ERRORS},
)
class SendProposalView(APIView):
    """Send a draft: it becomes a meeting request from the project's owner to the contact at the
    proposed time."""

    def post(self, request, id: int):
        proposal = _managed_proposal(request, id)
        body = SendInputSerializer(data=request.data)
        if not body.is_valid():
            return invalid_response(body.errors)
        try:
            services.meeting_proposal_send(proposal=proposal, sent_by=request.user, **body.validated_data)
        except ValidationError as exc:
            return error_response(exc)
        return Response(ProposalSerializer(_managed_proposal(request, id)).data)


@extend_schema(tags=["docking"], parameters=[PROPOSAL], request=None, responses={200: ProposalSerializer, 400: ERRORS})
class DiscardProposalView(APIView):
    """Set a draft aside; generating again does not bring it back."""

    def post(self, request, id: int):
        proposal = _managed_proposal(request, id)
        try:
            services.meeting_proposal_discard(proposal=proposal, discarded_by=request.user)
        except ValidationError as exc:
            return error_response(exc)
        return Response(ProposalSerializer(_managed_proposal(request, id)).data)
