"""Judging pages: the judges' portal and the organisers' round pages.

Each view parses input, asks the permission helper, calls a service or selector and
renders; the rules live in ``services``. Pages a visitor may not use answer 403; entries,
cards and results a visitor may not see do not exist for them (404).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.forms import add_service_errors
from events.models import Event
from events.services import can, require
from registration.models import Attachment, Entry, TeamMember, Track

from . import exports, selectors, services, sources
from .aggregation import Method
from .forms import (
    AssignmentForm,
    ConflictForm,
    CriterionFormSet,
    ReasonForm,
    RoundForm,
    ScoreForm,
    criteria_initial,
)
from .models import Round, Score, Scorecard

RESULTS_PAGE_SIZE = 100
METHOD_LABELS = dict(Round._meta.get_field("method").choices)


def _event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not can(request.user, "event.view", event):
        raise Http404(_("No such event."))
    return event


def _round(request, slug: str, number: int) -> Round:
    event = _event(request, slug)
    round_ = selectors.round_of(event, number)
    if round_ is None:
        raise Http404(_("No such round."))
    return round_


# --- Judges -----------------------------------------------------------------------------------


@login_required
def portal(request, slug: str):
    """A judge's rounds in the event, with how many of their cards are submitted."""
    event = _event(request, slug)
    require(request.user, "judging.score", event)
    return render(
        request,
        "judging/portal.html",
        {"event": event, "rounds": selectors.judge_rounds(event, request.user)},
    )


@login_required
def round_judge(request, slug: str, number: int):
    """A judge's assigned entries in one round, with the state of each card."""
    round_ = _round(request, slug, number)
    require(request.user, "judging.score", round_.event)
    rows = selectors.judge_rows(round_, request.user)
    submitted = sum(1 for row in rows if row.state == Scorecard.Status.SUBMITTED)
    return render(
        request,
        "judging/round_judge.html",
        {
            "event": round_.event,
            "round": round_,
            "rows": rows,
            "submitted": submitted,
            "percent": int(100 * submitted / len(rows)) if rows else 0,
        },
    )


def _assigned_entry(request, round_: Round, entry_id: int) -> Entry:
    """The entry, if it is assigned to the requesting judge in the round (404 otherwise)."""
    require(request.user, "judging.score", round_.event)
    if not selectors.is_assigned(round_, entry_id, request.user):
        raise Http404(_("No such entry in your list."))
    return (
        Entry.objects.select_related("track", "owner")
        .prefetch_related(
            Prefetch("team", queryset=TeamMember.objects.order_by("-is_lead", "position", "id")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "id")),
        )
        .get(pk=entry_id, event=round_.event)
    )


def _card_initial(card: Scorecard | None) -> dict:
    if card is None:
        return {}
    initial = {services.score_field(score.criterion_id): services.plain(score.value) for score in card.scores.all()}
    initial["comment_to_organisers"] = card.comment_to_organisers
    initial["feedback_to_entrant"] = card.feedback_to_entrant
    return initial


def _editable_note(round_: Round, card: Scorecard | None) -> str:
    """Why the card cannot be changed now, or "" when it can."""
    if card is not None and card.locked:
        return _("This card is locked: the round has closed.")
    if card is not None and card.reopened:
        return ""
    now = timezone.now()
    if round_.closed_at is not None or now >= round_.closes_at:
        return _("Scoring for this round has closed.")
    if now < round_.opens_at:
        return _("Scoring for this round opens on %(time)s.") % {"time": services.china_time(round_.opens_at)}
    return ""


