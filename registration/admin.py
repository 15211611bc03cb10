from django.contrib import admin

from .models import (
    Answer,
    Attachment,
    Entry,
    EntryNote,
    Question,
    RegistrationSettings,
    StatusChange,
    TeamMember,
    Track,
)


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["event", "name_zh", "name_en", "position"]
    list_filter = ["event"]
    search_fields = ["name_zh", "name_en"]


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(admin.ModelAdmin):
    list_display = ["event", "opens_at", "closes_at", "require_deck", "require_logo", "max_team_members"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["event", "label_zh", "label_en", "kind", "required", "is_eligibility", "position"]
    list_filter = ["event", "kind"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "round_number", "reason", "changed_by", "changed_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["kind", "question", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EntryNoteInline(admin.TabularInline):
    model = EntryNote
    extra = 0


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the screening pages so that history is kept."""

    list_display = ["id", "event", "title_zh", "title_en", "track", "status", "round_number", "submitted_at"]
    list_filter = ["event", "status", "track"]
    search_fields = ["title_zh", "title_en", "lead_email"]
    readonly_fields = ["status", "round_number", "status_reason", "submitted_at", "created_at", "updated_at"]
    raw_id_fields = ["owner"]
    inlines = [TeamMemberInline, AnswerInline, AttachmentInline, StatusChangeInline, EntryNoteInline]
