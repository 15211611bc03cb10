"""Ledger API: the event's landed companies for organisers and ledger editors; create, update and
status change through the same services (and permission checks) as the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api import error_response as _errors
from core.api import visible_event
from events.models import Event
from events.services import require
from registration.models import Entry

from . import selectors, services
from .models import CadenceTask, LandedCompany, LedgerChange, LedgerStatus, Milestone

SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.")
COMPANY = OpenApiParameter("company_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The company's id.")
ERRORS = inline_serializer(
    "LedgerErrors", {"errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()))}
)


def _event(request, slug: str, action: str) -> Event:
    event = visible_event(request, slug)
    try:
        require(request.user, action, event)
    except PermissionDenied as exc:
        raise ApiPermissionDenied(str(exc)) from None
    return event


class LedgerMilestoneSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True, help_text="Title in the request's language.")

    class Meta:
        model = Milestone
        fields = ["id", "title", "title_zh", "title_en", "due_on", "done_on", "notes"]


class LedgerCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = CadenceTask
        fields = ["id", "kind", "period_start", "due_on", "assignee", "done_at", "overdue_flagged_at"]


class LedgerChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerChange
        fields = ["changed_at", "changed_by", "from_status", "to_status", "changes", "note"]


class LedgerCompanySerializer(serializers.ModelSerializer):
    """A landed company as read by organisers and ledger editors."""

    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")

    class Meta:
        model = LandedCompany
        fields = [
            "id",
            "name",
            "name_zh",
            "name_en",
            "credit_code",
            "incorporated_on",
            "park",
            "district",
            "base",
            "base_name",
            "registered_capital_cny",
            "investment_received_cny",
            "employees",
            "status",
            "status_changed_at",
            "responsible",
            "entry",
            "talent",
            "deals",
        ]
        read_only_fields = fields


class LedgerCompanyRowSerializer(LedgerCompanySerializer):
    """A company in the list, with where its checks stand."""

    overdue_count = serializers.IntegerField(read_only=True, help_text="Open checks past their due date.")
    next_due_on = serializers.DateField(read_only=True, allow_null=True, help_text="Next open check's due date.")

    class Meta(LedgerCompanySerializer.Meta):
        fields = [*LedgerCompanySerializer.Meta.fields, "overdue_count", "next_due_on"]
        read_only_fields = fields


class LedgerCompanyDetailSerializer(LedgerCompanySerializer):
    milestones = LedgerMilestoneSerializer(many=True, read_only=True)
    cadence_tasks = LedgerCheckSerializer(many=True, read_only=True)
    changes = LedgerChangeSerializer(many=True, read_only=True)

    class Meta(LedgerCompanySerializer.Meta):
        fields = [*LedgerCompanySerializer.Meta.fields, "milestones", "cadence_tasks", "changes"]
        read_only_fields = fields


class LedgerCompanyInputSerializer(serializers.Serializer):
    """What a company is created or changed with; the service checks the rules (credit code, amounts, links)."""

    name_zh = serializers.CharField(required=False, allow_blank=True, max_length=200)
    name_en = serializers.CharField(required=False, allow_blank=True, max_length=200)
    credit_code = serializers.CharField(required=False, max_length=40, help_text="Unified social credit code.")
    incorporated_on = serializers.DateField(required=False)
    park = serializers.CharField(required=False, allow_blank=True, max_length=200)
    district = serializers.CharField(required=False, allow_blank=True, max_length=100)
    base = serializers.ChoiceField(required=False, choices=LandedCompany.Base.choices)
    base_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    registered_capital_cny = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    investment_received_cny = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    employees = serializers.IntegerField(required=False, allow_null=True)
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    entry = serializers.IntegerField(required=False, allow_null=True, help_text="Id of a project of this event.")
    talent = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    deals = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Ids of deals.")

    def service_fields(self, event: Event) -> dict:
        """Turn ids into this event's objects; unknown ids become field errors."""
        data = dict(self.validated_data)
        errors = {}
        if data.get("entry") is not None:
            entry = Entry.objects.filter(pk=data["entry"], event=event).first()
            if entry is None:
                errors["entry"] = [_("The project must belong to this event.")]
            data["entry"] = entry
        if "deals" in data:
            deals = list(selectors.deals_for_ledger(event).filter(pk__in=data["deals"]))
            if len(deals) != len(set(data["deals"])):
                errors["deals"] = [_("Every deal must belong to this event.")]
            data["deals"] = deals
        if errors:
            raise ValidationError(errors)
        return data


class LedgerStatusInputSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=LedgerStatus.choices)
    note = serializers.CharField(allow_blank=True, max_length=5000)


def _company(event: Event, pk: int, *, with_history: bool = True) -> LandedCompany:
    company = selectors.company_of(event, pk, with_history=with_history)
    if company is None:
        raise Http404
    return company


@extend_schema(tags=["ledger"], parameters=[SLUG])
class CompanyListView(generics.ListAPIView):
    """The event's landed companies (organisers and ledger editors); ``POST`` records a new one."""

    serializer_class = LedgerCompanyRowSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        event = _event(self.request, self.kwargs["slug"], "ledger.view")
        return selectors.companies_for_board(event, today=services.local_today()).prefetch_related("deals")

    @extend_schema(request=LedgerCompanyInputSerializer, responses={201: LedgerCompanyDetailSerializer, 400: ERRORS})
    def post(self, request, slug: str):
        event = _event(request, slug, "ledger.edit")
        body = LedgerCompanyInputSerializer(data=request.data)
        if not body.is_valid():
            return Response({"errors": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            company = services.company_create(event=event, created_by=request.user, **body.service_fields(event))
        except ValidationError as exc:
            return _errors(exc)
        return Response(LedgerCompanyDetailSerializer(_company(event, company.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ledger"], parameters=[SLUG, COMPANY])
class CompanyDetailView(APIView):
    """One company with its milestones, scheduled checks and audit trail; ``PATCH`` changes its details."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: LedgerCompanyDetailSerializer})
    def get(self, request, slug: str, company_id: int):
        event = _event(request, slug, "ledger.view")
        return Response(LedgerCompanyDetailSerializer(_company(event, company_id)).data)

    @extend_schema(request=LedgerCompanyInputSerializer, responses={200: LedgerCompanyDetailSerializer, 400: ERRORS})
    def patch(self, request, slug: str, company_id: int):
        event = _event(request, slug, "ledger.edit")
        company = _company(event, company_id, with_history=False)  # the reply reloads it with its history
        body = LedgerCompanyInputSerializer(data=request.data, partial=True)
        if not body.is_valid():
            return Response({"errors": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            services.company_update(company=company, changed_by=request.user, **body.service_fields(event))
        except ValidationError as exc:
            return _errors(exc)
        return Response(LedgerCompanyDetailSerializer(_company(event, company_id)).data)


@extend_schema(tags=["ledger"], parameters=[SLUG, COMPANY])
class CompanyStatusView(APIView):
    """Move a company to another status colour, with the required note."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=LedgerStatusInputSerializer, responses={200: LedgerCompanyDetailSerializer, 400: ERRORS})
    def post(self, request, slug: str, company_id: int):
        event = _event(request, slug, "ledger.edit")
        company = _company(event, company_id, with_history=False)  # the reply reloads it with its history
        body = LedgerStatusInputSerializer(data=request.data)
        if not body.is_valid():
            return Response({"errors": body.errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            services.company_status_change(company=company, changed_by=request.user, **body.validated_data)
        except ValidationError as exc:
            return _errors(exc)
        return Response(LedgerCompanyDetailSerializer(_company(event, company_id)).data)
