"""Reads behind the programme dashboard and the monthly report: aggregate queries only.

Every figure is counted by the database (``Count`` with a filter over ``Exists`` flags), so
the number of queries does not grow with the number of entries, deals or companies.

Funnel stages, each counted on its own for the submitted entries of the chosen events:

- registered: the entry was submitted (``submitted_at`` is set, whatever its status now);
- screened in: the entry holds, or once held (its status history), screened in or a later
  status (in a judging round, finalist, awarded);
- finalist: the entry holds, or once held, finalist or awarded;
- met in docking: at least one of its docking meetings was held (scheduled meetings that have
  not taken place yet do not count);
- signed: at least one of its deals is signed;
- landed: a landed company is recorded for it;
- in production: that company's ledger status is blue.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from docking.models import Deal, Meeting
from events.models import Event, EventRole
from events.permissions import roles_for
from landing.models import CadenceTask, Inspection, LandedCompany, LedgerChange, LedgerStatus
from registration.models import Entry, Status, StatusChange, TeamMember, Track

SCREENED_IN_OR_LATER = (Status.SCREENED_IN, Status.IN_ROUND, Status.FINALIST, Status.AWARDED)
FINALIST_OR_LATER = (Status.FINALIST, Status.AWARDED)

FUNNEL_STAGES: list[tuple[str, object]] = [
    ("registered", _("Registered (submitted)")),
    ("screened_in", _("Screened in")),
    ("finalists", _("Finalists")),
    ("met", _("Met in docking (meeting held)")),
    ("signed", _("Signed a deal")),
    ("landed", _("Landed")),
    ("production", _("In production (blue)")),
]
STAGE_KEYS = [key for key, _label in FUNNEL_STAGES]


def programme_events(user) -> QuerySet[Event]:
    """The events whose dashboard the user may read: all for staff, else those where they hold a role
    that grants ``insights.view`` (organiser, ledger editor)."""
    events = Event.objects.order_by("-starts_on", "slug")
    if user.is_authenticated and user.is_active and user.is_staff:
        return events
    if not (user.is_authenticated and user.is_active):
        return events.none()
    granted = EventRole.objects.filter(user=user, role__in=roles_for("insights.view")).values("event_id")
    return events.filter(pk__in=granted)


def _reached(statuses) -> Q:
    history = StatusChange.objects.filter(entry=OuterRef("pk"), to_status__in=statuses)
    return Q(status__in=statuses) | Q(Exists(history))


def _stage_conditions() -> dict[str, Q]:
    return {
        "screened_in": _reached(SCREENED_IN_OR_LATER),
        "finalists": _reached(FINALIST_OR_LATER),
        "met": Q(Exists(Meeting.objects.filter(entry=OuterRef("pk"), status=Meeting.Status.HELD))),
        "signed": Q(Exists(Deal.objects.filter(entry=OuterRef("pk"), stage=Deal.Stage.SIGNED))),
        "landed": Q(Exists(LandedCompany.objects.filter(entry=OuterRef("pk")))),
        "production": Q(Exists(LandedCompany.objects.filter(entry=OuterRef("pk"), status=LedgerStatus.BLUE))),
    }


def submitted_entries(events: QuerySet[Event]) -> QuerySet[Entry]:
    return Entry.objects.filter(event__in=events, submitted_at__isnull=False)


def _funnel_aggregates() -> dict:
    """``Count`` expressions, one per stage, counted with the stage's condition as its filter."""
    counts = {"registered": Count("pk")}
    for key in STAGE_KEYS[1:]:
        # The stage's condition is a boolean annotation made by ``_flagged``.
        counts[key] = Count("pk", filter=Q(**{f"is_{key}": True}))
    return counts


