from django.urls import path

from . import views

app_name = "livestream"
urlpatterns = [
    path("<slug:slug>/", views.room_page, name="room"),
    path("<slug:slug>/console/", views.console_page, name="console"),
]
