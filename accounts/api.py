from rest_framework import serializers

from .models import User


class ProfileSerializer(serializers.ModelSerializer):
    """A user's profile. ``/api/v1/me/`` (in events, which adds the user's event roles) builds on it."""

    display_name = serializers.CharField(read_only=True)
    organisation = serializers.SerializerMethodField()
    country = serializers.CharField(source="country.code", read_only=True)

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
        ]

    def get_organisation(self, user: User) -> str | None:
        return user.organisation.name if user.organisation else None
