"""The check cadence with a frozen clock: tasks created on time and once, reminders sent once,
overdue checks flagged once and organisers told."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _

from events.models import Role
from landing import services, tasks
from landing.models import CadenceTask
from notifications.models import Notification
from tests.factories import LandedCompanyFactory

from .conftest import person

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def rows(company):
    return list(
        CadenceTask.objects.filter(company=company).order_by("kind").values_list("kind", "period_start", "due_on")
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (
            dt.date(2026, 11, 1),
            [
                ("check", dt.date(2026, 11, 1), dt.date(2026, 11, 15)),
                ("coordination", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
                ("review", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
            ],
        ),
        (
            dt.date(2027, 2, 16),
            [
                ("check", dt.date(2027, 2, 16), dt.date(2027, 2, 28)),
                ("coordination", dt.date(2027, 2, 1), dt.date(2027, 2, 28)),
                ("review", dt.date(2027, 1, 1), dt.date(2027, 3, 31)),
            ],
        ),
        (
            dt.date(2028, 2, 29),
            [
                ("check", dt.date(2028, 2, 16), dt.date(2028, 2, 29)),
                ("coordination", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
                ("review", dt.date(2028, 1, 1), dt.date(2028, 3, 31)),
            ],
        ),
    ],
)
def test_the_periods_tasks_are_created_once(company, editor, today, expected):
    assert services.cadence_tasks_create(today=today) == 3
    assert rows(company) == expected
    assert services.cadence_tasks_create(today=today) == 0
    assert rows(company) == expected
    assert set(CadenceTask.objects.values_list("assignee", flat=True)) == {editor.pk}


def test_the_daily_task_on_the_16th_adds_only_the_second_half_check(company, clock):
    clock.freeze(dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC))
    tasks.run_cadence()
    clock.freeze(dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC))
    result = tasks.run_cadence()
    assert result["created"] == 1
    assert list(
        CadenceTask.objects.filter(kind="check").values_list("period_start", flat=True).order_by("period_start")
    ) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 16),
    ]
    assert CadenceTask.objects.count() == 4


def test_without_a_responsible_the_events_first_ledger_editor_is_assigned(event, editor):
    company = LandedCompanyFactory(entry__event=event, event=event, responsible=None)
    later = person(event, Role.LEDGER_EDITOR)
    services.cadence_tasks_create(today=dt.date(2026, 11, 3))
    assert set(CadenceTask.objects.filter(company=company).values_list("assignee", flat=True)) == {
        min(editor.pk, later.pk)
    }


def test_companies_incorporated_later_get_no_checks_yet(event):
    company = LandedCompanyFactory(entry__event=event, event=event, incorporated_on=dt.date(2027, 1, 20))
    assert services.cadence_tasks_create(today=dt.date(2026, 12, 20)) == 0
    # The first half of January ends before incorporation: only the month's and quarter's checks.
    assert services.cadence_tasks_create(today=dt.date(2027, 1, 3)) == 2
    assert sorted(CadenceTask.objects.filter(company=company).values_list("kind", flat=True)) == [
        "coordination",
        "review",
    ]


def test_reminder_is_sent_once_a_few_days_before_the_due_date(company, editor):
    services.cadence_tasks_create(today=dt.date(2026, 11, 1))
    mail.outbox.clear()
    assert services.cadence_reminders_send(today=dt.date(2026, 11, 11)) == 0
    assert services.cadence_reminders_send(today=dt.date(2026, 11, 12)) == 1
    check = CadenceTask.objects.get(kind="check")
    assert check.reminded_at is not None
    assert [m.to for m in mail.outbox] == [[editor.email]]
    # In the editor's language (Chinese).
    with translation.override(editor.language):
        expected = _("%(kind)s of %(company)s is due on %(due)s") % {
            "kind": CadenceTask.Kind.HALF_MONTHLY_CHECK.label,
            "company": company.name_zh,
            "due": "2026-11-15",
        }
    assert mail.outbox[0].subject == expected
    note = Notification.objects.get(user=editor)
    assert (note.kind, note.url) == ("ledger.reminder", company.get_absolute_url())
    assert services.cadence_reminders_send(today=dt.date(2026, 11, 13)) == 0
    assert len(mail.outbox) == 1


def test_done_checks_get_no_reminder(company, editor):
    services.cadence_tasks_create(today=dt.date(2026, 11, 1))
    for task in CadenceTask.objects.all():
        services.cadence_task_complete(task=task, done_by=editor)
    assert services.cadence_reminders_send(today=dt.date(2026, 11, 14)) == 0


def test_overdue_checks_are_flagged_once_and_organisers_told(event, company, organiser, editor, clock):
    services.cadence_tasks_create(today=dt.date(2026, 11, 1))
    coordination = CadenceTask.objects.get(kind="coordination")
    services.cadence_task_complete(task=coordination, done_by=editor)
    mail.outbox.clear()
    assert services.cadence_overdue_flag(today=dt.date(2026, 11, 15)) == 0
    clock.freeze(dt.datetime(2026, 11, 16, 1, tzinfo=dt.UTC))
    result = tasks.run_cadence()
    assert result["flagged"] == 1
    check = CadenceTask.objects.get(kind="check", period_start=dt.date(2026, 11, 1))
    assert check.overdue_flagged_at == dt.datetime(2026, 11, 16, 1, tzinfo=dt.UTC)
    assert CadenceTask.objects.filter(overdue_flagged_at__isnull=False).count() == 1
    overdue_mail = [m for m in mail.outbox if m.to == [organiser.email]]
    assert len(overdue_mail) == 1
    assert overdue_mail[0].subject == f"{event.title_en}: 1 ledger check is overdue"
    assert Notification.objects.filter(user=organiser, kind="ledger.overdue").count() == 1
    assert services.cadence_overdue_flag(today=dt.date(2026, 11, 17)) == 0
    assert Notification.objects.filter(user=organiser, kind="ledger.overdue").count() == 1
