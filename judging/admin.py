from django.contrib import admin

from .models import Assignment, Conflict, Criterion, Round, RoundOutcome, Score, Scorecard, ScorecardChange


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["event", "number", "name_zh", "name_en", "opens_at", "closes_at", "method", "blind", "live"]
    list_filter = ["event", "method", "blind", "live"]
    inlines = [CriterionInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["round", "entry", "judge", "created_at"]
    list_filter = ["round"]
    raw_id_fields = ["entry", "judge", "assigned_by"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["judge", "entry", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["entry", "judge"]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    readonly_fields = ["criterion", "value"]
    can_delete = False


class ScorecardChangeInline(admin.TabularInline):
    model = ScorecardChange
    extra = 0
    readonly_fields = ["changed_by", "changed_at", "field", "old_value", "new_value", "reason"]
    can_delete = False


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    """Read-only: cards change only through the judging services, which keep the audit trail."""

    list_display = ["round", "entry", "judge", "status", "locked", "submitted_at"]
    list_filter = ["round", "status", "locked"]
    raw_id_fields = ["entry", "judge"]
    inlines = [ScoreInline, ScorecardChangeInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RoundOutcome)
class RoundOutcomeAdmin(admin.ModelAdmin):
    list_display = ["round", "entry", "rank", "value", "advanced", "decided_at"]
    list_filter = ["round", "advanced"]
