"""Registration API: an event's tracks (public) and entries (organisers: all; entrants: their own)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, viewsets

from core.api import visible_event as _visible_event

from . import selectors
from .models import Entry, TeamMember, Track

SLUG_PARAMETER = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.")


class TrackSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")

    class Meta:
        model = Track
        fields = ["id", "name", "name_zh", "name_en", "description_zh", "description_en", "position"]


class TeamMemberSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["name", "is_lead", "role", "email", "organisation", "country", "years_abroad"]


class EntrySerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True, help_text="Title in the request's language.")
    track = TrackSerializer(read_only=True)
    status_label = serializers.CharField(read_only=True, help_text="Status in the request's language.")
    team = TeamMemberSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = [
            "id",
            "reference",
            "title",
            "title_zh",
            "title_en",
            "track",
            "status",
            "status_label",
            "round_number",
            "stage",
            "summary",
            "technology",
            "ip_summary",
            "patent_count",
            "funding_sought",
            "planned_city",
            "planned_park",
            "video_url",
            "team",
            "created_at",
            "submitted_at",
            "url",
        ]

    def get_url(self, entry: Entry) -> str:
        request = self.context.get("request")
        path = entry.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


@extend_schema(tags=["registration"], parameters=[SLUG_PARAMETER])
class TrackListView(generics.ListAPIView):
    """The tracks of a published event."""

    serializer_class = TrackSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.tracks_of(_visible_event(self.request, self.kwargs["slug"]))


@extend_schema_view(
    list=extend_schema(
        tags=["registration"],
        parameters=[SLUG_PARAMETER],
        description="All entries for the event's organisers; only their own for anyone else.",
    ),
    retrieve=extend_schema(tags=["registration"], parameters=[SLUG_PARAMETER]),
)
class EntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EntrySerializer

    def get_queryset(self):
        event = _visible_event(self.request, self.kwargs["slug"])
        return (
            selectors.entries_visible_to(self.request.user, event)
            .select_related("event", "track")
            .prefetch_related("team")
            .order_by("-created_at", "-id")
        )
