"""A programme to count: two events, entries in every status, meetings, deals (signed, intent,
cancelled), landed companies in every colour and scheduled checks (open, done, overdue).

The tests count the expected figures themselves, entry by entry in Python, and compare them
with what the dashboard's aggregate queries say.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from docking.models import Deal, Meeting
from events.models import Event, Role
from landing.models import CadenceTask, LandedCompany
from registration.models import Entry, StatusChange
from tests.factories import (
    DealFactory,
    EntryFactory,
    EventFactory,
    EventRoleFactory,
    LandedCompanyFactory,
    MeetingFactory,
    TrackFactory,
    UserFactory,
)

SUBMITTED = dt.datetime(2026, 9, 10, 8, tzinfo=dt.UTC)


@dataclass
class Programme:
    event: Event
    other: Event
    organiser: object
    other_organiser: object
    ledger_editor: object
    tracks: list
    entries: dict[str, Entry] = field(default_factory=dict)


def add_entry(event, *, status, track, country="DE", submitted=True, **kwargs) -> Entry:
    return EntryFactory(
        event=event,
        track=track,
        status=status,
        submitted_at=SUBMITTED if submitted else None,
        round_number=1 if status == "in_round" else None,
        lead__country=country,
        **kwargs,
    )


def add_task(company, *, due_on, done_at=None, kind=CadenceTask.Kind.HALF_MONTHLY_CHECK) -> CadenceTask:
    return CadenceTask.objects.create(
        company=company, kind=kind, period_start=due_on - dt.timedelta(days=14), due_on=due_on, done_at=done_at
    )


def role(event, user_role, user=None):
    user = user or UserFactory(language="en")
    EventRoleFactory(event=event, user=user, role=user_role)
    return user


@pytest.fixture
def programme(db) -> Programme:
    event = EventFactory(title_zh="海智创新大赛", title_en="Haizhi Innovation Contest", starts_on=dt.date(2026, 9, 1))
    other = EventFactory(starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2025, 12, 1))
    tracks = [TrackFactory(event=event, position=1), TrackFactory(event=event, position=2)]
    data = Programme(
        event=event,
        other=other,
        organiser=role(event, Role.ORGANISER),
        other_organiser=role(other, Role.ORGANISER),
        ledger_editor=role(event, Role.LEDGER_EDITOR),
        tracks=tracks,
    )
    one, two = tracks
    e = data.entries
    e["draft"] = add_entry(event, status="draft", track=one, submitted=False)
    e["submitted"] = add_entry(event, status="submitted", track=one, country="US")
    e["no_track"] = add_entry(event, status="submitted", track=None, country="")
    e["out"] = add_entry(event, status="screened_out", track=two)
    e["screened"] = add_entry(event, status="screened_in", track=one, country="CN")
    e["withdrawn"] = add_entry(event, status="withdrawn", track=two)
    StatusChange.objects.create(entry=e["withdrawn"], from_status="submitted", to_status="screened_in")
    StatusChange.objects.create(entry=e["withdrawn"], from_status="screened_in", to_status="withdrawn")
    e["in_round"] = add_entry(event, status="in_round", track=one)
    e["finalist"] = add_entry(event, status="finalist", track=one, country="US")
    e["awarded"] = add_entry(event, status="awarded", track=two)
    e["finalist2"] = add_entry(event, status="finalist", track=two)

    MeetingFactory(entry=e["finalist"], status=Meeting.Status.HELD)
    MeetingFactory(entry=e["awarded"], status=Meeting.Status.SCHEDULED)
    MeetingFactory(entry=e["finalist2"], status=Meeting.Status.HELD)
    MeetingFactory(entry=e["finalist2"], status=Meeting.Status.CANCELLED)
    MeetingFactory(entry=e["screened"], status=Meeting.Status.NO_SHOW)

    DealFactory(entry=e["finalist"], stage=Deal.Stage.SIGNED, amount_cny=1_000_000, signed_on=dt.date(2026, 11, 10))
    DealFactory(entry=e["finalist"], stage=Deal.Stage.CANCELLED, amount_cny=300_000)
    DealFactory(entry=e["awarded"], stage=Deal.Stage.INTENT, amount_cny=800_000)
    DealFactory(
        entry=e["finalist2"], stage=Deal.Stage.SIGNED, amount_cny=Decimal("500000.50"), signed_on=dt.date(2026, 10, 20)
    )
    DealFactory(entry=e["finalist2"], stage=Deal.Stage.SIGNED, amount_cny=None, signed_on=dt.date(2026, 10, 21))

    blue = LandedCompanyFactory(entry=e["awarded"], status="blue")
    yellow = LandedCompanyFactory(entry=e["finalist2"], status="yellow")
    red = LandedCompanyFactory(entry=e["screened"], status="red")
    LandedCompanyFactory(entry=None, event=event, status="red")

    today = timezone.localdate()
    add_task(red, due_on=today - dt.timedelta(days=3))  # overdue
    add_task(yellow, due_on=today - dt.timedelta(days=1), kind=CadenceTask.Kind.MONTHLY_COORDINATION)  # overdue
    add_task(blue, due_on=today - dt.timedelta(days=3), done_at=timezone.now())  # done
    add_task(red, due_on=today + dt.timedelta(days=3), kind=CadenceTask.Kind.QUARTERLY_REVIEW)  # not due yet
    add_task(yellow, due_on=today, kind=CadenceTask.Kind.QUARTERLY_REVIEW)  # due today: not overdue yet

    # The other event: none of this may show on the first event's pages.
    other_track = TrackFactory(event=other)
    stranger = add_entry(other, status="finalist", track=other_track, country="JP")
    MeetingFactory(entry=stranger, status=Meeting.Status.HELD)
    DealFactory(entry=stranger, stage=Deal.Stage.SIGNED, amount_cny=9_999, signed_on=dt.date(2025, 11, 1))
    add_task(LandedCompanyFactory(entry=stranger, status="blue"), due_on=today - dt.timedelta(days=5))
    e["stranger"] = stranger
    return data


def expected_funnel(entries) -> dict[str, int]:
    """The funnel counted entry by entry, the slow and obvious way."""
    later = {"screened_in", "in_round", "finalist", "awarded"}
    final = {"finalist", "awarded"}
    counts = dict.fromkeys(["registered", "screened_in", "finalists", "met", "signed", "landed", "production"], 0)
    for entry in entries:
        if entry.submitted_at is None:
            continue
        history = {change.to_status for change in entry.status_changes.all()} | {entry.status}
        company = LandedCompany.objects.filter(entry=entry).first()
        counts["registered"] += 1
        counts["screened_in"] += bool(history & later)
        counts["finalists"] += bool(history & final)
        counts["met"] += any(m.status == "held" for m in entry.meetings.all())
        counts["signed"] += any(d.stage == "signed" for d in entry.deals.all())
        counts["landed"] += company is not None
        counts["production"] += company is not None and company.status == "blue"
    return counts
