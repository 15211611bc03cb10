"""Ledger pages: the board by status colour, a company's page with its whole timeline, and the
forms that change it. Views parse input, ask the permission helper, call a service or
selector and render; the rules live in ``services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from events.models import Event
from events.services import can, require

from . import selectors, services
from .forms import BoardFilterForm, CompanyForm, InspectionForm, MilestoneForm, StatusForm, TaskDoneForm
from .models import CadenceTask, InspectionPhoto, LandedCompany, Milestone


def _event(request, slug: str, action: str = "ledger.view") -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not can(request.user, "event.view", event):
        raise Http404(_("No such event."))
    require(request.user, action, event)
    return event


def _company(event: Event, pk: int) -> LandedCompany:
    company = selectors.company_of(event, pk)
    if company is None:
        raise Http404(_("No such company."))
    return company


@login_required
def board(request, slug: str):
    """The event's companies in three columns by status colour, with counts and filters."""
    event = _event(request, slug)
    today = services.local_today()
    filters = BoardFilterForm(request.GET or None, parks=selectors.parks_of(event))
    criteria = filters.cleaned_data if filters.is_valid() else {}
    companies = list(
        selectors.companies_for_board(
            event,
            today=today,
            park=criteria.get("park") or "",
            base=criteria.get("base") or "",
            overdue_only=bool(criteria.get("overdue")),
        )
    )
    return render(
        request,
        "landing/board.html",
        {
            "event": event,
            "filters": filters,
            "columns": selectors.board_columns(companies),
            "total": len(companies),
            "can_edit": can(request.user, "ledger.edit", event),
        },
    )


def _detail(request, event: Event, company: LandedCompany, status: int = 200, **forms):
    today = services.local_today()
    prefetch_related_objects([company], "milestones")  # read by the timeline and by the milestone list
    context = {
        "event": event,
        "company": company,
        "timeline": selectors.company_timeline(company, today=today),
        "open_tasks": list(selectors.open_tasks_of(company)),
        "milestones": list(company.milestones.all()),
        "today": today,
        "can_edit": can(request.user, "ledger.edit", event),
        "status_form": forms.get("status_form") or StatusForm(),
        "inspection_form": forms.get("inspection_form") or InspectionForm(company=company),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "task_form": TaskDoneForm(),
    }
    return render(request, "landing/company_detail.html", context, status=status)


@login_required
def company_detail(request, slug: str, pk: int):
    event = _event(request, slug)
    return _detail(request, event, _company(event, pk))


@login_required
def company_edit(request, slug: str, pk: int | None = None):
    """Record a new company or change one; every change is audited by the service."""
    event = _event(request, slug, "ledger.edit")
    company = _company(event, pk) if pk else None
    form = CompanyForm(request.POST or None, event=event, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            if company is None:
                company = services.company_create(event=event, created_by=request.user, **form.service_fields())
            else:
                services.company_update(company=company, changed_by=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The ledger was saved."))
            return redirect(company)
    return render(
        request,
        "landing/company_form.html",
        {"event": event, "company": company, "form": form},
        status=400 if form.errors else 200,
    )


def _company_post(request, slug: str, pk: int, *, form_name: str, make_form, save, success: str):
    """A form posted from the company page: saved through its service, or shown again there with its errors."""
    event = _event(request, slug, "ledger.edit")
    company = _company(event, pk)
    form = make_form(company)
    if form.is_valid():
        try:
            save(company, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(company)
    return _detail(request, event, company, status=400, **{form_name: form})


@login_required
@require_POST
def company_status(request, slug: str, pk: int):
    return _company_post(
        request,
        slug,
        pk,
        form_name="status_form",
        make_form=lambda company: StatusForm(request.POST),
        save=lambda company, data: services.company_status_change(company=company, changed_by=request.user, **data),
        success=_("The status was changed."),
    )


@login_required
@require_POST
def inspection_add(request, slug: str, pk: int):
    return _company_post(
        request,
        slug,
        pk,
        form_name="inspection_form",
        make_form=lambda company: InspectionForm(request.POST, request.FILES, company=company),
        save=lambda company, data: services.inspection_record(company=company, recorded_by=request.user, **data),
        success=_("The inspection was recorded."),
    )


@login_required
@require_POST
def milestone_add(request, slug: str, pk: int):
    return _company_post(
        request,
        slug,
        pk,
        form_name="milestone_form",
        make_form=lambda company: MilestoneForm(request.POST),
        save=lambda company, data: services.milestone_add(company=company, added_by=request.user, **data),
        success=_("The milestone was added."),
    )


@login_required
@require_POST
def milestone_done(request, slug: str, pk: int, milestone_id: int):
    event = _event(request, slug, "ledger.edit")
    milestone = get_object_or_404(
        Milestone.objects.select_related("company__event"), pk=milestone_id, company_id=pk, company__event=event
    )
    try:
        services.milestone_complete(milestone=milestone, completed_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The milestone was marked reached."))
    return redirect(milestone.company)


@login_required
@require_POST
def task_done(request, slug: str, pk: int, task_id: int):
    event = _event(request, slug, "ledger.edit")
    task = get_object_or_404(
        CadenceTask.objects.select_related("company__event"), pk=task_id, company_id=pk, company__event=event
    )
    form = TaskDoneForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    try:
        services.cadence_task_complete(task=task, done_by=request.user, notes=notes)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The check was marked done."))
    return redirect(task.company)


@login_required
def photo(request, slug: str, pk: int):
    """An inspection photo, for the event's ledger readers only."""
    event = _event(request, slug)
    item = get_object_or_404(InspectionPhoto, pk=pk, inspection__company__event=event)
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    content_type = "image/png" if item.image.name.endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
