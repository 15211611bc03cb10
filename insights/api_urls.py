from django.urls import path

from .api import ApplySuggestedWeightsView, OutcomeAnalysisView

urlpatterns = [
    path("rounds/<int:id>/outcome-analysis/", OutcomeAnalysisView.as_view(), name="api-outcome-analysis"),
    path(
        "rounds/<int:id>/apply-suggested-weights/",
        ApplySuggestedWeightsView.as_view(),
        name="api-apply-suggested-weights",
    ),
]
