"""Landing ledger rules (一企一台账): companies, status colours, milestones, inspections and the
check cadence.

Only the event's organisers and ledger editors (``ledger.view`` / ``ledger.edit``) read or
change a ledger. Every field edit and every status move is kept as a ``LedgerChange`` (who,
when, old, new, why). The cadence gives each company a half-monthly check (1st–15th and
16th–end of month), a monthly coordination and a quarterly review, each due on the last
day of its period; the assignee is reminded a few days before and organisers are told
once a check is overdue. Functions that depend on the date take ``today`` so that tests
and the demo can fix the clock.
"""

import calendar
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.images import image_sanitize
from core.tasks import enqueue
from events.models import Event, EventRole, Role
from events.services import can, require
from notifications.services import user_notify

from .models import CadenceTask, Inspection, InspectionPhoto, LandedCompany, LedgerChange, LedgerStatus, Milestone
from .validators import validate_credit_code

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 2000
MAX_PHOTOS_PER_INSPECTION = 6
REMIND_DAYS_BEFORE = 3

# What ``company_create``/``company_update`` accept besides the links (entry, talent, deals).
COMPANY_FIELDS = (
    "name_zh",
    "name_en",
    "credit_code",
    "incorporated_on",
    "park",
    "district",
    "base",
    "base_name",
    "registered_capital_cny",
    "investment_received_cny",
    "employees",
    "responsible",
)
LINK_FIELDS = ("entry", "talent", "deals")
MONEY_FIELDS = ("registered_capital_cny", "investment_received_cny")


def local_today() -> date:
    return timezone.localdate()


# --- Companies ----------------------------------------------------------------------------


