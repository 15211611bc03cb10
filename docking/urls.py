from django.urls import path

app_name = "docking"
urlpatterns: list = []

# --- Needs, enterprises and matching ---
from .views import needs as needs_views  # noqa: E402

NEEDS = "<slug:slug>/needs/"
urlpatterns += [
    path("docking/enterprises/", needs_views.enterprise_list, name="enterprise_list"),
    path("docking/enterprises/new/", needs_views.enterprise_create, name="enterprise_create"),
    path("docking/enterprises/<int:pk>/edit/", needs_views.enterprise_edit, name="enterprise_edit"),
    path("docking/talents/", needs_views.talent_list, name="talent_list"),
    path(NEEDS, needs_views.need_list, name="need_list"),
    path(f"{NEEDS}new/", needs_views.need_create, name="need_create"),
    path(f"{NEEDS}<int:pk>/", needs_views.need_detail, name="need_detail"),
    path(f"{NEEDS}<int:pk>/edit/", needs_views.need_edit, name="need_edit"),
    path(f"{NEEDS}<int:pk>/status/", needs_views.need_status, name="need_status"),
    path(f"{NEEDS}<int:pk>/matches/add/", needs_views.match_add, name="match_add"),
    path(f"{NEEDS}projects/<int:entry_id>/", needs_views.entry_needs, name="entry_needs"),
    path("<slug:slug>/matches/", needs_views.match_list, name="match_list"),
    path("<slug:slug>/matches/<int:pk>/remove/", needs_views.match_remove, name="match_remove"),
    path("<slug:slug>/matches/<int:pk>/move/", needs_views.match_move, name="match_move"),
]


# --- Leads, meetings, fair schedules and deals ---
from .views import deals as deal_views  # noqa: E402
from .views import meetings as meeting_views  # noqa: E402

DOCKING = "<slug:slug>/docking/"
urlpatterns += [
    path(f"{DOCKING}leads/", meeting_views.leads, name="leads"),
    path(f"{DOCKING}leads/new/", meeting_views.lead_create, name="lead_create"),
    path(f"{DOCKING}leads/import/", meeting_views.leads_import, name="leads_import"),
    path(f"{DOCKING}leads/<int:pk>/status/", meeting_views.lead_status, name="lead_status"),
    path(f"{DOCKING}leads/from-match/<int:match_id>/", meeting_views.lead_from_match, name="lead_from_match"),
    path(f"{DOCKING}mine/", meeting_views.my_docking, name="my_docking"),
    path(f"{DOCKING}projects/<int:entry_id>/request-meeting/", meeting_views.request_create, name="request_create"),
    path(f"{DOCKING}requests/<int:pk>/", meeting_views.request_detail, name="request_detail"),
    path(f"{DOCKING}meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path(
        f"{DOCKING}meetings/<int:pk>/participants/<int:participant_id>/check-in/",
        meeting_views.check_in,
        name="check_in",
    ),
    path(f"{DOCKING}fair/", meeting_views.fair, name="fair"),
    path(f"{DOCKING}fair/tables/", meeting_views.fair_table_create, name="fair_table_create"),
    path(f"{DOCKING}fair/schedule/people/", meeting_views.schedule_people, name="schedule_people"),
    path(f"{DOCKING}fair/schedule/tables/", meeting_views.schedule_tables, name="schedule_tables"),
    path(f"{DOCKING}deals/", deal_views.deals, name="deals"),
    path(f"{DOCKING}deals/new/", deal_views.deal_create, name="deal_create"),
    path(f"{DOCKING}deals/<int:pk>/", deal_views.deal_detail, name="deal_detail"),
    path(f"{DOCKING}deals/<int:pk>/edit/", deal_views.deal_edit, name="deal_edit"),
    path(f"{DOCKING}deals/<int:pk>/stage/", deal_views.deal_stage, name="deal_stage"),
    path(f"{DOCKING}deals/<int:pk>/documents/", deal_views.document_upload, name="deal_document_upload"),
    path(
        f"{DOCKING}deals/<int:pk>/documents/<int:document_id>/",
        deal_views.document_download,
        name="deal_document",
    ),
]


# --- Meetings proposed from a judging round's results ---
from .views import proposals as proposal_views  # noqa: E402

PROPOSALS = "<slug:slug>/docking/rounds/<int:number>/proposals/"
urlpatterns += [
    path(PROPOSALS, proposal_views.proposals, name="proposals"),
    path(f"{PROPOSALS}<int:pk>/edit/", proposal_views.proposal_edit, name="proposal_edit"),
    path(f"{PROPOSALS}<int:pk>/discard/", proposal_views.proposal_discard, name="proposal_discard"),
    path(f"{PROPOSALS}<int:pk>/send/", proposal_views.proposal_send, name="proposal_send"),
]
