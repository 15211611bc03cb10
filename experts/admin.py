from django.contrib import admin

from .models import ExpertProfile, JudgeInvitation


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "fields", "languages", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["user__email", "user__name_zh", "user__name_en"]
    raw_id_fields = ["user", "created_by"]


@admin.register(JudgeInvitation)
class JudgeInvitationAdmin(admin.ModelAdmin):
    list_display = ["event", "expert", "round", "status", "invited_by", "created_at", "responded_at"]
    list_filter = ["status", "event"]
    raw_id_fields = ["expert", "invited_by", "round"]
    readonly_fields = ["token"]
