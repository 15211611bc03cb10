from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("new/", views.event_create, name="create"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/follow/", views.audience_join, name="audience_join"),
    path("<slug:slug>/manage/", views.event_manage, name="manage"),
    path("<slug:slug>/manage/roles/grant/", views.role_grant, name="role_grant"),
    path("<slug:slug>/manage/roles/revoke/", views.role_revoke, name="role_revoke"),
]
