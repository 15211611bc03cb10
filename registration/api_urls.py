from django.urls import path

from .api import EntryViewSet, TrackListView

urlpatterns = [
    path("events/<slug:slug>/tracks/", TrackListView.as_view(), name="api-event-tracks"),
    path("events/<slug:slug>/entries/", EntryViewSet.as_view({"get": "list"}), name="api-event-entries"),
    path("events/<slug:slug>/entries/<int:pk>/", EntryViewSet.as_view({"get": "retrieve"}), name="api-event-entry"),
]
