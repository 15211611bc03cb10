from django.contrib import admin

from .models import (
    AgendaSlot,
    ChatMessage,
    PitchSignals,
    Poll,
    PollOption,
    Question,
    RoadshowRoom,
    RoomEvent,
    RoomInterest,
    RoomMute,
)


@admin.register(RoadshowRoom)
class RoadshowRoomAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_zh", "title_en", "event", "visibility", "status", "scheduled_start"]
    list_filter = ["status", "visibility", "event"]
    search_fields = ["slug", "title_zh", "title_en"]
    prepopulated_fields = {"slug": ("title_en",)}
    autocomplete_fields = ["event"]
    # Status changes go through the console (room_go_live / room_end) so every viewer is told.
    readonly_fields = ["status", "started_at", "ended_at", "last_seq"]


@admin.register(RoomEvent)
class RoomEventAdmin(admin.ModelAdmin):
    list_display = ["room", "seq", "type", "visibility", "hidden", "created_at"]
    list_filter = ["type", "visibility", "hidden"]
    search_fields = ["room__slug"]
    readonly_fields = ["room", "seq", "type", "payload", "visibility", "hidden", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ["room", "seq", "user", "text", "hidden", "created_at"]
    list_filter = ["hidden", "room"]
    search_fields = ["text", "user__email"]
    readonly_fields = ["room", "seq", "user", "text", "client_id", "hidden", "hidden_by", "created_at"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["room", "seq", "user", "text", "votes", "answered", "hidden"]
    list_filter = ["answered", "hidden", "room"]
    search_fields = ["text", "user__email"]
    readonly_fields = [
        "room",
        "seq",
        "user",
        "text",
        "client_id",
        "votes",
        "answered",
        "hidden",
        "source_message",
        "created_at",
    ]


class PollOptionInline(admin.TabularInline):
    model = PollOption
    extra = 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["room", "question_zh", "question_en", "status", "opened_at", "closed_at"]
    list_filter = ["status", "room"]
    inlines = [PollOptionInline]


@admin.register(RoomMute)
class RoomMuteAdmin(admin.ModelAdmin):
    list_display = ["room", "user", "muted_by", "created_at"]
    autocomplete_fields = ["user"]


@admin.register(AgendaSlot)
class AgendaSlotAdmin(admin.ModelAdmin):
    """Read-only: the agenda is set on the organisers' agenda page and moved from the console, so
    every viewer is told (``livestream.services``)."""

    list_display = ["room", "position", "entry", "state", "planned_start", "duration_minutes", "started_at"]
    list_filter = ["state", "room"]
    list_select_related = ["room", "entry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RoomInterest)
class RoomInterestAdmin(admin.ModelAdmin):
    """Leads for the docking follow-up: who marked interest in which project, in which room."""

    list_display = ["entry", "user", "room", "created_at"]
    list_filter = ["room"]
    list_select_related = ["entry", "user", "room"]
    search_fields = ["user__email", "entry__title_zh", "entry__title_en"]
    readonly_fields = ["room", "slot", "entry", "user", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(PitchSignals)
class PitchSignalsAdmin(admin.ModelAdmin):
    """Read-only: recorded by the room hubs while a pitch is on stage."""

    list_display = ["slot", "peak_viewers", "viewer_samples", "updated_at"]
    list_select_related = ["slot__room", "slot__entry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
