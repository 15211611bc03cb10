from django.contrib import admin

from .models import AudienceVote, Award, AwardWinner, VoteFlag


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "event", "kind", "winner_count", "is_published"]
    list_filter = ["kind", "is_published"]
    raw_id_fields = ["event", "track", "round"]
    filter_horizontal = ["criteria"]


@admin.register(AwardWinner)
class AwardWinnerAdmin(admin.ModelAdmin):
    list_display = ["award", "entry", "rank", "decided_at"]
    raw_id_fields = ["award", "entry", "decided_by"]


@admin.register(AudienceVote)
class AudienceVoteAdmin(admin.ModelAdmin):
    """Read-only: the vote log is evidence."""

    list_display = ["award", "entry", "voter", "created_at", "ip_address"]
    list_filter = ["award"]
    readonly_fields = ["award", "entry", "voter", "created_at", "ip_address", "user_agent_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VoteFlag)
class VoteFlagAdmin(admin.ModelAdmin):
    list_display = ["award", "kind", "created_at", "reviewed"]
    list_filter = ["kind", "reviewed"]
    raw_id_fields = ["award", "reviewed_by"]
