from django.contrib import admin

from .models import (
    CuratedMatch,
    Deal,
    DealChange,
    DealDocument,
    EnterpriseProfile,
    FairTable,
    Lead,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    Need,
    ProposedSlot,
)


@admin.register(EnterpriseProfile)
class EnterpriseProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "field", "region", "created_at"]
    list_filter = ["field"]
    search_fields = ["organisation__name_zh", "organisation__name_en", "region"]
    list_select_related = ["organisation"]
    filter_horizontal = ["contacts"]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["title_zh", "title_en", "event", "enterprise", "field", "status", "deadline"]
    list_filter = ["event", "field", "status"]
    search_fields = ["title_zh", "title_en", "keywords"]
    list_select_related = ["event", "enterprise__organisation"]
    raw_id_fields = ["posted_by"]


@admin.register(CuratedMatch)
class CuratedMatchAdmin(admin.ModelAdmin):
    list_display = ["need", "entry", "talent", "score", "position"]
    list_filter = ["event"]
    list_select_related = ["need", "entry", "talent"]
    raw_id_fields = ["need", "entry", "talent", "added_by"]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["entry", "person", "enterprise", "source", "status", "created_at"]
    list_filter = ["event", "source", "status"]
    list_select_related = ["entry", "person", "enterprise__organisation"]
    raw_id_fields = ["entry", "person", "need", "room_interest", "created_by"]


@admin.register(FairTable)
class FairTableAdmin(admin.ModelAdmin):
    list_display = ["label", "event", "location"]
    list_filter = ["event"]


class ProposedSlotInline(admin.TabularInline):
    model = ProposedSlot
    extra = 0


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["entry", "requested_by", "invitee", "status", "created_at"]
    list_filter = ["event", "status"]
    raw_id_fields = ["entry", "lead", "requested_by", "invitee", "counter_of"]
    inlines = [ProposedSlotInline]


class MeetingParticipantInline(admin.TabularInline):
    model = MeetingParticipant
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["entry", "starts_at", "ends_at", "mode", "table", "status"]
    list_filter = ["event", "mode", "status"]
    raw_id_fields = ["entry", "request", "lead", "created_by"]
    inlines = [MeetingParticipantInline]


class DealChangeInline(admin.TabularInline):
    model = DealChange
    extra = 0
    readonly_fields = ["changed_by", "changed_at", "from_stage", "to_stage", "changes", "reason"]
    can_delete = False


class DealDocumentInline(admin.TabularInline):
    model = DealDocument
    extra = 0
    readonly_fields = ["original_name", "size", "uploaded_by", "uploaded_at"]
    exclude = ["file"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    """Read-mostly: deal changes go through ``docking.services.deals`` so that they are audited."""

    list_display = ["entry", "enterprise", "kind", "stage", "amount_cny", "signed_on"]
    list_filter = ["event", "kind", "stage"]
    raw_id_fields = ["entry", "enterprise", "meeting", "lead", "created_by"]
    inlines = [DealChangeInline, DealDocumentInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
