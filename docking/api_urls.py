from django.urls import path

urlpatterns: list = []

# --- Needs and matches ---
from .api import needs as needs_api  # noqa: E402

urlpatterns += [
    path("events/<slug:slug>/needs/", needs_api.EventNeedListView.as_view(), name="api-event-needs"),
    path("needs/<int:id>/", needs_api.NeedDetailView.as_view(), name="api-need"),
    path("needs/<int:id>/matches/", needs_api.NeedMatchesView.as_view(), name="api-need-matches"),
]

# --- Deals and meetings ---
from .api.deals import DealDetailView, DealListView, EventMeetingListView, MyMeetingListView  # noqa: E402

urlpatterns += [
    path("events/<slug:slug>/deals/", DealListView.as_view(), name="api-docking-deals"),
    path("events/<slug:slug>/deals/<int:deal_id>/", DealDetailView.as_view(), name="api-docking-deal"),
    path("events/<slug:slug>/meetings/", EventMeetingListView.as_view(), name="api-docking-meetings"),
    path("docking/my-meetings/", MyMeetingListView.as_view(), name="api-docking-my-meetings"),
]

# --- Meeting proposals after a round's results ---
from .api import proposals as proposals_api  # noqa: E402

urlpatterns += [
    path("rounds/<int:id>/meeting-proposals/", proposals_api.RoundProposalListView.as_view(), name="api-proposals"),
    path(
        "rounds/<int:id>/meeting-proposals/generate/",
        proposals_api.GenerateProposalsView.as_view(),
        name="api-proposals-generate",
    ),
    path("meeting-proposals/<int:id>/", proposals_api.ProposalDetailView.as_view(), name="api-proposal"),
    path("meeting-proposals/<int:id>/send/", proposals_api.SendProposalView.as_view(), name="api-proposal-send"),
    path(
        "meeting-proposals/<int:id>/discard/", proposals_api.DiscardProposalView.as_view(), name="api-proposal-discard"
    ),
]
