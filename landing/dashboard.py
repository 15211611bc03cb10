"""The ledger part of 'My dashboard': a ledger editor's checks that are due soon or overdue."""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.dashboard import Section, Task

from . import selectors, services

HORIZON_DAYS = 7
COMPANIES_SHOWN = 10


def _checks(tasks) -> str:
    return ", ".join(f"{task.get_kind_display()} ({task.due_on.isoformat()})" for task in tasks)


def _note(tasks, today) -> str:
    overdue = [task for task in tasks if task.due_on < today]
    due = [task for task in tasks if task.due_on >= today]
    parts = []
    if overdue:
        parts.append(_("Overdue: %(checks)s") % {"checks": _checks(overdue)})
    if due:
        parts.append(_("Due: %(checks)s") % {"checks": _checks(due)})
    return "; ".join(parts)


def sections(user) -> list[Section]:
    """One section per event: each company with the person's checks overdue or due within a week
    (one query), the most urgent first, and a link to the board's overdue list."""
    today = services.local_today()
    by_company: dict[int, list] = {}
    for task in selectors.tasks_due_for(user, today=today, horizon=today + timedelta(days=HORIZON_DAYS)):
        by_company.setdefault(task.company_id, []).append(task)
    result: dict[int, Section] = {}
    events: dict[int, object] = {}
    hidden: dict[int, int] = {}
    for tasks in sorted(by_company.values(), key=lambda tasks: (tasks[0].company.event_id, tasks[0].due_on)):
        company = tasks[0].company
        event = events.setdefault(company.event_id, company.event)
        section = result.setdefault(
            event.pk,
            Section(title=_("Ledger checks: %(event)s") % {"event": event.title}, event_title=event.title, order=7),
        )
        if len(section.tasks) < COMPANIES_SHOWN:
            section.tasks.append(Task(company.name, company.get_absolute_url(), _note(tasks, today)))
        else:
            hidden[event.pk] = hidden.get(event.pk, 0) + 1
    for event_pk, section in result.items():
        more = hidden.get(event_pk, 0)
        label = (
            ngettext("%(count)s more company on the board", "%(count)s more companies on the board", more)
            % {"count": more}
            if more
            else _("Ledger board")
        )
        section.tasks.append(Task(label, reverse("landing:board", kwargs={"slug": events[event_pk].slug})))
    return list(result.values())
