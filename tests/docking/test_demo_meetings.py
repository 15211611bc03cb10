"""The demo's leads, meetings and deals: what a visitor finds, and a second run changes nothing."""

import pytest
from django.core.management import call_command

from accounts.models import User
from docking.models import Deal, DealChange, EnterpriseProfile, FairTable, Lead, Meeting, MeetingRequest
from docking.selectors.deals import signed_deals
from livestream.models import RoomInterest

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

MODELS = (EnterpriseProfile, FairTable, Lead, MeetingRequest, Meeting, Deal, DealChange, RoomInterest)


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_docking_meetings_and_deals_seed_once():
    call_command("seed_demo", "--quiet-logins")
    first = _counts()
    call_command("seed_demo", "--quiet-logins")
    assert _counts() == first

    fair = "talent-docking-fair-2026"
    entrant1 = User.objects.get(email="entrant1@haizhi.example")
    enterprise = User.objects.get(email="enterprise@haizhi.example")
    investor = User.objects.get(email="investor@haizhi.example")
    assert EnterpriseProfile.objects.get(contacts=enterprise).organisation.name_en == (
        "Blue Sea New Energy Technology Co."
    )
    assert EnterpriseProfile.objects.get(contacts=investor).organisation.name_en == "Haizhi Venture Capital Fund"
    assert list(FairTable.objects.filter(event__slug=fair).values_list("label", flat=True)) == [
        "T01",
        "T02",
        "T03",
        "T04",
    ]
    pending = MeetingRequest.objects.get(invitee=entrant1, status="pending")
    assert (pending.event.slug, pending.requested_by, pending.slots.count()) == (fair, investor, 2)
    meetings = Meeting.objects.filter(event__slug=fair, status="scheduled").order_by("starts_at")
    assert [(m.table.label, m.mode) for m in meetings] == [("T02", "table"), ("T01", "table")]
    assert MeetingRequest.objects.get(requested_by=enterprise, invitee=entrant1).status == "accepted"
    assert Lead.objects.filter(source="room").count() == RoomInterest.objects.count() > 0
    assert Lead.objects.get(event__slug=fair, person=enterprise).status == "deal"
    assert sorted(Deal.objects.values_list("stage", flat=True)) == ["cancelled", "intent", "signed", "signed"]
    assert signed_deals().count() == 2
    assert all(deal.amount_cny > 0 for deal in signed_deals())
    assert DealChange.objects.filter(to_stage="cancelled").exclude(reason="").count() == 1
