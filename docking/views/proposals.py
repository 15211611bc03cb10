"""Pages for meeting proposals after a judging round's results (organisers only).

Each view parses input, asks the permission helper, calls ``docking.services.proposals`` and
renders or redirects back to the round's proposal list.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from events.services import require
from judging.selectors import round_of

from ..forms.proposals import GenerateForm, ProposalEditForm, contact_choices
from ..models import MeetingProposal
from ..services import proposals as services
from .meetings import event_for


def _round(request, slug: str, number: int):
    event = event_for(request, slug)
    require(request.user, "docking.manage", event)
    round_ = round_of(event, number)
    if round_ is None:
        raise Http404(_("No such round."))
    return round_


def _proposal(round_, pk: int) -> MeetingProposal:
    return get_object_or_404(services.proposals_of_round(round_).select_related("event", "round"), pk=pk)


def _back(round_):
    return redirect("docking:proposals", slug=round_.event.slug, number=round_.number)


def _show_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def proposals(request, slug: str, number: int):
    """The round's proposals, best entries first, with the forms to generate, edit, discard and send."""
    round_ = _round(request, slug, number)
    event = round_.event
    generate = GenerateForm(request.POST or None)
    if request.method == "POST" and generate.is_valid():
        try:
            created = services.meeting_proposals_generate(
                round=round_,
                generated_by=request.user,
                top_n=generate.cleaned_data["top_n"],
                per_entry=generate.cleaned_data["per_entry"],
            )
        except ValidationError as exc:
            add_service_errors(generate, exc)
        else:
            messages.success(request, _("%(count)s meetings proposed.") % {"count": len(created)})
            return _back(round_)
    rows = list(services.proposals_of_round(round_))
    drafts = [row for row in rows if row.status == MeetingProposal.Status.DRAFT]
    return render(
        request,
        "docking/proposals/list.html",
        {
            "event": event,
            "round": round_,
            "generate": generate,
            "rows": rows,
            "drafts": len(drafts),
            # One list of contacts for every draft's inline form (the edit page validates the choice).
            "people": list(contact_choices(event, {row.person_id for row in drafts})) if drafts else [],
        },
    )


@login_required
def proposal_edit(request, slug: str, number: int, pk: int):
    """Change a draft's contact and time; errors come back on the page of this one proposal."""
    round_ = _round(request, slug, number)
    proposal = _proposal(round_, pk)
    form = ProposalEditForm(
        request.POST or None,
        event=round_.event,
        current=[proposal.person_id],
        prefix=f"p{proposal.pk}",
        initial={"person": proposal.person_id, "starts_at": proposal.starts_at, "ends_at": proposal.ends_at},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_proposal_update(
                proposal=proposal,
                changed_by=request.user,
                person=form.cleaned_data["person"],
                starts_at=form.cleaned_data.get("starts_at"),
                ends_at=form.cleaned_data.get("ends_at"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The proposal was saved."))
            return _back(round_)
    return render(
        request,
        "docking/proposals/edit.html",
        {"event": round_.event, "round": round_, "proposal": proposal, "form": form},
    )


@login_required
@require_POST
def proposal_discard(request, slug: str, number: int, pk: int):
    round_ = _round(request, slug, number)
    try:
        services.meeting_proposal_discard(proposal=_proposal(round_, pk), discarded_by=request.user)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("The proposal was discarded."))
    return _back(round_)


@login_required
@require_POST
def proposal_send(request, slug: str, number: int, pk: int):
    round_ = _round(request, slug, number)
    proposal = _proposal(round_, pk)
    try:
        services.meeting_proposal_send(proposal=proposal, sent_by=request.user)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(
            request, _("The invitation was sent to %(person)s.") % {"person": proposal.person.display_name}
        )
    return _back(round_)
