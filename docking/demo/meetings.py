"""Demo leads, meetings and deals (see core.demo), after the enterprises and needs.

On the 2026 docking fair: tables, leads of the enterprise and the investor on entrant1's and
entrant4's projects, a meeting the enterprise requested and entrant1 accepted at a table, a
meeting the organiser put on the schedule, and a request from the investor that entrant1 still
has to answer. On the contest: the interest the enterprise and the investor marked in the final
roadshow (turned into leads) and signed deals. Deals: signed ones with amounts, an intent and a
cancelled one. After the contest's released preliminary round (and its semi-final roadshow, where
the enterprise and the investor marked interest), the meeting proposals generated for the round's
top entries: drafts, one with a proposed time, and the weakest match, which the organiser set aside.

Everything goes through the docking services. Idempotent: each record is looked up by its
natural key (people, project, event) first and only created when missing.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from core.demo import DemoContext
from judging import selectors as judging_selectors
from livestream.models import AgendaSlot, RoomInterest
from registration.models import Entry, Status

from ..models import (
    Deal,
    EnterpriseProfile,
    FairTable,
    Lead,
    Meeting,
    MeetingParticipant,
    MeetingProposal,
    MeetingRequest,
)
from ..selectors.meetings import docking_entries
from ..services import deals as deal_services
from ..services import leads as lead_services
from ..services import meetings as meeting_services
from ..services import proposals as proposal_services
from ..services.meetings import Slot

CONTEST = "haicheng-innovation-contest-2026"
FAIR = "talent-docking-fair-2026"
CHINA = ZoneInfo("Asia/Shanghai")
TABLES = [("T01", "A 区 Hall A"), ("T02", "A 区 Hall A"), ("T03", "B 区 Hall B"), ("T04", "B 区 Hall B")]
SIGNED_ON = date(2026, 11, 18)
# Projects the contest's deals are about, best first.
DEAL_STATUSES = [Status.AWARDED, Status.FINALIST, Status.IN_ROUND, Status.SCREENED_IN]
PROPOSAL_TOP_N = 8
PROPOSAL_PER_ENTRY = 1
PROPOSAL_MINUTES = 30


def _enterprise(ctx: DemoContext, org_key: str, user_key: str) -> EnterpriseProfile:
    profile, created = EnterpriseProfile.objects.get_or_create(organisation=ctx.organisations[org_key])
    profile.contacts.add(ctx.users[user_key])
    if created:
        ctx.count("enterprise profiles")
    return profile


def _fair_day(event) -> datetime:
    """14:00 China time on the fair's first day, or tomorrow if that day has passed (afternoon
    sessions: mornings stay free for the meetings people arrange themselves)."""
    day = max(event.starts_on, timezone.localdate() + timedelta(days=1))
    return datetime.combine(day, time(14), tzinfo=CHINA)


def _entry_of(event, user) -> Entry | None:
    return docking_entries(event).filter(owner=user).order_by("pk").first()


def _lead(ctx: DemoContext, event, entry: Entry, person, notes: str) -> Lead:
    lead = Lead.objects.filter(entry=entry, person=person).first()
    if lead is None:
        lead = lead_services.lead_create(
            event=event, entry=entry, person=person, created_by=ctx.users["organiser"], notes=notes
        )
        ctx.count("leads")
    return lead


def _room_interest(ctx: DemoContext, contest) -> None:
    """The enterprise and the investor marked interest in the first two pitches of the final roadshow."""
    slots = AgendaSlot.objects.filter(room__event=contest).select_related("room").order_by("room_id", "position")[:2]
    for slot in slots:
        for user_key in ("enterprise", "investor"):
            user = ctx.users[user_key]
            if slot.entry.owner_id == user.pk:
                continue
            _interest, created = RoomInterest.objects.get_or_create(
                entry_id=slot.entry_id, user=user, defaults={"room": slot.room, "slot": slot}
            )
            if created:
                ctx.count("room interests")
    linked = lead_services.leads_import_room_interests(event=contest, imported_by=None)
    if linked:
        ctx.count("leads", linked)
    # On the site a room's interest becomes a lead the moment it is marked; the demo's past roadshow
    # (livestream.demo) was written as held days ago, so its leads date from the marks too.
    marked_at = RoomInterest.objects.filter(pk=OuterRef("room_interest_id")).values("created_at")[:1]
    Lead.objects.filter(event=contest, room_interest__created_at__lt=F("created_at")).update(
        created_at=Subquery(marked_at), updated_at=Subquery(marked_at)
    )


def _fair(ctx: DemoContext, fair) -> None:
    organiser = ctx.users["organiser"]
    tables = {}
    for label, location in TABLES:
        table = FairTable.objects.filter(event=fair, label=label).first()
        if table is None:
            table = meeting_services.fair_table_create(event=fair, label=label, location=location, created_by=organiser)
            ctx.count("fair tables")
        tables[label] = table
    entrant1, entrant4 = ctx.users["entrant1"], ctx.users["entrant4"]
    enterprise, investor = ctx.users["enterprise"], ctx.users["investor"]
    battery, second = _entry_of(fair, entrant1), _entry_of(fair, entrant4)
    if battery is None or second is None:
        return
    _lead(ctx, fair, battery, enterprise, "现场洽谈固态电池中试线合作 / Pilot line cooperation")
    _lead(ctx, fair, battery, investor, "关注 A 轮融资 / Interested in the series A")
    _lead(ctx, fair, second, investor, "")
    start = _fair_day(fair)
    # The enterprise asked; entrant1 accepted the second time, at table T01.
    if not MeetingRequest.objects.filter(event=fair, entry=battery, requested_by=enterprise).exists():
        request = meeting_services.meeting_request_create(
            event=fair,
            entry=battery,
            requested_by=enterprise,
            slots=[
                Slot(start, start + timedelta(minutes=30)),
                Slot(start + timedelta(hours=1), start + timedelta(hours=1, minutes=30)),
            ],
            message="希望在对接会现场详谈电池包集成方案。We would like to discuss pack integration at the fair.",
        )
        meeting_services.meeting_request_accept(
            request=request,
            slot=request.slots.order_by("starts_at").last(),
            answered_by=entrant1,
            mode=Meeting.Mode.FAIR_TABLE,
            table=tables["T01"],
            note="好的，现场见！See you at the fair.",
        )
        ctx.count("meeting requests")
        ctx.count("meetings")
    # The organiser put entrant4 and the investor on the schedule directly.
    if not Meeting.objects.filter(event=fair, entry=second, participants__user=investor).exists():
        meeting_services.fair_meeting_create(
            event=fair,
            entry=second,
            person=investor,
            table=tables["T02"],
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            created_by=organiser,
        )
        ctx.count("meetings")
    # The investor's request waits for entrant1's answer.
    if not MeetingRequest.objects.filter(event=fair, entry=battery, requested_by=investor).exists():
        meeting_services.meeting_request_create(
            event=fair,
            entry=battery,
            requested_by=investor,
            slots=[
                Slot(start + timedelta(hours=2), start + timedelta(hours=2, minutes=30)),
                Slot(start + timedelta(hours=3), start + timedelta(hours=3, minutes=30)),
            ],
            message="想了解贵项目的融资计划。We would like to hear about your funding plans.",
        )
        ctx.count("meeting requests")


def _deal(ctx: DemoContext, event, entry: Entry, enterprise, kind: str, **fields) -> Deal | None:
    if Deal.objects.filter(event=event, entry=entry, enterprise=enterprise, kind=kind).exists():
        return None
    deal = deal_services.deal_create(
        event=event, recorded_by=ctx.users["organiser"], entry=entry, enterprise=enterprise, kind=kind, **fields
    )
    ctx.count("deals")
    return deal


def _held_meeting(ctx: DemoContext, event, entry: Entry, enterprise: EnterpriseProfile, signed_on: date) -> None:
    """The talk that led to a signed deal, a week before the signing: history, so it is written as it
    stands (the services refuse to book a meeting in the past, as they should)."""
    contact = enterprise.contacts.order_by("pk").first()
    if contact is None or Meeting.objects.filter(event=event, entry=entry, status=Meeting.Status.HELD).exists():
        return
    record_held_meeting(
        ctx,
        event=event,
        entry=entry,
        people=[entry.owner, contact],
        starts_at=datetime.combine(signed_on - timedelta(days=7), time(10), tzinfo=CHINA),
        online_url="https://meeting.example.org/haizhi-demo",
        notes="双方确认合作方向，一周内起草协议。Both sides agreed the scope; a draft follows in a week.",
    )


def record_held_meeting(
    ctx: DemoContext, *, event, entry: Entry, people: list, starts_at: datetime, online_url: str, notes: str
) -> Meeting:
    """A 45-minute online talk already held, everyone checked in: history, written as it stands."""
    meeting = Meeting.objects.create(
        event=event,
        entry=entry,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        mode=Meeting.Mode.ONLINE,
        online_url=online_url,
        status=Meeting.Status.HELD,
        outcome_notes=notes,
        created_by=ctx.users["organiser"],
    )
    for user in people:
        MeetingParticipant.objects.create(meeting=meeting, user=user, checked_in_at=starts_at)
    ctx.count("meetings")
    return meeting


def _deals(ctx: DemoContext, contest, fair, bluesea: EnterpriseProfile, fund: EnterpriseProfile) -> None:
    signed_on = min(SIGNED_ON, timezone.localdate())
    projects = sorted(
        docking_entries(contest).filter(status__in=DEAL_STATUSES),
        key=lambda entry: (DEAL_STATUSES.index(entry.status), entry.pk),
    )[:2]
    signed = [
        ("investment", fund, Decimal("8000000"), "海城天使基金 Haicheng Angel Fund"),
        ("cooperation", bluesea, Decimal("3500000"), ""),
    ]
    for entry, (kind, enterprise, amount, parties) in zip(projects, signed, strict=False):
        _held_meeting(ctx, contest, entry, enterprise, signed_on)
        _deal(
            ctx,
            contest,
            entry,
            enterprise,
            kind,
            stage="signed",
            amount_cny=amount,
            parties=parties,
            signed_on=signed_on,
        )
    battery = _entry_of(fair, ctx.users["entrant1"])
    if battery is not None:
        lead = Lead.objects.filter(entry=battery, person=ctx.users["enterprise"]).first()
        _deal(
            ctx,
            fair,
            battery,
            bluesea,
            "cooperation",
            amount_cny=Decimal("12000000"),
            lead=lead,
            notes="中试线共建意向 / Letter of intent for a joint pilot line",
        )
    second = _entry_of(fair, ctx.users["entrant4"])
    if second is not None:
        cancelled = _deal(ctx, fair, second, fund, "investment", amount_cny=Decimal("2000000"))
        if cancelled is not None:
            deal_services.deal_transition(
                deal=cancelled,
                to_stage=Deal.Stage.CANCELLED,
                changed_by=ctx.users["organiser"],
                reason="团队决定先完成产品验证 / The team will validate the product first",
            )


def seed(ctx: DemoContext) -> None:
    contest, fair = ctx.events[CONTEST], ctx.events[FAIR]
    bluesea = _enterprise(ctx, "bluesea", "enterprise")
    fund = _enterprise(ctx, "fund", "investor")
    _room_interest(ctx, contest)
    _fair(ctx, fair)
    _deals(ctx, contest, fair, bluesea, fund)
    _proposals(ctx, contest, fair)


def _proposals(ctx: DemoContext, contest, fair) -> None:
    """Meeting proposals after the preliminary round's results, once per round (generating again
    would replace the drafts)."""
    round_ = judging_selectors.round_of(contest, 1)
    if round_ is None or not round_.results_released:
        return
    if MeetingProposal.objects.filter(round=round_).exists():
        return
    organiser = ctx.users["organiser"]
    drafts = proposal_services.meeting_proposals_generate(
        round=round_, generated_by=organiser, top_n=PROPOSAL_TOP_N, per_entry=PROPOSAL_PER_ENTRY
    )
    if not drafts:
        return
    ctx.count("meeting proposals", len(drafts))
    # The best-placed pair gets a time: 10:00 on the fair's first day, before the afternoon sessions.
    first = min(drafts, key=lambda proposal: (proposal.rank, -proposal.score, proposal.person_id))
    starts_at = _fair_day(fair) - timedelta(hours=4)
    proposal_services.meeting_proposal_update(
        proposal=first,
        changed_by=organiser,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=PROPOSAL_MINUTES),
    )
    weakest = min(drafts, key=lambda proposal: (proposal.score, -proposal.rank, proposal.person_id))
    if weakest.pk != first.pk and len(drafts) > 2:
        proposal_services.meeting_proposal_discard(proposal=weakest, discarded_by=organiser)
