"""Registration pages. Each view parses input, asks the permission helper, calls a service
or selector, and renders; the rules live in ``services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from events.models import Event
from events.services import can, require

from . import selectors, services
from .forms import (
    AnswersForm,
    BulkStatusForm,
    EntryForm,
    FilesForm,
    NoteForm,
    QuestionForm,
    RegistrationSettingsForm,
    ScreeningFilterForm,
    StatusForm,
    TrackForm,
    WithdrawForm,
    team_formset,
)
from .models import Attachment, Entry, ExportJob, Question, Status, Track

SCREENING_PAGE_SIZE = 50


def _event(request, slug: str) -> Event:
    event = get_object_or_404(Event.objects.select_related("organiser_organisation"), slug=slug)
    if not can(request.user, "event.view", event):
        raise Http404(_("No such event."))
    return event


def _entry(request, event: Event, pk: int) -> Entry:
    entry = selectors.entry_for_page(request.user, event, pk)
    if entry is None:
        # Another person's entry does not exist for this visitor.
        raise Http404(_("No such entry."))
    return entry


def _own_entry(request, event: Event, pk: int) -> Entry:
    entry = _entry(request, event, pk)
    if entry.owner_id != request.user.pk:
        raise PermissionDenied(_("Only the entrant can change an entry."))
    return entry


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- Entrants ------------------------------------------------------------------------------


def registration_home(request, slug: str):
    """The event's registration page: the window, the rules, and the visitor's own entries."""
    event = _event(request, slug)
    window = services.registration_settings_of(event)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            entry = services.entry_create(event=event, owner=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("registration:home", slug=event.slug)
        messages.success(request, _("Your draft entry was created. It is saved as you type."))
        return redirect("registration:entry_edit", slug=event.slug, pk=entry.pk)
    own = (
        selectors.entries_of_owner(request.user).filter(event=event)
        if request.user.is_authenticated
        else Entry.objects.none()
    )
    return render(
        request,
        "registration/home.html",
        {
            "event": event,
            "window": window,
            "is_open": window is not None and window.is_open(),
            "has_closed": window is not None and window.has_closed(),
            "entries": own,
            "tracks": selectors.tracks_of(event),
            "can_configure": can(request.user, "registration.configure", event),
            "can_screen": can(request.user, "entry.screen", event),
        },
    )


def _edit_context(event, entry, entry_form, answers_form, formset, files_form):
    attachments = list(entry.attachments.all())
    return {
        "event": event,
        "entry": entry,
        "form": entry_form,
        "answers_form": answers_form,
        "team_formset": formset,
        "files_form": files_form,
        "deck": next((a for a in attachments if a.kind == Attachment.Kind.DECK), None),
        "logo": next((a for a in attachments if a.kind == Attachment.Kind.LOGO), None),
        "photos": [a for a in attachments if a.kind == Attachment.Kind.PHOTO],
        "answer_files": {a.question_id: a for a in attachments if a.kind == Attachment.Kind.ANSWER},
        "window": services.registration_settings_of(event),
        "missing": services.entry_missing(entry),
        "max_photos": services.MAX_PHOTOS,
    }


def _answers_initial(entry: Entry) -> dict:
    return {f"q_{a.question_id}": a.value for a in entry.answers.all()}


@login_required
def entry_edit(request, slug: str, pk: int):
    """Edit the entry's details, answers and team; files are uploaded by ``entry_files``."""
    event = _event(request, slug)
    entry = _own_entry(request, event, pk)
    questions = selectors.questions_of(event)
    if entry.status not in services.EDITABLE_STATUSES:
        messages.info(request, _("This entry can no longer be changed."))
        return redirect(entry)
    if request.method != "POST":
        # Outside the window the form would only refuse to save; say why instead. A form
        # posted just after the deadline is still shown with the refusal and what was typed.
        try:
            services.registration_window_check(event)
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
            return redirect(entry)
    data = request.POST if request.method == "POST" else None
    entry_form = EntryForm(data, instance=entry, event=event, prefix="entry")
    answers_form = AnswersForm(data, questions=questions, initial=_answers_initial(entry), prefix="answers")
    formset = team_formset(entry, data)
    files_form = FilesForm(questions=questions, prefix="files")
    if request.method == "POST":
        forms_valid = [entry_form.is_valid(), answers_form.is_valid(), formset.is_valid()]
        if all(forms_valid) and _save_entry(request, entry, entry_form, answers_form, formset):
            messages.success(request, _("Your entry was saved."))
            if "go_submit" in request.POST:
                return redirect("registration:entry_submit", slug=event.slug, pk=entry.pk)
            return redirect("registration:entry_edit", slug=event.slug, pk=entry.pk)
        messages.error(
            request, _("Some changes could not be saved. Correct the marked fields; what you typed is kept.")
        )
    context = _edit_context(event, entry, entry_form, answers_form, formset, files_form)
    return render(request, "registration/entry_form.html", context, status=400 if request.method == "POST" else 200)