@login_required
def score(request, slug: str, number: int, entry_id: int):
    """The entry (blind rounds hide who is behind it) and the judge's scoring form."""
    round_ = _round(request, slug, number)
    entry = _assigned_entry(request, round_, entry_id)
    criteria = selectors.criteria_of(round_)
    card = selectors.card_of(round_, entry.pk, request.user)
    if request.method == "POST":
        form = ScoreForm(request.POST, round=round_, criteria=criteria)
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                save = services.scorecard_submit if submit else services.scorecard_save_draft
                save(
                    round=round_,
                    entry=entry,
                    judge=request.user,
                    scores=form.raw_scores(),
                    comment_to_organisers=form.cleaned_data["comment_to_organisers"],
                    feedback_to_entrant=form.cleaned_data["feedback_to_entrant"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if submit:
                    messages.success(request, _("Your card is submitted. Thank you."))
                    return redirect("judging:round_judge", slug=slug, number=number)
                messages.success(request, _("Your draft is saved."))
                return redirect("judging:score", slug=slug, number=number, entry_id=entry.pk)
        card = selectors.card_of(round_, entry.pk, request.user)
    else:
        form = ScoreForm(initial=_card_initial(card), round=round_, criteria=criteria)
    return render(
        request,
        "judging/score.html",
        {
            "event": round_.event,
            "round": round_,
            "entry": entry,
            "form": form,
            "card": card,
            "criteria": criteria,
            "closed_note": _editable_note(round_, card),
            "conflict_form": ConflictForm(),
            "deck": next((a for a in entry.attachments.all() if a.kind == Attachment.Kind.DECK), None),
        },
    )


@login_required
@require_POST
def autosave(request, slug: str, number: int, entry_id: int):
    """htmx: save the card as a draft while the judge types; answer with a status line."""
    round_ = _round(request, slug, number)
    entry = _assigned_entry(request, round_, entry_id)
    criteria = selectors.criteria_of(round_)
    form = ScoreForm(request.POST, round=round_, criteria=criteria)
    context = {"saved_at": None, "errors": []}
    if form.is_valid():
        try:
            services.scorecard_save_draft(
                round=round_,
                entry=entry,
                judge=request.user,
                scores=form.raw_scores(),
                comment_to_organisers=form.cleaned_data["comment_to_organisers"],
                feedback_to_entrant=form.cleaned_data["feedback_to_entrant"],
            )
        except ValidationError as exc:
            names = {services.score_field(c.pk): c.name for c in criteria}
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    label = names.get(name) or (form.fields[name].label if name in form.fields else "")
                    context["errors"] += [f"{label}: {m}" if label else m for e in errors for m in e.messages]
            else:
                context["errors"] = exc.messages
        else:
            context["saved_at"] = timezone.now()
    else:
        for name, errors in form.errors.items():
            context["errors"] += [f"{form.fields[name].label}: {error}" for error in errors]
    return render(request, "judging/_autosave_status.html", context)


@login_required
@require_POST
def conflict(request, slug: str, number: int, entry_id: int):
    """A judge declares a conflict with an entry on their list; it goes to another judge."""
    round_ = _round(request, slug, number)
    entry = _assigned_entry(request, round_, entry_id)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_declare(judge=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("judging:score", slug=slug, number=number, entry_id=entry.pk)
        messages.success(request, _("Your conflict of interest is recorded; the entry goes to another judge."))
        return redirect("judging:round_judge", slug=slug, number=number)
    messages.error(request, _("Say briefly why you have a conflict of interest."))
    return redirect("judging:score", slug=slug, number=number, entry_id=entry.pk)


def _pdf_without_metadata(data: bytes) -> bytes:
    """The PDF with its document information (author, creator, title) removed, for blind rounds."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.metadata = None
    if "/Metadata" in writer.root_object:  # XMP metadata can name the author too
        del writer.root_object["/Metadata"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@login_required
def deck(request, slug: str, number: int, entry_id: int):
    """The entry's pitch deck for its assigned judges; in blind rounds without name or metadata."""
    round_ = _round(request, slug, number)
    entry = _assigned_entry(request, round_, entry_id)
    attachment = next((a for a in entry.attachments.all() if a.kind == Attachment.Kind.DECK), None)
    if attachment is None:
        raise Http404(_("This entry has no pitch deck."))
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    if round_.blind:
        data = _pdf_without_metadata(data)
        filename = f"deck-{entry.reference}.pdf"
    else:
        filename = attachment.original_name or f"deck-{entry.reference}.pdf"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename.encode("ascii", "replace").decode()}"'
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


# --- Organisers: set-up -------------------------------------------------------------------------


@login_required
def manage(request, slug: str):
    """The event's rounds with their numbers of entries, assignments and submitted cards."""
    event = _event(request, slug)
    require(request.user, "judging.configure", event)
    rounds = selectors.rounds_of(event).annotate(
        assignment_count=Count("assignments", distinct=True),
        submitted_count=Count("scorecards", filter=Q(scorecards__status=Scorecard.Status.SUBMITTED), distinct=True),
        criterion_count=Count("criteria", distinct=True),
    )
    return render(request, "judging/manage.html", {"event": event, "rounds": rounds})


def _criteria_inputs(formset) -> tuple[list[services.CriterionInput], int | None]:
    items: list[services.CriterionInput] = []
    tie_break = None
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        if not any(data.get(name) for name in ("name_zh", "name_en", "weight")):
            continue  # the blank extra row
        if data.get("tie_break"):
            tie_break = len(items)
        items.append(
            services.CriterionInput(
                id=data.get("id"),
                name_zh=data.get("name_zh", ""),
                name_en=data.get("name_en", ""),
                guidance_zh=data.get("guidance_zh", ""),
                guidance_en=data.get("guidance_en", ""),
                weight=data.get("weight", ""),
            )
        )
    return items, tie_break


def _show_criteria_errors(formset, exc: ValidationError, items_forms: list) -> list[str]:
    """Put ``criterion_<i>`` errors on the i-th filled row; return the errors about the whole set."""
    general: list[str] = []
    for name, errors in exc.error_dict.items():
        messages_ = [m for e in errors for m in e.messages]
        if name.startswith("criterion_") and int(name.split("_")[1]) < len(items_forms):
            items_forms[int(name.split("_")[1])].add_error(None, messages_)
        else:
            general += messages_
    return general


@login_required
def round_edit(request, slug: str, number: int | None = None):
    """Create a round or change its settings and criteria (all saved together, or nothing)."""
    event = _event(request, slug)
    require(request.user, "judging.configure", event)
    round_ = selectors.round_of(event, number) if number is not None else None
    if number is not None and round_ is None:
        raise Http404(_("No such round."))
    criteria = selectors.criteria_of(round_) if round_ else []
    criteria_errors: list[str] = []
    if request.method == "POST":
        form = RoundForm(request.POST, instance=round_, event=event, prefix="round")
        formset = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            fields = dict(form.cleaned_data)
            tracks = fields.pop("tracks")
            items, tie_break = _criteria_inputs(formset)
            filled = [
                f
                for f in formset.forms
                if f.cleaned_data
                and not f.cleaned_data.get("DELETE")
                and any(f.cleaned_data.get(n) for n in ("name_zh", "name_en", "weight"))
            ]
            try:
                with transaction.atomic():
                    if round_ is None:
                        saved = services.round_create(event=event, created_by=request.user, tracks=tracks, **fields)
                    else:
                        saved = services.round_update(round=round_, changed_by=request.user, tracks=tracks, **fields)
                    services.criteria_set(round=saved, changed_by=request.user, criteria=items, tie_break=tie_break)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    round_errors = {k: v for k, v in exc.error_dict.items() if k in form.fields}
                    for name, errors in round_errors.items():
                        form.add_error(name, errors)
                    rest = ValidationError({k: v for k, v in exc.error_dict.items() if k not in form.fields})
                    if rest.error_dict:
                        criteria_errors = _show_criteria_errors(formset, rest, filled)
                else:
                    criteria_errors = exc.messages
            else:
                messages.success(request, _("The round is saved."))
                return redirect("judging:round_edit", slug=slug, number=saved.number)
    else:
        initial_tie = round_.tie_break_criterion_id if round_ else None
        form = RoundForm(instance=round_, event=event, prefix="round")
        formset = CriterionFormSet(initial=criteria_initial(criteria, initial_tie), prefix="criteria")
    return render(
        request,
        "judging/round_form.html",
        {"event": event, "round": round_, "form": form, "formset": formset, "criteria_errors": criteria_errors},
    )


@login_required
def assignments(request, slug: str, number: int):
    """Who scores what: every entry of the round with its judges; automatic assignment on POST."""
    round_ = _round(request, slug, number)
    require(request.user, "judging.assign", round_.event)
    if request.method == "POST":
        try:
            report = services.assignment_auto(round=round_, assigned_by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(created)s assignments made, %(removed)s removed, %(moved)s moved to balance the loads.")
                % {"created": report.created, "removed": report.removed, "moved": report.moved},
            )
            if report.short:
                messages.warning(
                    request,
                    _("%(count)s entries have fewer than %(k)s judges without a conflict: add judges to the event.")
                    % {"count": len(report.short), "k": round_.judges_per_entry},
                )
        return redirect("judging:assignments", slug=slug, number=number)
    overview = selectors.assignment_overview(round_)
    loads = selectors.judge_loads(round_)
    judges = list(selectors.judges_of(round_.event))
    return render(
        request,
        "judging/assignments.html",
        {
            "event": round_.event,
            "round": round_,
            "overview": overview,
            "judges": [(judge, loads[judge.pk]) for judge in judges],
        },
    )


@login_required
def assignment_edit(request, slug: str, number: int, entry_id: int):
    """Choose by hand which judges score one entry."""
    round_ = _round(request, slug, number)
    require(request.user, "judging.assign", round_.event)
    entry = get_object_or_404(Entry.objects.select_related("track"), pk=entry_id, event=round_.event)
    judges = selectors.judges_of(round_.event)
    current = [a.judge for a in selectors.assignments_of_round(round_).filter(entry=entry).select_related("judge")]
    if request.method == "POST":
        form = AssignmentForm(request.POST, judges=judges)
        if form.is_valid():
            try:
                services.assignment_set(
                    round=round_, entry=entry, judges=form.cleaned_data["judges"], assigned_by=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The entry's judges are saved."))
                return redirect("judging:assignments", slug=slug, number=number)
    else:
        form = AssignmentForm(initial={"judges": current}, judges=judges)
    conflicts = selectors.conflict_map([entry.pk], list(judges))
    return render(
        request,
        "judging/assignment_form.html",
        {
            "event": round_.event,
            "round": round_,
            "entry": entry,
            "form": form,
            "conflicted": {judge_id for judge_id, _entry in conflicts},
        },
    )


@login_required
def progress(request, slug: str, number: int):
    """Cards submitted per judge; on POST, e-mail a reminder to judges with cards left."""
    round_ = _round(request, slug, number)
    require(request.user, "judging.assign", round_.event)
    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.getlist("judge") if pk.isdigit()]
        count = services.judges_remind(round=round_, reminded_by=request.user, judge_ids=ids or None)
        messages.success(request, _("Reminders are on their way to %(count)s judges.") % {"count": count})
        return redirect("judging:progress", slug=slug, number=number)
    rows = selectors.round_progress(round_)
    return render(
        request,
        "judging/progress.html",
        {
            "event": round_.event,
            "round": round_,
            "rows": rows,
            "assigned": sum(r.assigned for r in rows),
            "submitted": sum(r.submitted for r in rows),
        },
    )


@login_required
@require_POST
def close(request, slug: str, number: int):
    round_ = _round(request, slug, number)
    locked = services.round_close(round=round_, closed_by=request.user)
    messages.success(request, _("The round is closed; %(count)s cards are locked.") % {"count": locked})
    return redirect("judging:progress", slug=slug, number=number)


# --- Organisers: results --------------------------------------------------------------------------


def _method(request, round_: Round) -> str:
    method = request.GET.get("method") or round_.method
    return method if method in Method._value2member_map_ else round_.method


@login_required
def results(request, slug: str, number: int):
    """The ranking under one method, with every method's value side by side (organisers).

    The rank and total are the round's standing: when the organiser gave the audience vote or a
    live signal a weight, they are weighed in and shown as columns; otherwise the live signals are
    shown as evidence only.
    """
    round_ = _round(request, slug, number)
    computed = services.round_results(round=round_, viewer=request.user)
    method = _method(request, round_)
    tracks = list(Track.objects.filter(event=round_.event).order_by("position", "id"))
    track_id = request.GET.get("track", "")
    criteria = selectors.criteria_of(round_)
    page = None
    rows = []
    error = computed.error
    standing = None
    if not error:
        try:
            standing = services.round_standing(round_, method=method, results=computed)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if standing is not None:
        ranking = standing.by_group.get(int(track_id), ()) if track_id.isdigit() else standing.overall
        page = Paginator(ranking, RESULTS_PAGE_SIZE).get_page(request.GET.get("page"))
        page_ids = [place.entry.entry_id for place in page.object_list]
        entries = Entry.objects.in_bulk(page_ids)
        card_ids = {
            (entry_id, judge_id): card_id
            for card_id, entry_id, judge_id in Scorecard.objects.filter(
                round=round_, entry_id__in=page_ids, status=Scorecard.Status.SUBMITTED
            ).values_list("pk", "entry_id", "judge_id")
        }
        judges = User.objects.in_bulk({judge_id for _entry, judge_id in card_ids})
        others = {m: computed.of(m) for m in Method}
        rank_of = {m: {r.entry.entry_id: r.rank for r in others[m].overall} for m in Method}
        # Live signals beside the scores: evidence only, unless the round gives one of them a weight.
        signals = sources.pitch_evidence(event=round_.event, entry_ids=page_ids)
        rows = [
            {
                "rank": place.rank,
                "entry": entries[place.entry.entry_id],
                "result": place.entry.result,
                "line": place.entry,
                "methods": [
                    (others[m].entries[place.entry.entry_id].value, rank_of[m][place.entry.entry_id]) for m in Method
                ],
                "criterion_means": [place.entry.result.criterion_means[c.pk] for c in criteria],
                "cards": [
                    (card_ids[(place.entry.entry_id, judge_id)], judges[judge_id], total)
                    for judge_id, total in place.entry.result.judge_totals.items()
                ],
                "signals": signals.get(place.entry.entry_id),
            }
            for place in page.object_list
        ]
    return render(
        request,
        "judging/results.html",
        {
            "event": round_.event,
            "round": round_,
            "error": error,
            "method": method,
            "methods": [(m.value, METHOD_LABELS[m.value]) for m in Method],
            "tracks": tracks,
            "track_id": track_id,
            "criteria": criteria,
            "rows": rows,
            "page": page,
            "weighted": standing is not None and standing.weighted,
            "has_signals": any(row["signals"] for row in rows),
        },
    )


@login_required
def judges_report(request, slug: str, number: int):
    """Per judge: cards done, mean total, leniency against the panel and agreement with its order."""
    round_ = _round(request, slug, number)
    computed = services.round_results(round=round_, viewer=request.user)
    method = _method(request, round_)
    reports = []
    if not computed.error:
        result = computed.of(method)
        judges = User.objects.in_bulk(list(result.judges))
        reports = [(judges[judge_id], report) for judge_id, report in result.judges.items()]
    return render(
        request,
        "judging/judges_report.html",
        {
            "event": round_.event,
            "round": round_,
            "error": computed.error,
            "method": method,
            "methods": [(m.value, METHOD_LABELS[m.value]) for m in Method],
            "reports": reports,
        },
    )


@login_required
def card_detail(request, slug: str, number: int, card_id: int):
    """One card with its scores and full history (organisers); reopen it on POST with a reason."""
    round_ = _round(request, slug, number)
    require(request.user, "judging.view_results", round_.event)
    card = get_object_or_404(
        Scorecard.objects.select_related("judge", "entry", "entry__track").prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("criterion").order_by("criterion__position"))
        ),
        pk=card_id,
        round=round_,
    )
    form = ReasonForm()
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                services.scorecard_reopen(card=card, reopened_by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The card is reopened; its judge has been told."))
                return redirect("judging:card_detail", slug=slug, number=number, card_id=card.pk)
    criteria = {c.pk: c.name for c in selectors.criteria_of(round_)}
    history = [
        (change, criteria.get(int(change.field.split(":")[1])) if change.field.startswith("score:") else "")
        for change in selectors.card_history(card)
    ]
    return render(
        request,
        "judging/card_detail.html",
        {
            "event": round_.event,
            "round": round_,
            "card": card,
            "history": history,
            "form": form,
            "total": services.card_total(card),
        },
    )


@login_required
def advancement(request, slug: str, number: int):
    """Who advances under the round's rule (preview); confirm on POST."""
    round_ = _round(request, slug, number)
    require(request.user, "judging.configure", round_.event)
    if request.method == "POST":
        try:
            outcomes = services.advancement_confirm(round=round_, confirmed_by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            advanced = sum(1 for outcome in outcomes if outcome.advanced)
            messages.success(
                request,
                _("Advancement confirmed: %(advanced)s of %(total)s entries move on; every entrant is told.")
                % {"advanced": advanced, "total": len(outcomes)},
            )
        return redirect("judging:advancement", slug=slug, number=number)
    error = ""
    lines = []
    outcomes = selectors.outcomes_of(round_) if round_.advancement_confirmed else {}
    if not round_.advancement_confirmed:
        try:
            lines = services.advancement_preview(round=round_, viewer=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    entry_ids = [line.entry_id for line in lines] or list(outcomes)
    entries = Entry.objects.select_related("track").in_bulk(entry_ids)
    return render(
        request,
        "judging/advancement.html",
        {
            "event": round_.event,
            "round": round_,
            "error": error,
            "lines": [(line, entries[line.entry_id]) for line in lines],
            "outcomes": sorted(
                ((outcome, entries[entry_id]) for entry_id, outcome in outcomes.items()),
                key=lambda pair: (pair[0].rank is None, pair[0].rank or 0, pair[1].pk),
            ),
            "advancing": sum(1 for line in lines if line.advances),
        },
    )


@login_required
def release(request, slug: str, number: int):
    """Release the results, choosing which judges' feedback the entrants may read (anonymised)."""
    round_ = _round(request, slug, number)
    require(request.user, "judging.release_results", round_.event)
    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.getlist("feedback") if pk.isdigit()]
        try:
            count = services.results_release(round=round_, released_by=request.user, feedback_card_ids=ids)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Results released, with %(count)s feedback texts for entrants.") % {"count": count}
            )
        return redirect("judging:release", slug=slug, number=number)
    cards = (
        Scorecard.objects.filter(round=round_, status=Scorecard.Status.SUBMITTED)
        .exclude(feedback_to_entrant="")
        .select_related("entry", "judge")
        .order_by("entry_id", "pk")
    )
    return render(request, "judging/release.html", {"event": round_.event, "round": round_, "cards": cards})


@login_required
def export(request, slug: str, number: int, kind: str):
    """The score sheet or the ranking as an Excel file (organisers)."""
    if kind not in ("scores", "ranking"):
        raise Http404(_("No such export."))
    round_ = _round(request, slug, number)
    computed = services.round_results(round=round_, viewer=request.user)
    if computed.error:
        messages.error(request, computed.error)
        return redirect("judging:results", slug=slug, number=number)
    build = exports.score_sheet if kind == "scores" else exports.ranking_sheet
    try:
        content = build(round_, computed)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("judging:results", slug=slug, number=number)
    stamp = timezone.localtime(timezone.now()).strftime("%Y%m%d-%H%M")
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"{round_.event.slug}-round{round_.number}-{kind}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- Released results ------------------------------------------------------------------------------


@login_required
def my_results(request, slug: str):
    """Released results: an entrant's own entries (with feedback); a judge's view of released rankings."""
    event = _event(request, slug)
    if not can(request.user, "judging.view_released", event):
        raise PermissionDenied(_("Only the event's entrants, judges and organisers see its results."))
    rankings = []
    if can(request.user, "judging.score", event) or can(request.user, "judging.view_results", event):
        for round_ in selectors.rounds_of(event).filter(results_released_at__isnull=False):
            if not services.results_visible_to(request.user, round_):
                continue
            try:
                ranking = services.round_standing(round_).overall
            except ValidationError:
                continue
            entries = Entry.objects.select_related("track").in_bulk([place.entry.entry_id for place in ranking])
            rankings.append((round_, [(place, entries[place.entry.entry_id]) for place in ranking]))
    return render(
        request,
        "judging/my_results.html",
        {
            "event": event,
            "own": services.entrant_results(user=request.user, event=event),
            "rankings": rankings,
        },
    )
