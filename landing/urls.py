from django.urls import path

from . import views

app_name = "landing"
COMPANY = "<slug:slug>/ledger/companies/<int:pk>/"
urlpatterns = [
    path("<slug:slug>/ledger/", views.board, name="board"),
    path("<slug:slug>/ledger/companies/new/", views.company_edit, name="company_create"),
    path(COMPANY, views.company_detail, name="company_detail"),
    path(f"{COMPANY}edit/", views.company_edit, name="company_edit"),
    path(f"{COMPANY}status/", views.company_status, name="company_status"),
    path(f"{COMPANY}inspections/", views.inspection_add, name="inspection_add"),
    path(f"{COMPANY}milestones/", views.milestone_add, name="milestone_add"),
    path(f"{COMPANY}milestones/<int:milestone_id>/done/", views.milestone_done, name="milestone_done"),
    path(f"{COMPANY}checks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("<slug:slug>/ledger/photos/<int:pk>/", views.photo, name="photo"),
]
