from django.contrib import admin

from .models import Event, EventRole


class EventRoleInline(admin.TabularInline):
    model = EventRole
    fk_name = "event"
    extra = 1
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_zh", "title_en", "kind", "starts_on", "ends_on", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["slug", "title_zh", "title_en"]
    prepopulated_fields = {"slug": ("title_en",)}
    inlines = [EventRoleInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, EventRole) and obj.granted_by_id is None:
                obj.granted_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(EventRole)
class EventRoleAdmin(admin.ModelAdmin):
    list_display = ["event", "user", "role", "granted_by", "granted_at"]
    list_filter = ["role", "event"]
    search_fields = ["user__email", "event__slug"]
    autocomplete_fields = ["user", "event"]
