"""Pages for leads, meeting requests, meetings and the docking fair's schedule.

Each view parses input, asks the permission helper, calls a service or selector and renders;
the rules live in ``docking.services``. Pages a visitor may not use answer 403; requests and
meetings a visitor is not part of do not exist for them (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from events.models import Event
from events.services import can, require

from ..forms.meetings import (
    AcceptForm,
    DeclineForm,
    FairMeetingForm,
    FairTableForm,
    LeadFilterForm,
    LeadForm,
    LeadStatusForm,
    MeetingRequestForm,
    OutcomeForm,
    SlotsForm,
)
from ..models import CuratedMatch, Lead, MeetingParticipant, MeetingRequest
from ..selectors import meetings as selectors
from ..services import leads as lead_services
from ..services import meetings as services


def event_for(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not can(request.user, "event.view", event):
        raise Http404(_("No such event."))
    return event


def _may_take_part(user, event: Event) -> bool:
    return can(user, "docking.request_meeting", event)


# --- Leads ------------------------------------------------------------------------------------


@login_required
def leads(request, slug: str):
    """Organisers: every lead of the event, filtered by status, source or project. Others: their own."""
    event = event_for(request, slug)
    require(request.user, "docking.request_meeting", event)  # organisers, enterprises and entrants
    organiser = can(request.user, "docking.manage", event)
    filters = LeadFilterForm(request.GET or None)
    rows = selectors.leads_visible_to(request.user, event)
    if filters.is_valid():
        data = filters.cleaned_data
        rows = selectors.leads_filtered(rows, status=data["status"], source=data["source"], entry_id=data["entry"])
    else:
        rows = selectors.leads_filtered(rows)
    return render(
        request,
        "docking/meetings/leads.html",
        {"event": event, "organiser": organiser, "leads": rows, "filters": filters, "statuses": Lead.Status.choices},
    )


@login_required
def lead_create(request, slug: str):
    event = event_for(request, slug)
    require(request.user, "docking.manage", event)
    form = LeadForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            lead_services.lead_create(
                event=event,
                entry=form.cleaned_data["entry"],
                person=form.cleaned_data["person"],
                notes=form.cleaned_data["notes"],
                created_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The lead was recorded."))
            return redirect("docking:leads", slug=event.slug)
    return render(request, "docking/meetings/lead_form.html", {"event": event, "form": form})


@login_required
@require_POST
def leads_import(request, slug: str):
    event = event_for(request, slug)
    require(request.user, "docking.manage", event)
    linked = lead_services.leads_import_room_interests(event=event, imported_by=request.user)
    messages.success(request, _("%(count)s interests from the roadshow rooms became leads.") % {"count": linked})
    return redirect("docking:leads", slug=event.slug)


@login_required
@require_POST
def lead_from_match(request, slug: str, match_id: int):
    """Follow a curated project match up as a lead (organisers, or a contact of the need's enterprise)."""
    event = event_for(request, slug)
    match = get_object_or_404(
        CuratedMatch.objects.select_related("event", "need__enterprise", "entry"), pk=match_id, event=event
    )
    try:
        lead_services.lead_from_match(match=match, created_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The match is followed up as a lead."))
    return redirect(
        "docking:leads" if can(request.user, "docking.manage", event) else "docking:my_docking", slug=event.slug
    )


@login_required
@require_POST
def lead_status(request, slug: str, pk: int):
    event = event_for(request, slug)
    lead = selectors.leads_visible_to(request.user, event).filter(pk=pk).first()
    if lead is None:
        raise Http404(_("No such lead."))
    form = LeadStatusForm(request.POST)
    if form.is_valid():
        try:
            lead_services.lead_status_change(
                lead=lead, status=form.cleaned_data["status"], notes=form.cleaned_data["notes"], changed_by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The lead was updated."))
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("docking:leads", slug=event.slug)


# --- My docking and meeting requests ---------------------------------------------------------------


@login_required
def my_docking(request, slug: str):
    """A person's docking in the event: requests received and sent, meetings, and their leads."""
    event = event_for(request, slug)
    user = request.user
    return render(
        request,
        "docking/meetings/my_docking.html",
        {
            "event": event,
            "received": selectors.requests_received(user, event),
            "sent": selectors.requests_sent(user, event),
            "meetings": selectors.meetings_of_person(user, event),
            "leads": selectors.leads_filtered(
                selectors.leads_visible_to(user, event).exclude(entry__owner=user)
                if not can(user, "docking.manage", event)
                else Lead.objects.none()
            ),
            # Everyone interested in the person's own projects that dock here, wherever they showed it.
            "own_leads": selectors.leads_filtered(
                Lead.objects.filter(entry__owner=user, entry__in=selectors.docking_entries(event).values("pk"))
            ).select_related("entry", "person__organisation", "enterprise__organisation"),
            "can_request": _may_take_part(user, event),
            "organiser": can(user, "docking.manage", event),
        },
    )


@login_required
def request_create(request, slug: str, entry_id: int):
    """Ask for a meeting about a project; the project's owner chooses which interested person to meet."""
    event = event_for(request, slug)
    require(request.user, "docking.request_meeting", event)
    entry = get_object_or_404(selectors.docking_entries(event).select_related("owner", "event"), pk=entry_id)
    own = entry.owner_id == request.user.pk
    lead_choices = Lead.objects.filter(entry=entry).select_related("person__organisation") if own else None
    initial = {"lead": request.GET.get("lead")} if own else {}
    form = MeetingRequestForm(request.POST or None, leads=lead_choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.meeting_request_create(
                event=event,
                entry=entry,
                requested_by=request.user,
                slots=form.slots(),
                message=form.cleaned_data["message"],
                lead=form.cleaned_data.get("lead"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your request was sent."))
            return redirect("docking:request_detail", slug=event.slug, pk=created.pk)
    return render(
        request, "docking/meetings/request_form.html", {"event": event, "entry": entry, "form": form, "own": own}
    )


@login_required
def request_detail(request, slug: str, pk: int):
    """A request with its times; its invitee answers here (accept / decline / other times), its
    requester may withdraw it."""
    event = event_for(request, slug)
    meeting_request = selectors.request_for_page(request.user, event, pk)
    if meeting_request is None:
        raise Http404(_("No such request."))
    answering = (
        meeting_request.invitee_id == request.user.pk and meeting_request.status == MeetingRequest.Status.PENDING
    )
    action = request.POST.get("action") if request.method == "POST" else None
    accept = AcceptForm(request.POST if action == "accept" else None, request=meeting_request, prefix="accept")
    decline = DeclineForm(request.POST if action == "decline" else None, prefix="decline")
    counter = SlotsForm(request.POST if action == "counter" else None, prefix="counter")
    if action:
        try:
            if action == "accept" and accept.is_valid():
                data = accept.cleaned_data
                services.meeting_request_accept(
                    request=meeting_request,
                    slot=data["slot"],
                    answered_by=request.user,
                    mode=data["mode"],
                    online_url=data["online_url"],
                    table=data.get("table"),
                    note=data["note"],
                )
                messages.success(request, _("The meeting is arranged."))
                return redirect("docking:request_detail", slug=event.slug, pk=pk)
            if action == "decline" and decline.is_valid():
                services.meeting_request_decline(
                    request=meeting_request, answered_by=request.user, note=decline.cleaned_data["note"]
                )
                messages.success(request, _("You declined the request."))
                return redirect("docking:request_detail", slug=event.slug, pk=pk)
            if action == "counter" and counter.is_valid():
                created = services.meeting_request_counter(
                    request=meeting_request,
                    answered_by=request.user,
                    slots=counter.slots(),
                    message=counter.cleaned_data["message"],
                )
                messages.success(request, _("Your proposal of other times was sent."))
                return redirect("docking:request_detail", slug=event.slug, pk=created.pk)
            if action == "cancel":
                services.meeting_request_cancel(request=meeting_request, cancelled_by=request.user)
                messages.success(request, _("You withdrew the request."))
                return redirect("docking:my_docking", slug=event.slug)
        except ValidationError as exc:
            add_service_errors({"accept": accept, "decline": decline, "counter": counter}.get(action, accept), exc)
            if action == "cancel":
                messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "docking/meetings/request_detail.html",
        {
            "event": event,
            "meeting_request": meeting_request,
            "answering": answering,
            "accept": accept,
            "decline": decline,
            "counter": counter,
            "action": action,
            "can_withdraw": meeting_request.requested_by_id == request.user.pk
            and meeting_request.status == MeetingRequest.Status.PENDING,
        },
    )


# --- Meetings and the fair schedule -----------------------------------------------------------------


@login_required
def meeting_detail(request, slug: str, pk: int):
    """A meeting: who, when, where, check-in (organisers) and the outcome (organisers and participants)."""
    event = event_for(request, slug)
    meeting = selectors.meeting_for_page(request.user, event, pk)
    if meeting is None:
        raise Http404(_("No such meeting."))
    form = OutcomeForm(request.POST or None, initial={"status": meeting.status, "outcome_notes": meeting.outcome_notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_outcome_record(
                meeting=meeting,
                status=form.cleaned_data["status"],
                outcome_notes=form.cleaned_data["outcome_notes"],
                recorded_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The outcome was saved."))
            return redirect("docking:meeting_detail", slug=event.slug, pk=pk)
    return render(
        request,
        "docking/meetings/meeting_detail.html",
        {"event": event, "meeting": meeting, "form": form, "organiser": can(request.user, "docking.manage", event)},
    )


@login_required
@require_POST
def check_in(request, slug: str, pk: int, participant_id: int):
    event = event_for(request, slug)
    require(request.user, "docking.manage", event)
    participant = get_object_or_404(
        MeetingParticipant.objects.select_related("meeting__event", "user"),
        pk=participant_id,
        meeting_id=pk,
        meeting__event=event,
    )
    try:
        services.participant_check_in(
            participant=participant, checked_in_by=request.user, undo=request.POST.get("undo") == "1"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    next_url = request.POST.get("next")
    allowed = {
        reverse("docking:fair", kwargs={"slug": event.slug}),
        reverse("docking:schedule_people", kwargs={"slug": event.slug}),
    }
    return redirect(next_url if next_url in allowed else reverse("docking:meeting_detail", args=[event.slug, pk]))


@login_required
def fair(request, slug: str):
    """The organisers' fair schedule: every meeting of the event, a form to add a 1:1 meeting at a
    table, and the tables."""
    event = event_for(request, slug)
    require(request.user, "docking.manage", event)
    form = FairMeetingForm(request.POST or None, event=event, prefix="meeting")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.fair_meeting_create(
                event=event,
                entry=data["entry"],
                person=data["person"],
                table=data["table"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                created_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting is on the schedule."))
            return redirect("docking:fair", slug=event.slug)
    return render(
        request,
        "docking/meetings/fair.html",
        {
            "event": event,
            "form": form,
            "table_form": FairTableForm(prefix="table"),
            "meetings": selectors.meetings_of(event),
            "tables": selectors.tables_of(event),
        },
    )


@login_required
@require_POST
def fair_table_create(request, slug: str):
    event = event_for(request, slug)
    require(request.user, "docking.manage", event)
    form = FairTableForm(request.POST, prefix="table")
    if form.is_valid():
        try:
            services.fair_table_create(event=event, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The table was added."))
    else:
        messages.error(request, _("Give the table a label."))
    return redirect("docking:fair", slug=event.slug)


@login_required
def schedule_people(request, slug: str):
    """Printable: each person's meetings at the fair, with check-in."""
    event = event_for(request, slug)
    require(request.user, "docking.manage", event)
    return render(
        request,
        "docking/meetings/schedule_people.html",
        {"event": event, "people": selectors.schedule_by_person(event)},
    )


@login_required
def schedule_tables(request, slug: str):
    """Printable: each table's meetings at the fair."""
    event = event_for(request, slug)
    require(request.user, "docking.manage", event)
    return render(
        request, "docking/meetings/schedule_tables.html", {"event": event, "tables": selectors.schedule_by_table(event)}
    )
