"""The programme dashboard, the monthly supervision report and an entry's whole history.

These are reads that span apps; each checks who asks (``events.services``) before it counts
anything. Dashboards and reports are for the people ``insights.view`` names (organisers and
ledger editors of the event; site staff); an entry's history is for the event's organisers
and the entry's own owner, who sees it without the judges' internals.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from docking.models import Deal, Lead, Meeting, MeetingParticipant
from events.models import Event
from events.services import can, require
from judging import selectors as judging_selectors
from judging import services as judging_services
from judging.models import RoundOutcome
from judging.weights import Component, Standing
from landing.models import LandedCompany, LedgerChange
from livestream import selectors as livestream_selectors
from livestream.models import AgendaSlot, RoomInterest
from registration.models import Entry, StatusChange, TeamMember

from . import selectors
from .selectors import DealSummary, FunnelRow, LedgerSummary

MONTH_FORMAT = "%Y-%m"


@dataclass
class Dashboard:
    """Every figure of a dashboard page, for one event or for the programme (several events)."""

    events: list[Event]
    event: Event | None
    funnel: dict[str, int]
    by_event: list[FunnelRow]
    by_track: list[FunnelRow]
    by_country: list[FunnelRow]
    by_year: list[FunnelRow]
    deals: DealSummary
    ledger: LedgerSummary
    companies: list[LandedCompany]
    today: dt.date


def _dashboard(events: QuerySet[Event], *, event: Event | None, today: dt.date) -> Dashboard:
    listed = list(events)
    return Dashboard(
        events=listed,
        event=event,
        funnel=selectors.funnel_totals(events),
        by_event=selectors.funnel_by_event(events) if event is None else [],
        by_track=selectors.funnel_by_track(events, with_event=event is None),
        by_country=selectors.funnel_by_country(events),
        by_year=selectors.funnel_by_year(events),
        deals=selectors.deal_summary(events),
        ledger=selectors.ledger_summary(events, today=today),
        companies=list(selectors.landed_companies(events)),
        today=today,
    )


def event_dashboard_build(*, user: User, event: Event, today: dt.date | None = None) -> Dashboard:
    """The dashboard of one event (its organisers and ledger editors)."""
    require(user, "insights.view", event)
    return _dashboard(Event.objects.filter(pk=event.pk), event=event, today=today or timezone.localdate())


def programme_dashboard_build(*, user: User, today: dt.date | None = None) -> Dashboard:
    """The dashboard across every event the user may read a dashboard of; refused if there is none."""
    events = selectors.programme_events(user)
    if not events.exists():
        raise PermissionDenied(_("Only organisers and ledger editors see the programme dashboard."))
    return _dashboard(events, event=None, today=today or timezone.localdate())


# --- Monthly supervision report ------------------------------------------------------------------


def month_parse(text: str | None, *, today: dt.date) -> dt.date:
    """The first day of the month written ``YYYY-MM``; the current month when nothing is given."""
    if not text:
        return today.replace(day=1)
    try:
        first = dt.datetime.strptime(text.strip(), MONTH_FORMAT).date()
    except ValueError:
        raise ValidationError(
            _("Give the month as year and month, e.g. %(example)s.") % {"example": today.strftime(MONTH_FORMAT)},
            code="bad_month",
        ) from None
    if first.year < 2000 or first > today.replace(day=1):
        raise ValidationError(_("Choose a month between 2000 and this month."), code="month_out_of_range")
    return first


@dataclass
class CompanyLine:
    company: LandedCompany
    changes: list[LedgerChange] = field(default_factory=list)


@dataclass
class MonthlyReport:
    event: Event
    first: dt.date
    last: dt.date
    cutoff: dt.date
    companies_by_colour: list[tuple[str, str, list[CompanyLine]]]
    changes: list[LedgerChange]
    inspections: list
    overdue: list
    deals: list[Deal]
    signed_amount: object
    funnel: dict[str, int]

    @property
    def month(self) -> str:
        return self.first.strftime(MONTH_FORMAT)


def monthly_report_build(*, user: User, event: Event, first: dt.date, today: dt.date | None = None) -> MonthlyReport:
    """The monthly supervision report (月度督查报告) of an event for the month starting ``first``.

    Companies are listed by their colour now, each with its status moves in the month;
    inspections and signed deals are those dated in the month. A check is overdue when it
    was due before the report's cutoff (the day after the month, or today for the current
    month) and was still open at the end of the month (for the current month: is still open).
    """
    require(user, "insights.view", event)
    now = timezone.now()
    today = today or timezone.localdate(now)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    cutoff = min(last + dt.timedelta(days=1), today)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    changes = list(selectors.ledger_changes_between(event, start, end))
    by_company: dict[int, list[LedgerChange]] = {}
    for change in changes:
        by_company.setdefault(change.company_id, []).append(change)
    companies = list(selectors.companies_of(event))
    colours = []
    for value, label in LandedCompany._meta.get_field("status").choices:
        lines = [CompanyLine(c, by_company.get(c.pk, [])) for c in companies if c.status == value]
        colours.append((value, label, lines))
    events = Event.objects.filter(pk=event.pk)
    overdue = list(
        selectors.overdue_tasks(events, due_before=cutoff, open_at=min(end, now))
        .select_related("company", "assignee")
        .order_by("due_on", "company__name_zh", "pk")
    )
    deals = list(selectors.deals_signed_between(event, first, last))
    return MonthlyReport(
        event=event,
        first=first,
        last=last,
        cutoff=cutoff,
        companies_by_colour=colours,
        changes=changes,
        inspections=list(selectors.inspections_between(event, first, last)),
        overdue=overdue,
        deals=deals,
        signed_amount=sum((deal.amount_cny or 0 for deal in deals), 0),
        funnel=selectors.funnel_totals(events),
    )


# --- One entry's whole history ------------------------------------------------------------------


@dataclass
class RoundLine:
    """An entry in one judging round: its total under the round's method and its rank.

    The total and rank are the round's standing (``judging.services.round_standing``): when the
    round weighs in the audience vote or a live signal, ``weighted`` is set and ``judges_value``,
    ``audience`` and ``signal`` are the parts; once advancement is confirmed they are the ones the
    decision was taken on (``frozen``). ``error`` says why a weighted round has no standing.
    """

    round: object
    value: float | None
    rank: int | None
    ranked_of: int
    card_count: int | None
    outcome: RoundOutcome | None
    feedback: list[str] = field(default_factory=list)
    weighted: bool = False
    judges_value: float | None = None
    audience: Component | None = None
    signal: Component | None = None
    frozen: bool = False
    error: str = ""


@dataclass
class PitchLine:
    slot: AgendaSlot
    interest_count: int
    # The live signals of a pitch that started: evidence beside the scores (a round counts one only
    # when it gives it a weight; ``EntryHistory.signal_rounds``).
    signals: livestream_selectors.PitchEvidence | None = None


@dataclass
class EntryHistory:
    entry: Entry
    full: bool  # organisers' view; the owner's view leaves out people and internal notes
    lead_member: TeamMember | None
    status_changes: list[StatusChange]
    rounds: list[RoundLine]
    pitches: list[PitchLine]
    interest_total: int
    leads: list[Lead]
    meetings: list[Meeting]
    deals: list[Deal]
    company: LandedCompany | None
    ledger_changes: list[LedgerChange]

    @property
    def signal_rounds(self) -> list[RoundLine]:
        """The rounds shown whose total counts a live signal (the pitches' signals are evidence elsewhere)."""
        return [line for line in self.rounds if line.round.signals_weight > 0]


LEDGER_CHANGES_SHOWN = 10


def entry_history_visible(user: User, entry: Entry) -> bool:
    """Organisers of the entry's event, and the entry's owner (who gets the owner's view)."""
    if can(user, "entry.view_all", entry.event):
        return True
    return user.is_authenticated and entry.owner_id == user.pk


def _standing(round_, entry: Entry) -> tuple[Standing | None, str]:
    """The round's standing, or None and why not when the judges did score the entry (the round's
    weighted audience award is gone)."""
    computed = judging_services.results_compute(round_)
    if computed.error:
        return None, ""
    try:
        return judging_services.round_standing(round_, results=computed), ""
    except ValidationError as exc:
        scored = entry.pk in computed.of(round_.method).entries
        return None, " ".join(exc.messages) if scored else ""


def _round_lines(entry: Entry, *, full: bool) -> list[RoundLine]:
    outcomes = {outcome.round_id: outcome for outcome in RoundOutcome.objects.filter(entry=entry)}
    feedback = judging_selectors.released_feedback(entry) if not full else {}
    rounds = judging_selectors.rounds_of(entry.event).select_related("event")
    if not full:
        rounds = rounds.filter(results_released_at__isnull=False)
    lines = []
    for round_ in rounds:
        standing, error = _standing(round_, entry)
        place = next((p for p in standing.overall if p.entry.entry_id == entry.pk), None) if standing else None
        outcome = outcomes.get(round_.pk)
        texts = feedback.get(round_.pk, [])
        if place is None and outcome is None and not texts and not (error and full):
            continue
        line = RoundLine(
            round=round_,
            value=place.entry.value if place else None,
            rank=place.rank if place else None,
            ranked_of=len(standing.overall) if standing else 0,
            card_count=place.entry.card_count if place and full else None,
            outcome=outcome,
            feedback=texts,
            weighted=round_.is_weighted,
            error=error if full else "",
        )
        if round_.is_weighted and outcome is not None and outcome.value is not None:
            # What advancement was decided on; votes and signals may have moved since.
            line.rank, line.value, line.judges_value, line.frozen = (
                outcome.rank,
                outcome.value,
                outcome.judges_value,
                True,
            )
            if outcome.audience_votes is not None:
                line.audience = Component(count=outcome.audience_votes, value=outcome.audience_value)
            if outcome.signal_count is not None:
                line.signal = Component(count=outcome.signal_count, value=outcome.signal_value)
        elif round_.is_weighted and place is not None:
            line.judges_value, line.audience, line.signal = (
                place.entry.judges_value,
                place.entry.audience,
                place.entry.signal,
            )
        lines.append(line)
    return lines


def entry_history_build(*, user: User, entry: Entry) -> EntryHistory:
    """Everything that happened to one entry, from registration to the landing ledger, on one page.

    Organisers see who did what, the judges' card counts and internal notes; the owner sees
    released rounds only (rank, value, released feedback without judges' names) and no notes.
    """
    if not entry_history_visible(user, entry):
        raise PermissionDenied(_("Only the event's organisers and the entry's owner see its history."))
    full = can(user, "entry.view_all", entry.event)
    slots = list(
        AgendaSlot.objects.filter(entry=entry)
        .select_related("room")
        .annotate(interest_count=Count("interests"))
        .order_by("room__scheduled_start", "position", "pk")
    )
    interest_total = RoomInterest.objects.filter(entry=entry).count()
    signals = {
        slot.pk: livestream_selectors.pitch_evidence(slot)
        for slot in livestream_selectors.pitched_slots_with_signals().filter(entry=entry)
    }
    company = LandedCompany.objects.filter(entry=entry).select_related("responsible").first()
    ledger_changes = []
    if company is not None:
        ledger_changes = list(
            LedgerChange.objects.filter(company=company)
            .select_related("changed_by")
            .order_by("-changed_at", "-pk")[:LEDGER_CHANGES_SHOWN]
        )
    return EntryHistory(
        entry=entry,
        full=full,
        lead_member=TeamMember.objects.filter(entry=entry, is_lead=True).first(),
        status_changes=list(StatusChange.objects.filter(entry=entry).select_related("changed_by")),
        rounds=_round_lines(entry, full=full),
        pitches=[
            PitchLine(slot=slot, interest_count=slot.interest_count, signals=signals.get(slot.pk)) for slot in slots
        ],
        interest_total=interest_total,
        leads=list(
            Lead.objects.filter(entry=entry)
            .select_related("person", "enterprise__organisation", "need")
            .order_by("created_at", "pk")
        ),
        meetings=list(
            Meeting.objects.filter(entry=entry)
            .select_related("table")
            .prefetch_related(Prefetch("participants", queryset=MeetingParticipant.objects.select_related("user")))
            .order_by("starts_at", "pk")
        ),
        deals=list(
            Deal.objects.filter(entry=entry).select_related("enterprise__organisation").order_by("created_at", "pk")
        ),
        company=company,
        ledger_changes=ledger_changes,
    )


def entry_of_event(event: Event, pk: int) -> Entry | None:
    return Entry.objects.filter(event=event, pk=pk).select_related("event", "track", "owner").first()
