"""Version 1 of the JSON API: each app adds its router here."""

from django.urls import include, path

urlpatterns = [
    path("", include("events.api_urls")),
    path("", include("registration.api_urls")),
    path("", include("livestream.api_urls")),
    path("", include("judging.api_urls")),
    path("", include("docking.api_urls")),
    path("", include("landing.api_urls")),
    path("", include("awards.api_urls")),
    path("", include("experts.api_urls")),
    path("", include("insights.api_urls")),
]
