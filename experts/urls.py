from django.urls import path

from . import views

app_name = "experts"
urlpatterns = [
    path("events/<slug:slug>/experts/", views.pool, name="pool"),
    path("events/<slug:slug>/experts/<int:user_id>/invite/", views.invite, name="invite"),
    path("events/<slug:slug>/experts/add/", views.add_expert, name="add"),
    path("events/<slug:slug>/experts/invitations/<int:invitation_id>/cancel/", views.cancel, name="cancel"),
    path("experts/profile/", views.profile, name="profile"),
    path("experts/invitations/", views.my_invitations, name="my_invitations"),
    path("experts/invitations/<str:token>/", views.invitation, name="invitation"),
]
