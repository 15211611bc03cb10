"""Deal pages for organisers and ledger editors: the list, recording and editing a deal, moving
its stage, its documents (permission-checked downloads) and its audit trail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from events.services import require

from ..forms.deals import DealDocumentForm, DealForm, DealStageForm
from ..models import Deal, DealDocument
from ..selectors import deals as selectors
from ..services import deals as services
from .meetings import event_for


def _deal(request, slug: str, pk: int) -> Deal:
    event = event_for(request, slug)
    require(request.user, "docking.record_deal", event)
    deal = selectors.deal_for_page(event, pk)
    if deal is None:
        raise Http404(_("No such deal."))
    return deal


@login_required
def deals(request, slug: str):
    event = event_for(request, slug)
    require(request.user, "docking.record_deal", event)
    stage = request.GET.get("stage", "")
    stage = stage if stage in Deal.Stage.values else ""
    rows = selectors.deals_of(event, stage=stage)
    return render(
        request,
        "docking/deals/list.html",
        {
            "event": event,
            "deals": rows,
            "stage": stage,
            "stages": Deal.Stage.choices,
            "signed_count": selectors.signed_deals(event).count(),
        },
    )


def _form_fields(data: dict) -> dict:
    return {name: data.get(name) for name in services.EDITABLE if name in data}


@login_required
def deal_create(request, slug: str):
    event = event_for(request, slug)
    require(request.user, "docking.record_deal", event)
    form = DealForm(request.POST or None, event=event, initial={"entry": request.GET.get("entry")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deal = services.deal_create(
                event=event, recorded_by=request.user, stage=data["stage"], **_form_fields(data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The deal was recorded."))
            return redirect("docking:deal_detail", slug=event.slug, pk=deal.pk)
    return render(request, "docking/deals/form.html", {"event": event, "form": form, "deal": None})


@login_required
def deal_edit(request, slug: str, pk: int):
    deal = _deal(request, slug, pk)
    event = deal.event
    form = DealForm(request.POST or None, event=event, editing=True, initial=DealForm.initial_of(deal))
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_update(deal=deal, changed_by=request.user, **_form_fields(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The deal was saved."))
            return redirect("docking:deal_detail", slug=event.slug, pk=deal.pk)
    return render(request, "docking/deals/form.html", {"event": event, "form": form, "deal": deal})


def _detail(request, deal: Deal, *, stage_form=None, document_form=None, status: int = 200):
    return render(
        request,
        "docking/deals/detail.html",
        {
            "event": deal.event,
            "deal": deal,
            "history": [
                (
                    change,
                    selectors.stage_label(change.from_stage),
                    selectors.stage_label(change.to_stage),
                    selectors.change_lines(change),
                )
                for change in deal.changes.all()
            ],
            "stage_form": stage_form or DealStageForm(),
            "document_form": document_form or DealDocumentForm(),
            "max_bytes": services.DEAL_DOCUMENT_MAX_BYTES,
        },
        status=status,
    )


@login_required
def deal_detail(request, slug: str, pk: int):
    return _detail(request, _deal(request, slug, pk))


@login_required
@require_POST
def deal_stage(request, slug: str, pk: int):
    deal = _deal(request, slug, pk)
    form = DealStageForm(request.POST)
    if form.is_valid():
        try:
            services.deal_transition(deal=deal, changed_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The deal's stage was changed."))
            return redirect("docking:deal_detail", slug=deal.event.slug, pk=deal.pk)
    return _detail(request, deal, stage_form=form, status=400)


@login_required
@require_POST
def document_upload(request, slug: str, pk: int):
    deal = _deal(request, slug, pk)
    form = DealDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.deal_document_add(deal=deal, upload=form.cleaned_data["file"], uploaded_by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The document was added."))
            return redirect("docking:deal_detail", slug=deal.event.slug, pk=deal.pk)
    return _detail(request, deal, document_form=form, status=400)


@login_required
def document_download(request, slug: str, pk: int, document_id: int):
    """Send a deal document to the event's organisers and ledger editors only."""
    deal = _deal(request, slug, pk)
    document = get_object_or_404(DealDocument, pk=document_id, deal=deal)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(handle, as_attachment=True, filename=document.original_name)
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response
