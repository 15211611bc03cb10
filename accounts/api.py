from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from events.selectors import roles_of_user

from .models import User


class EventRoleSerializer(serializers.Serializer):
    event = serializers.CharField(source="event.slug")
    role = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    organisation = serializers.SerializerMethodField()
    country = serializers.CharField(source="country.code", read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "email",
            "display_name",
            "name_zh",
            "name_en",
            "organisation",
            "country",
            "expertise",
            "language",
            "roles",
        ]

    def get_organisation(self, user: User) -> str | None:
        return user.organisation.name if user.organisation else None

    @extend_schema_field(EventRoleSerializer(many=True))
    def get_roles(self, user: User) -> list[dict]:
        return EventRoleSerializer(roles_of_user(user), many=True).data


@extend_schema(tags=["accounts"], responses=MeSerializer)
class MeView(APIView):
    """The signed-in user's profile and event roles."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(MeSerializer(request.user).data)
