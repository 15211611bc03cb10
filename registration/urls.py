from django.urls import path

from . import views

app_name = "registration"
urlpatterns = [
    path("<slug:slug>/registration/", views.registration_home, name="home"),
    path("<slug:slug>/registration/entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("<slug:slug>/registration/entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("<slug:slug>/registration/entries/<int:pk>/autosave/", views.entry_autosave, name="entry_autosave"),
    path("<slug:slug>/registration/entries/<int:pk>/files/", views.entry_files, name="entry_files"),
    path("<slug:slug>/registration/entries/<int:pk>/submit/", views.entry_submit, name="entry_submit"),
    path("<slug:slug>/registration/entries/<int:pk>/withdraw/", views.entry_withdraw, name="entry_withdraw"),
    path("<slug:slug>/registration/entries/<int:pk>/status/", views.entry_status, name="entry_status"),
    path("<slug:slug>/registration/entries/<int:pk>/notes/", views.entry_note, name="entry_note"),
    path("<slug:slug>/registration/files/<int:pk>/", views.attachment_download, name="attachment"),
    path("<slug:slug>/registration/files/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("<slug:slug>/registration/setup/", views.setup, name="setup"),
    path("<slug:slug>/registration/setup/tracks/new/", views.track_edit, name="track_create"),
    path("<slug:slug>/registration/setup/tracks/<int:pk>/", views.track_edit, name="track_edit"),
    path("<slug:slug>/registration/setup/tracks/<int:pk>/delete/", views.track_delete, name="track_delete"),
    path("<slug:slug>/registration/setup/questions/new/", views.question_edit, name="question_create"),
    path("<slug:slug>/registration/setup/questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("<slug:slug>/registration/setup/questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("<slug:slug>/registration/screening/", views.screening, name="screening"),
    path("<slug:slug>/registration/screening/bulk/", views.screening_bulk, name="screening_bulk"),
    path("<slug:slug>/registration/exports/", views.exports, name="exports"),
    path("<slug:slug>/registration/exports/<int:pk>/", views.export_status, name="export_status"),
    path("<slug:slug>/registration/exports/<int:pk>/download/", views.export_download, name="export_download"),
]
