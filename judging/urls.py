from django.urls import path

from . import views

app_name = "judging"
ROUND = "<slug:slug>/judging/rounds/<int:number>/"
MANAGE = "<slug:slug>/judging/manage/rounds/<int:number>/"
urlpatterns = [
    path("<slug:slug>/judging/", views.portal, name="portal"),
    path("<slug:slug>/judging/results/", views.my_results, name="my_results"),
    path(ROUND, views.round_judge, name="round_judge"),
    path(f"{ROUND}entries/<int:entry_id>/", views.score, name="score"),
    path(f"{ROUND}entries/<int:entry_id>/autosave/", views.autosave, name="autosave"),
    path(f"{ROUND}entries/<int:entry_id>/conflict/", views.conflict, name="conflict"),
    path(f"{ROUND}entries/<int:entry_id>/deck/", views.deck, name="deck"),
    path("<slug:slug>/judging/manage/", views.manage, name="manage"),
    path("<slug:slug>/judging/manage/rounds/new/", views.round_edit, name="round_create"),
    path(MANAGE, views.round_edit, name="round_edit"),
    path(f"{MANAGE}assignments/", views.assignments, name="assignments"),
    path(f"{MANAGE}assignments/<int:entry_id>/", views.assignment_edit, name="assignment_edit"),
    path(f"{MANAGE}progress/", views.progress, name="progress"),
    path(f"{MANAGE}close/", views.close, name="close"),
    path(f"{MANAGE}results/", views.results, name="results"),
    path(f"{MANAGE}judges/", views.judges_report, name="judges_report"),
    path(f"{MANAGE}cards/<int:card_id>/", views.card_detail, name="card_detail"),
    path(f"{MANAGE}advancement/", views.advancement, name="advancement"),
    path(f"{MANAGE}release/", views.release, name="release"),
    path(f"{MANAGE}export/<str:kind>.xlsx", views.export, name="export"),
]
