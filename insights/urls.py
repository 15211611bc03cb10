from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("programme/dashboard/", views.programme_dashboard, name="programme_dashboard"),
    path("programme/dashboard/export.xlsx", views.programme_export, name="programme_export"),
    path("<slug:slug>/insights/", views.event_dashboard, name="event_dashboard"),
    path("<slug:slug>/insights/export.xlsx", views.event_export, name="event_export"),
    path("<slug:slug>/insights/report/", views.monthly_report, name="monthly_report"),
    path("<slug:slug>/insights/report/export.xlsx", views.report_export, name="report_export"),
    path("<slug:slug>/insights/entries/<int:pk>/", views.entry_history, name="entry_history"),
]

# --- Outcome analytics of a finished edition ---
from . import views_analytics  # noqa: E402

urlpatterns += [
    path("<slug:slug>/insights/outcomes/", views_analytics.outcome_analytics, name="outcome_analytics"),
    path(
        "<slug:slug>/insights/outcomes/<int:number>/apply/",
        views_analytics.outcome_weights_apply,
        name="outcome_weights_apply",
    ),
]