def _flagged(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    return entries.annotate(**{f"is_{key}": condition for key, condition in _stage_conditions().items()})


@dataclass
class FunnelRow:
    """One row of a breakdown: its label and the count at every funnel stage."""

    key: object
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def values(self) -> list[int]:
        return [self.counts.get(key, 0) for key in STAGE_KEYS]


def funnel_totals(events: QuerySet[Event]) -> dict[str, int]:
    """The funnel of all submitted entries of ``events``: one query."""
    totals = _flagged(submitted_entries(events)).aggregate(**_funnel_aggregates())
    return {key: totals[key] or 0 for key in STAGE_KEYS}


def _grouped(events: QuerySet[Event], *group: str, **expressions) -> list[dict]:
    entries = _flagged(submitted_entries(events))
    if expressions:
        entries = entries.annotate(**expressions)
    return list(entries.values(*group).annotate(**_funnel_aggregates()).order_by(*group))


def funnel_by_event(events: QuerySet[Event]) -> list[FunnelRow]:
    """One row per event (each event listed, even without entries): two queries."""
    found = {row["event_id"]: row for row in _grouped(events, "event_id")}
    return [
        FunnelRow(key=event, label=event.title, counts={key: found.get(event.pk, {}).get(key, 0) for key in STAGE_KEYS})
        for event in events
    ]


def funnel_by_track(events: QuerySet[Event], *, with_event: bool) -> list[FunnelRow]:
    """One row per track (entries without a track in a row of their own): two queries."""
    rows = _grouped(events, "track_id")
    tracks = Track.objects.select_related("event").in_bulk([row["track_id"] for row in rows if row["track_id"]])
    result = []
    for row in rows:
        track = tracks.get(row["track_id"])
        if track is None:
            label = str(_("No track"))
        else:
            label = f"{track.event.title} · {track.name}" if with_event else track.name
        result.append(FunnelRow(key=track, label=label, counts={key: row[key] for key in STAGE_KEYS}))
    return sorted(result, key=_track_order)


def _track_order(row: FunnelRow) -> tuple:
    track = row.key
    if track is None:
        return (1, 0, 0, 0)
    return (0, -track.event.starts_on.toordinal(), track.event_id, track.position)


def funnel_by_country(events: QuerySet[Event]) -> list[FunnelRow]:
    """One row per country or region of the entry's lead team member, most entries first: one query."""
    lead_country = Subquery(TeamMember.objects.filter(entry=OuterRef("pk"), is_lead=True).values("country")[:1])
    rows = _grouped(events, "lead_country", lead_country=Coalesce(lead_country, Value("")))
    result = []
    for row in rows:
        code = row["lead_country"]
        label = TeamMember(country=code).country.name if code else str(_("Not given"))
        result.append(FunnelRow(key=code, label=label, counts={key: row[key] for key in STAGE_KEYS}))
    return sorted(result, key=lambda r: (not r.key, -r.counts["registered"], r.label))


def funnel_by_year(events: QuerySet[Event]) -> list[FunnelRow]:
    """One row per year (the year the event starts): one query."""
    rows = _grouped(events, "year", year=ExtractYear("event__starts_on"))
    return [FunnelRow(key=row["year"], label=str(row["year"]), counts={k: row[k] for k in STAGE_KEYS}) for row in rows]


@dataclass
class DealSummary:
    signed: int
    signed_amount: Decimal
    intent: int
    cancelled: int


def deal_summary(events: QuerySet[Event]) -> DealSummary:
    """Deals of the events by stage, and the total signed amount in CNY: one query."""
    figures = Deal.objects.filter(event__in=events).aggregate(
        signed=Count("pk", filter=Q(stage=Deal.Stage.SIGNED)),
        signed_amount=Sum("amount_cny", filter=Q(stage=Deal.Stage.SIGNED), default=Decimal(0)),
        intent=Count("pk", filter=Q(stage=Deal.Stage.INTENT)),
        cancelled=Count("pk", filter=Q(stage=Deal.Stage.CANCELLED)),
    )
    return DealSummary(**figures)


@dataclass
class LedgerSummary:
    red: int
    yellow: int
    blue: int
    overdue_checks: int

    @property
    def total(self) -> int:
        return self.red + self.yellow + self.blue


def ledger_summary(events: QuerySet[Event], *, today: dt.date) -> LedgerSummary:
    """Landed companies of the events by status colour, and their checks due before ``today`` and
    not done: two queries."""
    colours = LandedCompany.objects.filter(event__in=events).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in LedgerStatus.values}
    )
    overdue = CadenceTask.objects.filter(company__event__in=events, due_on__lt=today, done_at__isnull=True).count()
    return LedgerSummary(**colours, overdue_checks=overdue)


def overdue_tasks(events: QuerySet[Event], *, due_before: dt.date, open_at: dt.datetime) -> QuerySet[CadenceTask]:
    """Checks due before ``due_before`` that were still open at ``open_at`` (done later, or not at all)."""
    return CadenceTask.objects.filter(company__event__in=events, due_on__lt=due_before).filter(
        Q(done_at__isnull=True) | Q(done_at__gt=open_at)
    )


def landed_companies(events: QuerySet[Event]) -> QuerySet[LandedCompany]:
    """The events' landed companies with their project and event, by colour then name: one query."""
    return (
        LandedCompany.objects.filter(event__in=events)
        .select_related("entry", "event")
        .annotate(colour_order=Case(*[When(status=s, then=i) for i, s in enumerate(LedgerStatus.values)]))
        .order_by("colour_order", "name_zh", "name_en", "pk")
    )


# --- The monthly supervision report ----------------------------------------------------------------


def companies_of(event: Event) -> QuerySet[LandedCompany]:
    return LandedCompany.objects.filter(event=event).select_related("entry", "responsible")


def ledger_changes_between(event: Event, start: dt.datetime, end: dt.datetime) -> QuerySet[LedgerChange]:
    """Status moves of the event's companies in [start, end)."""
    return (
        LedgerChange.objects.filter(company__event=event, changed_at__gte=start, changed_at__lt=end)
        .exclude(to_status="")
        .exclude(to_status=F("from_status"))
        .select_related("company", "changed_by")
        .order_by("changed_at", "pk")
    )


def inspections_between(event: Event, first: dt.date, last: dt.date) -> QuerySet[Inspection]:
    return (
        Inspection.objects.filter(company__event=event, inspected_on__gte=first, inspected_on__lte=last)
        .select_related("company")
        .annotate(photo_count=Count("photos"))
        .order_by("inspected_on", "pk")
    )


def deals_signed_between(event: Event, first: dt.date, last: dt.date) -> QuerySet[Deal]:
    return (
        Deal.objects.filter(event=event, stage=Deal.Stage.SIGNED, signed_on__gte=first, signed_on__lte=last)
        .select_related("entry", "enterprise__organisation")
        .order_by("signed_on", "pk")
    )
