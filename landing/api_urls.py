from django.urls import path

from .api import CompanyDetailView, CompanyListView, CompanyStatusView

LEDGER = "events/<slug:slug>/ledger/"
urlpatterns = [
    path(LEDGER, CompanyListView.as_view(), name="api-ledger-companies"),
    path(f"{LEDGER}<int:company_id>/", CompanyDetailView.as_view(), name="api-ledger-company"),
    path(f"{LEDGER}<int:company_id>/status/", CompanyStatusView.as_view(), name="api-ledger-company-status"),
]