def _check_input(event: Event, fields: dict) -> dict:
    """Normalise and check what a person typed; raise one ``ValidationError`` naming every bad field."""
    unknown = set(fields) - set(COMPANY_FIELDS) - set(LINK_FIELDS)
    if unknown:
        raise ValueError(f"Not company fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = defaultdict(list)
    if "credit_code" in fields:
        try:
            fields["credit_code"] = validate_credit_code(fields["credit_code"] or "")
        except ValidationError as exc:
            errors["credit_code"].extend(exc.messages)
    for name in MONEY_FIELDS:
        value = fields.get(name)
        if value is not None and Decimal(value) < 0:
            errors[name].append(_("An amount cannot be negative."))
    if fields.get("employees") is not None and fields["employees"] < 0:
        errors["employees"].append(_("The number of employees cannot be negative."))
    entry = fields.get("entry")
    if entry is not None and entry.event_id != event.pk:
        errors["entry"].append(_("The project must belong to this event."))
    deals = fields.get("deals")
    if deals is not None and any(deal.event_id != event.pk for deal in deals):
        errors["deals"].append(_("Every deal must belong to this event."))
    responsible = fields.get("responsible")
    if responsible is not None and not can(responsible, "ledger.edit", event):
        errors["responsible"].append(_("The responsible person must be a ledger editor or organiser of this event."))
    if errors:
        raise ValidationError(dict(errors))
    return fields


def _as_json(value) -> object:
    """How a field value is kept in the audit trail: readable text (a list for deals)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple | set):
        return sorted(_as_json(item) for item in value)
    return str(value)


def _save_company(company: LandedCompany, fields: dict) -> None:
    for name, value in fields.items():
        if name != "deals":
            setattr(company, name, value)
    company.full_clean(exclude=["created_by"])  # kept when the recorder's account is gone
    company.save()
    if "deals" in fields:
        company.deals.set(fields["deals"])


def company_create(*, event: Event, created_by: User, **fields) -> LandedCompany:
    """Record a landed company in the event's ledger (organisers and ledger editors).

    The credit code must be valid and unused, amounts not negative, the project, deals
    and talent of this event; a new company starts red unless told otherwise, and its
    recording is the first line of its audit trail.
    """
    require(created_by, "ledger.edit", event)
    status = fields.pop("status", LedgerStatus.RED)
    fields = _check_input(event, fields)
    if status not in LedgerStatus.values:
        raise ValidationError({"status": _("Choose red, yellow or blue.")})
    company = LandedCompany(event=event, created_by=created_by, status=status, status_changed_at=timezone.now())
    with transaction.atomic():
        _save_company(company, fields)
        LedgerChange.objects.create(
            company=company,
            changed_by=created_by,
            to_status=status,
            changes={name: [None, _as_json(value)] for name, value in fields.items() if value not in (None, "", [])},
            note=_("Company recorded in the ledger."),
        )
    return company


def company_update(*, company: LandedCompany, changed_by: User, **fields) -> LandedCompany:
    """Change a company's details; each changed field is audited with its old and new value.

    The status colour is not changed here (see ``company_status_change``).
    """
    require(changed_by, "ledger.edit", company.event)
    fields = _check_input(company.event, fields)
    diff = {}
    for name, value in fields.items():
        old = list(company.deals.all()) if name == "deals" else getattr(company, name)
        if _as_json(old) != _as_json(value):
            diff[name] = [_as_json(old), _as_json(value)]
    if not diff:
        return company
    with transaction.atomic():
        _save_company(company, {name: fields[name] for name in diff})
        LedgerChange.objects.create(company=company, changed_by=changed_by, changes=diff)
    return company


def company_status_change(*, company: LandedCompany, changed_by: User, to_status: str, note: str) -> LedgerChange:
    """Move a company to another colour (red ↔ yellow ↔ blue, any direction, but it must change).

    A note saying why is required; the move is audited and the responsible editor is told.
    """
    require(changed_by, "ledger.edit", company.event)
    if to_status not in LedgerStatus.values:
        raise ValidationError({"to_status": _("Choose red, yellow or blue.")})
    if to_status == company.status:
        raise ValidationError({"to_status": _("The company already has this status.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the status changes (e.g. what the inspection found).")})
    with transaction.atomic():
        locked = LandedCompany.objects.select_for_update().get(pk=company.pk)
        change = LedgerChange.objects.create(
            company=locked, changed_by=changed_by, from_status=locked.status, to_status=to_status, note=note
        )
        locked.status = to_status
        locked.status_changed_at = change.changed_at
        locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        if locked.responsible_id and locked.responsible_id != changed_by.pk:
            transaction.on_commit(lambda: _queue_status_notice(change.pk), robust=True)
    company.status, company.status_changed_at = locked.status, locked.status_changed_at
    return change


def _queue_status_notice(change_id: int) -> None:
    from .tasks import notify_status_change

    enqueue(notify_status_change, change_id)


def status_change_notify(*, change: LedgerChange) -> None:
    """Tell the company's responsible editor about a status move, in their language."""
    company = change.company
    if company.responsible is None:
        return
    user_notify(
        user=company.responsible,
        event=company.event,
        template="landing/email/status_changed",
        kind="ledger.status",
        url=company.get_absolute_url(),
        context={"company": company, "change": change},
        body=change.note,
        once=f"ledger.status:{change.pk}",
    )


# --- Milestones ---------------------------------------------------------------------------


def milestone_add(
    *, company: LandedCompany, added_by: User, title_zh: str = "", title_en: str = "", due_on: date, notes: str = ""
) -> Milestone:
    require(added_by, "ledger.edit", company.event)
    milestone = Milestone(company=company, title_zh=title_zh, title_en=title_en, due_on=due_on, notes=notes)
    milestone.full_clean()
    milestone.save()
    return milestone


def milestone_complete(
    *, milestone: Milestone, completed_by: User, done_on: date | None = None, today: date | None = None
) -> Milestone:
    """Mark a milestone reached, on a date that is not in the future."""
    require(completed_by, "ledger.edit", milestone.company.event)
    today = today or local_today()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    return milestone


# --- Inspections --------------------------------------------------------------------------


def inspection_record(
    *,
    company: LandedCompany,
    recorded_by: User,
    inspected_on: date,
    findings: str,
    inspectors: str = "",
    photos: Iterable = (),
    task: CadenceTask | None = None,
    today: date | None = None,
) -> Inspection:
    """Record a follow-up inspection: not in the future, with findings, and photos that are
    checked images (re-encoded, metadata stripped, size and pixel limits). Linked to a
    scheduled check of the same company, it marks that check done."""
    require(recorded_by, "ledger.edit", company.event)
    today = today or local_today()
    errors: dict[str, list[str]] = defaultdict(list)
    if inspected_on > today:
        errors["inspected_on"].append(_("The inspection date cannot be in the future."))
    findings = (findings or "").strip()
    if not findings:
        errors["findings"].append(_("Write down what the inspection found."))
    if task is not None and task.company_id != company.pk:
        errors["task"].append(_("The scheduled check must belong to this company."))
    photos = list(photos)
    if len(photos) > MAX_PHOTOS_PER_INSPECTION:
        errors["photos"].append(_("At most %(limit)s photos per inspection.") % {"limit": MAX_PHOTOS_PER_INSPECTION})
    cleaned = []
    if not errors:
        for upload in photos:
            try:
                cleaned.append(
                    image_sanitize(
                        upload=upload,
                        max_bytes=PHOTO_MAX_BYTES,
                        max_pixels=settings.IMAGE_MAX_PIXELS,
                        max_side=PHOTO_MAX_SIDE,
                        name=f"inspection-{company.pk}",
                    )
                )
            except ValidationError as exc:
                name = getattr(upload, "name", "")
                errors["photos"].extend(f"{name}: {message}" if name else message for message in exc.messages)
    if errors:
        raise ValidationError(dict(errors))
    with transaction.atomic():
        inspection = Inspection(
            company=company,
            inspected_on=inspected_on,
            inspector=recorded_by,
            inspectors=inspectors,
            findings=findings,
            task=task,
        )
        inspection.full_clean()
        inspection.save()
        for image in cleaned:
            photo = InspectionPhoto(inspection=inspection)
            photo.image.save(image.content.name, image.content, save=True)
        if task is not None and task.done_at is None:
            _task_done(task, recorded_by, findings)
    return inspection


# --- Cadence ------------------------------------------------------------------------------


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def cadence_periods(day: date) -> list[tuple[str, date, date]]:
    """The (kind, period start, due date) of every scheduled check whose period contains ``day``."""
    month_end = _month_end(day)
    half = (day.replace(day=1), day.replace(day=15)) if day.day <= 15 else (day.replace(day=16), month_end)
    quarter_first_month = 3 * ((day.month - 1) // 3) + 1
    quarter_start = date(day.year, quarter_first_month, 1)
    quarter_end = _month_end(date(day.year, quarter_first_month + 2, 1))
    return [
        (CadenceTask.Kind.HALF_MONTHLY_CHECK, *half),
        (CadenceTask.Kind.MONTHLY_COORDINATION, day.replace(day=1), month_end),
        (CadenceTask.Kind.QUARTERLY_REVIEW, quarter_start, quarter_end),
    ]


def _first_ledger_editors(event_ids: Iterable[int]) -> dict[int, int]:
    """Each event's first ledger editor (by id): who gets the checks of companies with nobody responsible."""
    editors: dict[int, int] = {}
    for event_id, user_id in (
        EventRole.objects.filter(event_id__in=set(event_ids), role=Role.LEDGER_EDITOR)
        .order_by("event_id", "user_id")
        .values_list("event_id", "user_id")
    ):
        editors.setdefault(event_id, user_id)
    return editors


def cadence_tasks_create(*, today: date | None = None, companies: Iterable[LandedCompany] | None = None) -> int:
    """Create the current period's check, coordination and review for every company incorporated
    by the period's due date. Idempotent (one task per company, kind and period); returns how
    many were new."""
    today = today or local_today()
    periods = cadence_periods(today)
    if companies is None:
        companies = LandedCompany.objects.only("pk", "event_id", "responsible_id", "incorporated_on")
    companies = list(companies)
    editors = _first_ledger_editors(company.event_id for company in companies)
    wanted = [
        CadenceTask(
            company=company,
            kind=kind,
            period_start=start,
            due_on=due,
            assignee_id=company.responsible_id or editors.get(company.event_id),
        )
        for company in companies
        for kind, start, due in periods
        if company.incorporated_on <= due
    ]
    existing = set(
        CadenceTask.objects.filter(
            company__in=[company.pk for company in companies], period_start__in={start for _k, start, _d in periods}
        ).values_list("company_id", "kind", "period_start")
    )
    new = [task for task in wanted if (task.company.pk, task.kind, task.period_start) not in existing]
    CadenceTask.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return len(new)


def _task_done(task: CadenceTask, done_by: User, notes: str) -> None:
    task.done_at = timezone.now()
    task.done_by = done_by
    if notes:
        task.notes = notes
    task.save(update_fields=["done_at", "done_by", "notes"])


def cadence_task_complete(*, task: CadenceTask, done_by: User, notes: str = "") -> CadenceTask:
    """Mark a scheduled check done (once)."""
    require(done_by, "ledger.edit", task.company.event)
    if task.done_at is not None:
        raise ValidationError(_("This check is already done."))
    _task_done(task, done_by, (notes or "").strip())
    return task


def cadence_reminders_send(*, today: date | None = None) -> int:
    """Remind each assignee, once, of checks due within ``REMIND_DAYS_BEFORE`` days; returns how many.

    Each reminder is keyed by its check: a run killed half-way and run again reminds no one twice.
    """
    today = today or local_today()
    due_soon = list(
        CadenceTask.objects.filter(
            done_at__isnull=True,
            reminded_at__isnull=True,
            assignee__isnull=False,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        ).select_related("company__event", "assignee")
    )
    now = timezone.now()
    for task in due_soon:
        user_notify(
            user=task.assignee,
            event=task.company.event,
            template="landing/email/reminder",
            kind="ledger.reminder",
            url=task.company.get_absolute_url(),
            context={"task": task, "company": task.company},
            once=f"ledger.reminder:{task.pk}",
        )
    CadenceTask.objects.filter(pk__in=[task.pk for task in due_soon]).update(reminded_at=now)
    return len(due_soon)


def cadence_overdue_flag(*, today: date | None = None) -> int:
    """Flag, once, checks whose due date has passed undone, and tell each event's organisers
    how many were newly flagged; returns how many were flagged.

    Per event, the organisers are told first and the checks flagged after: a run killed in between
    is run again and finds the same checks unflagged, and the e-mail's key (those checks) keeps
    it from going to anyone twice; flagging first would have lost the e-mails.
    """
    today = today or local_today()
    overdue = list(
        CadenceTask.objects.filter(done_at__isnull=True, overdue_flagged_at__isnull=True, due_on__lt=today)
        .select_related("company__event")
        .order_by("company__event_id", "due_on")
    )
    if not overdue:
        return 0
    by_event: dict[int, list[CadenceTask]] = defaultdict(list)
    for task in overdue:
        by_event[task.company.event_id].append(task)
    organisers = defaultdict(list)
    for role in EventRole.objects.filter(event_id__in=by_event, role=Role.ORGANISER).select_related("user"):
        organisers[role.event_id].append(role.user)
    for event_id, tasks in by_event.items():
        event = tasks[0].company.event
        checks = hashlib.sha256(",".join(str(pk) for pk in sorted(task.pk for task in tasks)).encode()).hexdigest()[:32]
        for organiser in organisers[event_id]:
            user_notify(
                user=organiser,
                event=event,
                template="landing/email/overdue",
                kind="ledger.overdue",
                url=reverse("landing:board", kwargs={"slug": event.slug}) + "?overdue=1",
                context={"tasks": tasks, "count": len(tasks)},
                once=f"ledger.overdue:{event_id}:{checks}",
            )
        CadenceTask.objects.filter(pk__in=[task.pk for task in tasks]).update(overdue_flagged_at=timezone.now())
    return len(overdue)
