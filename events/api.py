from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import ProfileSerializer
from accounts.models import User

from . import services
from .models import Event
from .selectors import events_published, roles_of_user


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


class EventRoleSerializer(serializers.Serializer):
    event = serializers.CharField(source="event.slug")
    role = serializers.CharField()


class MeSerializer(ProfileSerializer):
    roles = serializers.SerializerMethodField()

    class Meta(ProfileSerializer.Meta):
        fields = [*ProfileSerializer.Meta.fields, "roles"]

    @extend_schema_field(EventRoleSerializer(many=True))
    def get_roles(self, user: User) -> list[dict]:
        return EventRoleSerializer(roles_of_user(user), many=True).data


@extend_schema(tags=["accounts"], responses=MeSerializer)
class MeView(APIView):
    """The signed-in user's profile and event roles."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(MeSerializer(request.user).data)
