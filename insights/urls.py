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
