from django.urls import path

from .api import AwardListView, RankingView, VoteView

AWARD = "events/<slug:slug>/awards/<int:award_id>/"
urlpatterns = [
    path("events/<slug:slug>/awards/", AwardListView.as_view(), name="api-awards"),
    path(f"{AWARD}votes/", VoteView.as_view(), name="api-awards-vote"),
    path(f"{AWARD}ranking/", RankingView.as_view(), name="api-awards-ranking"),
]
