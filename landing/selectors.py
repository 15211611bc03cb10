"""Reads of the landing ledger shared by the pages, the API, the dashboard and the benchmark."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from docking.models import Deal
from events.models import Event
from registration.models import Entry

from .models import CadenceTask, Inspection, LandedCompany, LedgerChange, LedgerStatus


def open_task_q(prefix: str = "cadence_tasks__") -> Q:
    return Q(**{f"{prefix}done_at__isnull": True})


def companies_for_board(
    event: Event, *, today: date, park: str = "", base: str = "", overdue_only: bool = False
) -> QuerySet[LandedCompany]:
    """The event's companies with their next open check's due date and count of overdue checks
    (one query whatever the number of companies)."""
    companies = (
        LandedCompany.objects.filter(event=event)
        .select_related("event", "responsible", "entry")
        .annotate(
            next_due_on=Min("cadence_tasks__due_on", filter=open_task_q() & Q(cadence_tasks__due_on__gte=today)),
            overdue_count=Count("cadence_tasks", filter=open_task_q() & Q(cadence_tasks__due_on__lt=today)),
        )
    )
    if park:
        companies = companies.filter(park=park)
    if base:
        companies = companies.filter(base=base)
    if overdue_only:
        companies = companies.filter(overdue_count__gt=0)
    return companies.order_by("name_zh", "name_en", "pk")


@dataclass
class Column:
    status: str
    label: str
    companies: list


def board_columns(companies: list[LandedCompany]) -> list[Column]:
    """Group companies by colour, red → yellow → blue, each with its count."""
    return [
        Column(status, label, [company for company in companies if company.status == status])
        for status, label in LedgerStatus.choices
    ]


def parks_of(event: Event) -> list[str]:
    return list(
        LandedCompany.objects.filter(event=event)
        .exclude(park="")
        .order_by("park")
        .values_list("park", flat=True)
        .distinct()
    )


def company_of(event: Event, pk: int, *, with_history: bool = False) -> LandedCompany | None:
    companies = (
        LandedCompany.objects.filter(event=event, pk=pk)
        .select_related("event", "entry", "entry__track", "talent", "responsible", "created_by")
        .prefetch_related(Prefetch("deals", queryset=Deal.objects.select_related("entry", "enterprise__organisation")))
    )
    if with_history:
        companies = companies.prefetch_related("milestones", "cadence_tasks", "changes")
    return companies.first()


@dataclass
class TimelineItem:
    when: datetime
    kind: str
    item: object


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def company_timeline(company: LandedCompany, *, today: date) -> list[TimelineItem]:
    """Everything that happened to a company, newest first: status moves and edits, milestones
    reached or due, inspections (with photos), and scheduled checks done or overdue."""
    items = [
        TimelineItem(change.changed_at, "status" if change.to_status and change.from_status else "change", change)
        for change in LedgerChange.objects.filter(company=company).select_related("changed_by")
    ]
    for milestone in company.milestones.all():
        items.append(TimelineItem(_moment(milestone.done_on or milestone.due_on), "milestone", milestone))
    for inspection in Inspection.objects.filter(company=company).select_related("inspector").prefetch_related("photos"):
        items.append(TimelineItem(_moment(inspection.inspected_on), "inspection", inspection))
    for task in CadenceTask.objects.filter(company=company).filter(Q(done_at__isnull=False) | Q(due_on__lt=today)):
        items.append(TimelineItem(task.done_at or _moment(task.due_on), "task", task))
    return sorted(items, key=lambda item: item.when, reverse=True)


def open_tasks_of(company: LandedCompany) -> QuerySet[CadenceTask]:
    return CadenceTask.objects.filter(company=company, done_at__isnull=True).select_related("company", "assignee")


def entries_for_ledger(event: Event, company: LandedCompany | None = None) -> QuerySet[Entry]:
    """Projects of the event that may be linked: submitted ones without a company, plus the company's own."""
    taken = LandedCompany.objects.filter(entry__isnull=False)
    if company is not None:
        taken = taken.exclude(pk=company.pk)
    return Entry.objects.filter(event=event).exclude(status="draft").exclude(pk__in=taken.values("entry_id"))


def deals_for_ledger(event: Event) -> QuerySet[Deal]:
    return (
        Deal.objects.filter(event=event)
        .exclude(stage=Deal.Stage.CANCELLED)
        .select_related("entry", "enterprise__organisation")
    )


def tasks_due_for(user, *, today: date, horizon: date) -> QuerySet[CadenceTask]:
    """A person's open checks that are overdue or due by ``horizon``, with company and event."""
    return (
        CadenceTask.objects.filter(assignee=user, done_at__isnull=True, due_on__lte=horizon)
        .select_related("company__event")
        .order_by("company__event_id", "due_on", "company_id", "kind")
    )
