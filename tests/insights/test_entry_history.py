"""One page per entry: its whole history for organisers; the owner's view without judges' internals."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from docking.models import Lead
from events.models import Role
from judging.models import Score, Scorecard
from landing.models import LedgerChange
from registration.models import StatusChange
from tests.factories import (
    AgendaSlotFactory,
    CriterionFactory,
    DealFactory,
    EnterpriseProfileFactory,
    EntryFactory,
    EventFactory,
    LandedCompanyFactory,
    LeadFactory,
    MeetingFactory,
    MeetingParticipantFactory,
    RoomInterestFactory,
    RoundFactory,
    UserFactory,
)

from .conftest import role

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _card(round_, entry, criterion, value, *, feedback="", released=False):
    judge = role(round_.event, Role.JUDGE, user=UserFactory(name_en=f"Judge {value}"))
    card = Scorecard.objects.create(
        round=round_,
        entry=entry,
        judge=judge,
        status=Scorecard.Status.SUBMITTED,
        submitted_at=timezone.now(),
        feedback_to_entrant=feedback,
        feedback_released=released,
        comment_to_organisers="Internal remark for organisers",
    )
    Score.objects.create(scorecard=card, criterion=criterion, value=value)
    return card


def build_history(*, leads: int = 1):
    event = EventFactory(title_en="Haizhi Innovation Contest")
    organiser = role(event, Role.ORGANISER, user=UserFactory(name_en="Olga Organiser", language="en"))
    owner = UserFactory(name_en="Tanja Talent", language="en")
    entry = EntryFactory(
        event=event, owner=owner, status="finalist", submitted_at=timezone.now(), title_en="Solid battery"
    )
    role(event, Role.ENTRANT, user=owner)
    StatusChange.objects.create(entry=entry, from_status="submitted", to_status="screened_in", changed_by=organiser)
    StatusChange.objects.create(entry=entry, from_status="screened_in", to_status="finalist", changed_by=organiser)

    released = RoundFactory(event=event, number=1, name_en="Online review", results_released_at=timezone.now())
    hidden = RoundFactory(event=event, number=2, name_en="Final round")
    for round_ in (released, hidden):
        criterion = CriterionFactory(round=round_, weight=100)
        _card(round_, entry, criterion, 8, feedback="Strong team, show the market.", released=round_ is released)
        _card(round_, entry, criterion, 6)
        rival = EntryFactory(event=event, status="finalist", submitted_at=timezone.now())
        _card(round_, rival, criterion, 9)

    slot = AgendaSlotFactory(room__event=event, entry=entry, state="done", started_at=timezone.now())
    RoomInterestFactory(slot=slot)
    RoomInterestFactory(slot=slot)

    enterprise = EnterpriseProfileFactory(organisation__name_en="Haicheng Motors")
    for n in range(leads):
        LeadFactory(entry=entry, enterprise=enterprise if n == 0 else None, notes="Call back after CNY")
        meeting = MeetingFactory(entry=entry, status="held", outcome_notes="Agreed a pilot")
        MeetingParticipantFactory(meeting=meeting, user=owner)
        MeetingParticipantFactory(meeting=meeting)
        DealFactory(entry=entry, stage="signed", signed_on=dt.date(2026, 11, 3), amount_cny=3_000_000, notes="Board ok")
    company = LandedCompanyFactory(entry=entry, status="yellow", name_en="Solid Battery (Haicheng) Co.")
    LedgerChange.objects.create(company=company, from_status="", to_status="red", changed_by=organiser)
    LedgerChange.objects.create(
        company=company, from_status="red", to_status="yellow", changed_by=organiser, note="Workshop being fitted"
    )
    return SimpleNamespace(event=event, organiser=organiser, owner=owner, entry=entry)


def _url(entry):
    return reverse("insights:entry_history", kwargs={"slug": entry.event.slug, "pk": entry.pk})


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_organiser_sees_the_whole_history(client):
    made = build_history()
    organiser, entry = made.organiser, made.entry
    client.force_login(organiser)
    response = client.get(_url(entry))
    assert response.status_code == 200
    history = response.context["history"]
    assert history.full is True
    assert [c.to_status for c in history.status_changes] == ["screened_in", "finalist"]
    assert [(line.round.number, line.value, line.rank, line.ranked_of, line.card_count) for line in history.rounds] == [
        (1, 7.0, 2, 2, 2),
        (2, 7.0, 2, 2, 2),
    ]
    assert [p.interest_count for p in history.pitches] == [2]
    assert history.interest_total == 2
    assert [lead.enterprise.name for lead in history.leads] == ["Haicheng Motors"]
    assert [m.status for m in history.meetings] == ["held"]
    assert [(d.stage, d.amount_cny) for d in history.deals] == [("signed", 3_000_000)]
    assert history.company.status == "yellow"
    assert [c.to_status for c in history.ledger_changes] == ["yellow", "red"]
    html = response.content.decode()
    for text in ("Olga Organiser", "Call back after CNY", "Agreed a pilot", "Board ok", "Workshop being fitted"):
        assert text in html
    assert "Red: not started → Yellow: under construction" in html
    assert "¥3,000,000" in html
    assert "Internal remark for organisers" not in html


def test_owner_sees_released_results_without_judges_internals(client):
    made = build_history()
    owner, entry = made.owner, made.entry
    client.force_login(owner)
    response = client.get(_url(entry))
    assert response.status_code == 200
    history = response.context["history"]
    assert history.full is False
    assert [(line.round.number, line.rank, line.card_count, line.feedback) for line in history.rounds] == [
        (1, 2, None, ["Strong team, show the market."]),
    ]
    html = response.content.decode()
    assert "Final round" not in html
    for hidden in (
        "Olga Organiser",
        "Judge 8",
        "Call back after CNY",
        "Agreed a pilot",
        "Board ok",
        "Workshop being fitted",
    ):
        assert hidden not in html
    assert "Haicheng Motors" in html
    assert "Solid Battery (Haicheng) Co." in html


def test_others_find_no_history(client):
    made = build_history()
    event, entry = made.event, made.entry
    for who in (Role.ENTRANT, Role.JUDGE, Role.ENTERPRISE, Role.AUDIENCE, Role.LEDGER_EDITOR):
        client.force_login(role(event, who))
        assert client.get(_url(entry)).status_code == 404, who
    client.force_login(role(EventFactory(), Role.ORGANISER))
    assert client.get(_url(entry)).status_code == 404


def test_history_queries_do_not_grow_with_leads_meetings_and_deals(client):
    counts = []
    for leads in (1, 3):
        made = build_history(leads=leads)
        organiser, entry = made.organiser, made.entry
        client.force_login(organiser)
        client.get(_url(entry))  # judging results are cached per process after the first read
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(entry))
        assert len(response.context["history"].meetings) == leads
        assert Lead.objects.filter(entry=entry).count() == leads
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_entry_pages_link_to_the_history(client):
    made = build_history()
    event, organiser, owner, entry = made.event, made.organiser, made.owner, made.entry
    client.force_login(organiser)
    detail = client.get(entry.get_absolute_url()).content.decode()
    assert f'href="{_url(entry)}"' in detail
    screening = client.get(reverse("registration:screening", kwargs={"slug": event.slug})).content.decode()
    assert f'href="{_url(entry)}"' in screening
    client.force_login(owner)
    assert f'href="{_url(entry)}"' in client.get(entry.get_absolute_url()).content.decode()
