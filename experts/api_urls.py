from django.urls import path

from .api import (
    EventInvitationListView,
    ExpertPoolView,
    InvitationAcceptView,
    InvitationDeclineView,
    MyInvitationListView,
)

urlpatterns = [
    path("events/<slug:slug>/experts/", ExpertPoolView.as_view(), name="api-experts-pool"),
    path("events/<slug:slug>/judge-invitations/", EventInvitationListView.as_view(), name="api-judge-invitations"),
    path("my/judge-invitations/", MyInvitationListView.as_view(), name="api-my-judge-invitations"),
    path("judge-invitations/<int:id>/accept/", InvitationAcceptView.as_view(), name="api-judge-invitation-accept"),
    path("judge-invitations/<int:id>/decline/", InvitationDeclineView.as_view(), name="api-judge-invitation-decline"),
]
