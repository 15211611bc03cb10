from django.urls import path

from . import views

app_name = "livestream"
urlpatterns = [
    path("new/<slug:event_slug>/", views.room_create, name="create"),
    path("<slug:slug>/", views.room_page, name="room"),
    path("<slug:slug>/console/", views.console_page, name="console"),
    path("<slug:slug>/edit/", views.room_edit, name="edit"),
    path("<slug:slug>/agenda/", views.agenda_edit, name="agenda"),
    path("<slug:slug>/recording/", views.recording, name="recording"),
    path("<slug:slug>/transcript.csv", views.transcript_csv, name="transcript_csv"),
]
