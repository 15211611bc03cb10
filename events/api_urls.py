from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import EventViewSet, MeView

router = SimpleRouter()
router.register("events", EventViewSet, basename="event")
urlpatterns = [*router.urls, path("me/", MeView.as_view(), name="api-me")]
