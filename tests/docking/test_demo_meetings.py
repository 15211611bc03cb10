"""The demo's leads, meetings and deals: what a visitor finds, and a second run changes nothing."""

import pytest
from django.core.management import call_command

from accounts.models import User
from docking.models import (
    Deal,
    DealChange,
    EnterpriseProfile,
    FairTable,
    Lead,
    Meeting,
    MeetingProposal,
    MeetingRequest,
)
from docking.selectors.deals import signed_deals
from docking.services.proposal_reasons import proposal_reason
from livestream.models import RoomInterest

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

MODELS = (EnterpriseProfile, FairTable, Lead, MeetingRequest, Meeting, Deal, DealChange, RoomInterest, MeetingProposal)


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
    # The finished 2025 edition (insights.demo) has deals of its own; these are the 2026 docking's.
    deals = Deal.objects.exclude(event__slug="haicheng-innovation-contest-2025")
    assert sorted(deals.values_list("stage", flat=True)) == ["cancelled", "intent", "signed", "signed"]
    signed = signed_deals().filter(pk__in=deals.values("pk"))
    assert signed.count() == 2
    assert all(deal.amount_cny > 0 for deal in signed)
    assert DealChange.objects.filter(to_stage="cancelled", deal__in=deals).exclude(reason="").count() == 1


def test_demo_proposes_meetings_after_the_released_preliminary_round():
    call_command("seed_demo", "--quiet-logins")
    first = list(MeetingProposal.objects.order_by("pk").values_list("pk", "status", "starts_at"))
    call_command("seed_demo", "--quiet-logins")
    assert list(MeetingProposal.objects.order_by("pk").values_list("pk", "status", "starts_at")) == first

    proposals = MeetingProposal.objects.select_related("round", "entry__owner", "person").order_by("rank", "pk")
    assert {(p.event.slug, p.round.number) for p in proposals} == {("haicheng-innovation-contest-2026", 1)}
    assert proposals[0].round.results_released
    assert sorted(p.status for p in proposals).count("draft") >= 3
    # The round's best project meets the investor who declared interest in it, at a proposed time.
    (timed,) = proposals.exclude(starts_at=None)
    assert (timed.rank, timed.entry.owner.email, timed.person.email, timed.score, timed.status) == (
        1,
        "entrant2@haizhi.example",
        "investor@haizhi.example",
        1.0,
        "draft",
    )
    assert (timed.ends_at - timed.starts_at).total_seconds() == 30 * 60
    # The weakest match was set aside; no proposal pairs a project with its own owner.
    (discarded,) = proposals.filter(status="discarded")
    assert discarded.score == min(p.score for p in proposals)
    assert all(p.person_id != p.entry.owner_id for p in proposals)
    assert all(proposal_reason(p) for p in proposals)
    # Reasons are kept as parts, and only the enterprise and investor side is proposed.
    assert all(p.reasons and not p.old_reason for p in proposals)
    assert all(
        p.person.enterprise_profiles.exists() or p.person.event_roles.filter(event=p.event, role="enterprise").exists()
        for p in proposals
    )
