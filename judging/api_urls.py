from django.urls import path

from .api import AssignmentListView, ResultsView, RoundListView, ScorecardView

ROUND = "events/<slug:slug>/judging/rounds/<int:number>/"
urlpatterns = [
    path("events/<slug:slug>/rounds/", RoundListView.as_view(), name="api-judging-rounds"),
    path("events/<slug:slug>/judging/assignments/", AssignmentListView.as_view(), name="api-judging-assignments"),
    path(f"{ROUND}scorecards/<int:entry_id>/", ScorecardView.as_view(), name="api-judging-scorecard"),
    path(f"{ROUND}results/", ResultsView.as_view(), name="api-judging-results"),
]
