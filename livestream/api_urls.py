from django.urls import path

from .api import AgendaView, EventRoomListView, RoomDetailView, RoomListView, TranscriptView

urlpatterns = [
    path("rooms/", RoomListView.as_view(), name="api-rooms"),
    path("rooms/<slug:slug>/", RoomDetailView.as_view(), name="api-room"),
    path("rooms/<slug:slug>/agenda/", AgendaView.as_view(), name="api-room-agenda"),
    path("rooms/<slug:slug>/transcript/", TranscriptView.as_view(), name="api-room-transcript"),
    path("events/<slug:slug>/rooms/", EventRoomListView.as_view(), name="api-event-rooms"),
]
