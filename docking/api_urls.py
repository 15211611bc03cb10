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
