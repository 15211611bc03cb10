from django.urls import path

from . import views

app_name = "awards"
MANAGE = "<slug:slug>/awards/manage/<int:pk>/"
urlpatterns = [
    path("<slug:slug>/awards/", views.winners, name="winners"),
    path("<slug:slug>/awards/<int:pk>/vote/", views.vote, name="vote"),
    path("<slug:slug>/awards/<int:pk>/certificates/<int:winner_id>/", views.certificate, name="certificate"),
    path("<slug:slug>/awards/manage/", views.manage, name="manage"),
    path("<slug:slug>/awards/manage/new/", views.edit, name="create"),
    path(MANAGE, views.edit, name="edit"),
    path(f"{MANAGE}ranking/", views.ranking, name="ranking"),
    path(f"{MANAGE}vote-state/", views.vote_state, name="vote_state"),
    path(f"{MANAGE}votes/", views.votes, name="votes"),
    path(f"{MANAGE}flags/<int:flag_id>/review/", views.flag_review, name="flag_review"),
]