def _save_entry(request, entry, entry_form, answers_form, formset) -> bool:
    """Hand each part to its service; a refused part leaves its error on its form."""
    ok = True
    user = request.user
    try:
        services.entry_update(entry=entry, changed_by=user, **entry_form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(entry_form, exc)
        ok = False
    if answers_form.answers():
        try:
            services.answers_save(entry=entry, changed_by=user, answers=answers_form.answers())
        except ValidationError as exc:
            add_service_errors(answers_form, exc)
            ok = False
    for form in formset.forms:
        fields = {name: form.cleaned_data[name] for name in services.TEAM_FIELDS if name in form.cleaned_data}
        try:
            if form.instance.pk and form in formset.deleted_forms:
                services.team_member_remove(member=form.instance, changed_by=user)
            elif form.instance.pk and form.has_changed():
                services.team_member_update(member=form.instance, changed_by=user, **fields)
            elif not form.instance.pk and form.has_changed() and form not in formset.deleted_forms:
                services.team_member_add(entry=entry, changed_by=user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
            ok = False
    return ok


@login_required
@require_POST
def entry_autosave(request, slug: str, pk: int):
    """htmx: save a draft's details and answers as the entrant types; answer with a status line."""
    event = _event(request, slug)
    entry = _own_entry(request, event, pk)
    context = {"entry": entry, "saved_at": None, "errors": []}
    if entry.status != Status.DRAFT:
        context["errors"] = [_("Autosave is for drafts; use the Save button.")]
        return render(request, "registration/_autosave_status.html", context)
    questions = selectors.questions_of(event)
    entry_form = EntryForm(request.POST, instance=entry, event=event, prefix="entry")
    answers_form = AnswersForm(request.POST, questions=questions, prefix="answers")
    if entry_form.is_valid() and answers_form.is_valid():
        try:
            services.entry_update(entry=entry, changed_by=request.user, **entry_form.cleaned_data)
            if answers_form.answers():
                services.answers_save(entry=entry, changed_by=request.user, answers=answers_form.answers())
        except ValidationError as exc:
            context["errors"] = exc.messages
        else:
            context["saved_at"] = timezone.now()
    else:
        for form in (entry_form, answers_form):
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                context["errors"] += [f"{label}: {error}" if label else error for error in errors]
    return render(request, "registration/_autosave_status.html", context)


@login_required
@require_POST
def entry_files(request, slug: str, pk: int):
    """Upload the deck, logo, a photo or answer files; each is checked by its content."""
    event = _event(request, slug)
    entry = _own_entry(request, event, pk)
    questions = selectors.questions_of(event)
    files_form = FilesForm(request.POST, request.FILES, questions=questions, prefix="files")
    if files_form.is_valid():
        stored = 0
        for name, kind, question, upload in files_form.uploads():
            try:
                services.attachment_add(
                    entry=entry, changed_by=request.user, kind=kind, upload=upload, question=question
                )
                stored += 1
            except ValidationError as exc:
                files_form.add_error(name, exc)
        if not files_form.errors:
            if stored:
                messages.success(request, _("The files were checked and stored."))
            else:
                messages.info(request, _("Choose a file to upload first."))
            return redirect(reverse("registration:entry_edit", kwargs={"slug": event.slug, "pk": entry.pk}) + "#files")
    messages.error(request, _("A file was refused; the reason is shown next to it. The other files were stored."))
    entry = _own_entry(request, event, pk)
    context = _edit_context(
        event,
        entry,
        EntryForm(instance=entry, event=event, prefix="entry"),
        AnswersForm(questions=questions, initial=_answers_initial(entry), prefix="answers"),
        team_formset(entry),
        files_form,
    )
    return render(request, "registration/entry_form.html", context, status=400)


@login_required
@require_POST
def attachment_delete(request, slug: str, pk: int):
    event = _event(request, slug)
    attachment = get_object_or_404(Attachment.objects.select_related("entry__event"), pk=pk, entry__event=event)
    entry = _own_entry(request, event, attachment.entry_id)
    try:
        services.attachment_remove(attachment=attachment, changed_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was removed."))
    return redirect(reverse("registration:entry_edit", kwargs={"slug": event.slug, "pk": entry.pk}) + "#files")


@login_required
def entry_submit(request, slug: str, pk: int):
    """Show what is missing, or submit the entry."""
    event = _event(request, slug)
    entry = _own_entry(request, event, pk)
    missing = services.entry_missing(entry) if entry.status == Status.DRAFT else []
    status = 200
    if request.method == "POST":
        try:
            services.entry_submit(entry=entry, submitted_by=request.user)
        except services.EntryIncomplete as exc:
            missing, status = exc.missing, 400
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            messages.success(request, _("Your entry was submitted. A receipt is on its way to your e-mail."))
            return redirect(entry)
    window = services.registration_settings_of(event)
    return render(
        request,
        "registration/entry_submit.html",
        {
            "event": event,
            "entry": entry,
            "missing": missing,
            "window": window,
            "is_open": bool(window and window.is_open()),
        },
        status=status,
    )


@login_required
@require_POST
def entry_withdraw(request, slug: str, pk: int):
    event = _event(request, slug)
    entry = _own_entry(request, event, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(entry)
    try:
        services.entry_withdraw(entry=entry, withdrawn_by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your entry was withdrawn."))
    return redirect(entry)


def entry_detail(request, slug: str, pk: int):
    """The entry with its team, answers, files and status timeline; organisers also see notes."""
    event = _event(request, slug)
    entry = _entry(request, event, pk)
    is_owner = request.user.is_authenticated and entry.owner_id == request.user.pk
    can_screen = can(request.user, "entry.screen", event)
    questions = selectors.questions_of(event)
    answers = {a.question_id: a for a in entry.answers.all()}
    attachments = list(entry.attachments.all())
    window = services.registration_settings_of(event)
    editable = is_owner and entry.status in services.EDITABLE_STATUSES and window is not None and window.is_open()
    context = {
        "event": event,
        "entry": entry,
        "is_owner": is_owner,
        "can_screen": can_screen,
        "timeline": list(entry.status_changes.all()),
        "team": list(entry.team.all()),
        "answer_rows": [
            (q, answers.get(q.pk), next((a for a in attachments if a.question_id == q.pk), None)) for q in questions
        ],
        "deck": next((a for a in attachments if a.kind == Attachment.Kind.DECK), None),
        "logo": next((a for a in attachments if a.kind == Attachment.Kind.LOGO), None),
        "photos": [a for a in attachments if a.kind == Attachment.Kind.PHOTO],
        "missing": services.entry_missing(entry) if editable and entry.status == Status.DRAFT else [],
        "editable": editable,
        "withdrawable": is_owner and Status.WITHDRAWN in services.TRANSITIONS[entry.status],
        "withdraw_form": WithdrawForm(),
    }
    if can_screen:
        context.update(
            notes=selectors.entry_notes(entry),
            note_form=NoteForm(),
            status_form=StatusForm(),
            duplicates=selectors.duplicates_of(entry),
        )
    return render(request, "registration/entry_detail.html", context)


@xframe_options_sameorigin
def attachment_download(request, slug: str, pk: int):
    """Send a file to its entry's owner or the event's organisers only (404 for anyone else)."""
    event = _event(request, slug)
    attachment = get_object_or_404(Attachment, pk=pk, entry__event=event)
    if not selectors.entries_visible_to(request.user, event).filter(pk=attachment.entry_id).exists():
        raise Http404(_("No such file."))
    field = attachment.thumbnail if request.GET.get("size") == "thumb" and attachment.thumbnail else attachment.file
    inline = request.GET.get("inline") == "1" and (attachment.is_image or attachment.is_pdf)
    content_type = attachment.content_type if field is attachment.file else "image/jpeg"
    if field is attachment.thumbnail and field.name.endswith(".png"):
        content_type = "image/png"
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=attachment.original_name or field.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


# --- Organisers ------------------------------------------------------------------------------


@login_required
def setup(request, slug: str):
    """The registration window, requirements, tracks and questions of the event."""
    event = _event(request, slug)
    require(request.user, "registration.configure", event)
    window = services.registration_settings_of(event)
    form = RegistrationSettingsForm(request.POST or None, instance=window)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_settings_set(event=event, changed_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The registration settings were saved."))
            return redirect("registration:setup", slug=event.slug)
    return render(
        request,
        "registration/setup.html",
        {
            "event": event,
            "form": form,
            "window": window,
            "tracks": selectors.tracks_of(event),
            "questions": selectors.questions_of(event),
        },
        status=400 if form.errors else 200,
    )


def _setup_item_form(request, event, form, *, save, saved_message, title, rename=None):
    """Shared body of the set-up forms (tracks, questions): validate, save through a service, re-render on errors."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as exc:
            add_service_errors(form, exc, rename=rename)
        else:
            messages.success(request, saved_message)
            return redirect("registration:setup", slug=event.slug)
    return render(
        request,
        "registration/setup_form.html",
        {"event": event, "form": form, "title": title},
        status=400 if form.errors else 200,
    )


@login_required
def track_edit(request, slug: str, pk: int | None = None):
    event = _event(request, slug)
    require(request.user, "registration.configure", event)
    track = get_object_or_404(Track, pk=pk, event=event) if pk else None
    form = TrackForm(request.POST or None, instance=track)

    def save():
        if track:
            services.track_update(track=track, changed_by=request.user, **form.cleaned_data)
        else:
            services.track_create(event=event, created_by=request.user, **form.cleaned_data)

    return _setup_item_form(
        request,
        event,
        form,
        save=save,
        saved_message=_("The track was saved."),
        title=_("Edit track") if track else _("New track"),
    )


@login_required
@require_POST
def track_delete(request, slug: str, pk: int):
    event = _event(request, slug)
    track = get_object_or_404(Track, pk=pk, event=event)
    try:
        services.track_delete(track=track, deleted_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The track was removed."))
    return redirect("registration:setup", slug=event.slug)


@login_required
def question_edit(request, slug: str, pk: int | None = None):
    event = _event(request, slug)
    require(request.user, "registration.configure", event)
    question = get_object_or_404(Question, pk=pk, event=event) if pk else None
    form = QuestionForm(request.POST or None, instance=question)

    def save():
        if question:
            services.question_update(question=question, changed_by=request.user, **form.service_fields())
        else:
            services.question_create(event=event, created_by=request.user, **form.service_fields())

    return _setup_item_form(
        request,
        event,
        form,
        save=save,
        saved_message=_("The question was saved."),
        title=_("Edit question") if question else _("New question"),
        rename={"choices": "choices_text", "eligible_choices": "eligible_text"},
    )


@login_required
@require_POST
def question_delete(request, slug: str, pk: int):
    event = _event(request, slug)
    question = get_object_or_404(Question, pk=pk, event=event)
    services.question_delete(question=question, deleted_by=request.user)
    messages.success(request, _("The question was removed."))
    return redirect("registration:setup", slug=event.slug)


@login_required
def screening(request, slug: str):
    """The organisers' list of entries: filters, search, sorting, pages, bulk status changes."""
    event = _event(request, slug)
    require(request.user, "entry.view_all", event)
    filters = ScreeningFilterForm(request.GET or None, event=event, countries=selectors.lead_countries(event))
    criteria = filters.cleaned_data if filters.is_valid() else {}
    entries = selectors.entries_for_screening(
        event,
        q=criteria.get("q") or "",
        track=criteria.get("track"),
        status=criteria.get("status") or "",
        country=criteria.get("country") or "",
        submitted_from=criteria.get("submitted_from"),
        submitted_to=criteria.get("submitted_to"),
        sort=criteria.get("sort") or "",
    )
    page = Paginator(entries, SCREENING_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registration/screening.html",
        {
            "event": event,
            "filters": filters,
            "page": page,
            "rows": rows,
            "hints": selectors.duplicate_hints(event, rows),
            "bulk_form": BulkStatusForm(event=event),
            "query": query.urlencode(),
            "counts": selectors.status_counts(event),
            "can_export": can(request.user, "entry.export", event),
        },
    )


@login_required
@require_POST
def screening_bulk(request, slug: str):
    event = _event(request, slug)
    require(request.user, "entry.screen", event)
    form = BulkStatusForm(request.POST, event=event)
    back = _safe_next(request, reverse("registration:screening", kwargs={"slug": event.slug}))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        moved = services.entries_status_change(
            entries=form.cleaned_data["entries"],
            to_status=form.cleaned_data["to_status"],
            changed_by=request.user,
            reason=form.cleaned_data["reason"],
            round_number=form.cleaned_data["round_number"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(count)s entries changed status.") % {"count": len(moved)})
    return redirect(back)


@login_required
@require_POST
def entry_status(request, slug: str, pk: int):
    event = _event(request, slug)
    require(request.user, "entry.screen", event)
    entry = _entry(request, event, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.entries_status_change(
                entries=[entry],
                to_status=form.cleaned_data["to_status"],
                changed_by=request.user,
                reason=form.cleaned_data["reason"],
                round_number=form.cleaned_data["round_number"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The status was changed."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(entry)


@login_required
@require_POST
def entry_note(request, slug: str, pk: int):
    event = _event(request, slug)
    require(request.user, "entry.screen", event)
    entry = _entry(request, event, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.entry_note_add(entry=entry, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The note was added."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("registration:entry_detail", kwargs={"slug": event.slug, "pk": entry.pk}) + "#notes")


# --- Exports ----------------------------------------------------------------------------------

EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@login_required
def exports(request, slug: str):
    """Request a spreadsheet of entries and follow how far it has got."""
    event = _event(request, slug)
    require(request.user, "entry.export", event)
    if request.method == "POST":
        try:
            services.export_request(event=event, requested_by=request.user, fmt=request.POST.get("format", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The export was started; it appears below when it is ready."))
        return redirect("registration:exports", slug=event.slug)
    jobs = ExportJob.objects.filter(event=event).select_related("requested_by")[:20]
    return render(request, "registration/exports.html", {"event": event, "jobs": jobs})


@login_required
def export_status(request, slug: str, pk: int):
    """htmx: one export's row, polled while the task runs."""
    event = _event(request, slug)
    require(request.user, "entry.export", event)
    job = get_object_or_404(ExportJob.objects.select_related("requested_by"), pk=pk, event=event)
    return render(request, "registration/_export_row.html", {"event": event, "job": job})


@login_required
def export_download(request, slug: str, pk: int):
    event = _event(request, slug)
    require(request.user, "entry.export", event)
    job = get_object_or_404(ExportJob, pk=pk, event=event, state=ExportJob.State.DONE)
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(
        handle, content_type=EXPORT_TYPES[job.format], as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
    )
    response["Cache-Control"] = "private, no-store"
    return response
