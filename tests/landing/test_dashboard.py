"""'My dashboard' for ledger editors: their checks due within a week and overdue ones."""

import datetime as dt

import pytest
from django.utils import translation

from landing import dashboard, services
from landing.models import CadenceTask
from tests.factories import LandedCompanyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_editor_sees_due_and_overdue_checks_only(event, editor, organiser, company, clock):
    other = LandedCompanyFactory(entry__event=event, event=event, responsible=organiser)
    services.cadence_tasks_create(today=dt.date(2026, 11, 1))
    CadenceTask.objects.create(
        company=company,
        kind="check",
        period_start=dt.date(2026, 10, 16),
        due_on=dt.date(2026, 10, 31),
        assignee=editor,
    )
    services.cadence_task_complete(task=CadenceTask.objects.get(company=company, kind="review"), done_by=editor)
    clock.freeze(dt.datetime(2026, 11, 10, 4, tzinfo=dt.UTC))
    with translation.override("en"):
        sections = dashboard.sections(editor)
    assert len(sections) == 1
    assert sections[0].title == f"Ledger checks: {event.title_en}"
    assert [(task.label, task.note, task.url) for task in sections[0].tasks] == [
        (
            company.name_en,
            "Overdue: Half-monthly check (2026-10-31); Due: Half-monthly check (2026-11-15)",
            company.get_absolute_url(),
        ),
        ("Ledger board", "", f"/events/{event.slug}/ledger/"),
    ]
    assert other.responsible == organiser
    assert len(dashboard.sections(organiser)) == 1


def test_nothing_due_means_no_section(editor):
    assert dashboard.sections(editor) == []


def test_many_companies_are_summed_up_with_a_link_to_the_board(event, editor, clock):
    for _ in range(12):
        LandedCompanyFactory(entry__event=event, event=event, responsible=editor)
    services.cadence_tasks_create(today=dt.date(2026, 11, 10))
    clock.freeze(dt.datetime(2026, 11, 10, 4, tzinfo=dt.UTC))
    with translation.override("en"):
        (section,) = dashboard.sections(editor)
    assert len(section.tasks) == dashboard.COMPANIES_SHOWN + 1
    assert (section.tasks[-1].label, section.tasks[-1].url) == (
        "2 more companies on the board",
        f"/events/{event.slug}/ledger/",
    )
