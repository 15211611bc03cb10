from django.contrib import admin

from .models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "title"]
    raw_id_fields = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "emailed", "created_at", "sent_at"]
    list_filter = ["emailed"]
    search_fields = ["key", "user__email"]
    raw_id_fields = ["user", "notification"]
