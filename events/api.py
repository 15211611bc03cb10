from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from . import services
from .models import Event
from .selectors import events_published


class EventSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True, help_text="Title in the request's language.")
    organiser_organisation = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "kind",
            "title",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "location_zh",
            "location_en",
            "starts_on",
            "ends_on",
            "organiser_organisation",
            "url",
        ]

    def get_organiser_organisation(self, event: Event) -> str | None:
        org = event.organiser_organisation
        return org.name if org else None

    def get_url(self, event: Event) -> str:
        request = self.context.get("request")
        path = event.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


@extend_schema(tags=["events"])
class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Published events."""

    serializer_class = EventSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return events_published().order_by("-starts_on", "slug")

    def get_object(self):
        event = super().get_object()
        if not services.can(self.request.user, "event.view", event):
            raise Http404
        return event
