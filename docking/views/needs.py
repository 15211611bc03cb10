"""Pages for the enterprise and talent databases, an event's needs, their matches, and the
organisers' printable match list. They parse, ask the services and selectors, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.models import Event
from events.services import can

from ..forms.needs import CuratedMatchAddForm, CuratedMatchMoveForm, EnterpriseProfileForm, NeedForm, SearchForm
from ..models import CuratedMatch, EnterpriseProfile, Need
from ..selectors import needs as selectors
from ..services import matching
from ..services import needs as services
from .meetings import event_for

PAGE_SIZE = 50


def _need(request, event: Event, pk: int) -> Need:
    need = selectors.need_for_page(request.user, event, pk)
    if need is None:
        raise Http404(_("No such need."))
    return need


# --- enterprise and talent databases -----------------------------------------------------------------


def _require_manager(user) -> None:
    if not services.can_manage_enterprises(user):
        raise PermissionDenied(_("Only organisers and site staff see the enterprise and talent databases."))


def _database_page(request, rows, template: str):
    """A searched, paginated page of the enterprise or the talent database (``rows(text)``)."""
    _require_manager(request.user)
    search = SearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(rows(text), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"page": page, "q": text})


@login_required
def enterprise_list(request):
    return _database_page(request, selectors.enterprises, "docking/needs/enterprise_list.html")


@login_required
def enterprise_create(request):
    _require_manager(request.user)
    form = EnterpriseProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_profile_create(user=request.user, **form.profile_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The enterprise was added."))
            return redirect("docking:enterprise_list")
    return render(request, "docking/needs/enterprise_form.html", {"form": form, "enterprise": None})


@login_required
def enterprise_edit(request, pk: int):
    enterprise = get_object_or_404(EnterpriseProfile.objects.select_related("organisation"), pk=pk)
    if not services.enterprise_can_edit(request.user, enterprise):
        raise PermissionDenied(_("Only the enterprise's contacts, organisers and site staff edit this profile."))
    manager = services.can_manage_enterprises(request.user)
    form = EnterpriseProfileForm(request.POST or None, enterprise=enterprise, manager=manager)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_profile_update(enterprise=enterprise, user=request.user, **form.profile_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The enterprise profile was saved."))
            return redirect("docking:enterprise_edit", pk=enterprise.pk)
    return render(request, "docking/needs/enterprise_form.html", {"form": form, "enterprise": enterprise})


@login_required
def talent_list(request):
    return _database_page(request, selectors.talents, "docking/needs/talent_list.html")


# --- needs ---------------------------------------------------------------------------------------------


@login_required
def need_list(request, slug: str):
    event = event_for(request, slug)
    if not services.needs_can_list(request.user, event):
        raise PermissionDenied(_("Only the event's organisers, enterprises and entrants see its needs."))
    needs = selectors.needs_visible_to(request.user, event)
    status = request.GET.get("status", "")
    if status in Need.Status.values:
        needs = needs.filter(status=status)
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = can(request.user, "docking.manage", event)
    my_entries, my_enterprises = [], []
    if not can_manage and can(request.user, "docking.view_open_needs", event):
        my_entries = list(selectors.matchable_entries(event).filter(owner=request.user))
    if not can_manage and can(request.user, "docking.post_need", event):
        my_enterprises = list(selectors.enterprises_of_contact(request.user))
    return render(
        request,
        "docking/needs/need_list.html",
        {
            "event": event,
            "page": page,
            "status": status,
            "statuses": Need.Status.choices,
            "can_post": can_manage or bool(my_enterprises),
            "can_manage": can_manage,
            "my_entries": my_entries,
            "my_enterprises": my_enterprises,
        },
    )


def _need_form_page(request, event: Event, need: Need | None):
    enterprises = services.need_enterprise_choices(request.user, event)
    form = NeedForm(request.POST or None, enterprises=enterprises, need=need)
    if request.method == "POST" and form.is_valid():
        try:
            if need is None:
                need = services.need_create(
                    event=event, user=request.user, enterprise=form.cleaned_data["enterprise"], **form.need_fields()
                )
                messages.success(request, _("The need was posted."))
            else:
                services.need_update(
                    need=need, user=request.user, enterprise=form.cleaned_data["enterprise"], **form.need_fields()
                )
                messages.success(request, _("The need was saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(need.get_absolute_url())
    return render(request, "docking/needs/need_form.html", {"event": event, "form": form, "need": need})


@login_required
def need_create(request, slug: str):
    event = event_for(request, slug)
    if not services.need_enterprise_choices(request.user, event).exists():
        raise PermissionDenied(_("Only the event's organisers and its enterprises with a profile post needs."))
    return _need_form_page(request, event, None)


@login_required
def need_edit(request, slug: str, pk: int):
    event = event_for(request, slug)
    need = _need(request, event, pk)
    if not services.need_can_edit(request.user, need):
        raise PermissionDenied(_("Only the event's organisers and the enterprise that posted the need edit it."))
    return _need_form_page(request, event, need)


@login_required
@require_POST
def need_status(request, slug: str, pk: int):
    event = event_for(request, slug)
    need = _need(request, event, pk)
    status = request.POST.get("status", "")
    try:
        services.need_set_status(need=need, user=request.user, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if status == Need.Status.CLOSED:
            messages.success(request, _("The need was closed."))
        else:
            messages.success(request, _("The need is open again."))
    return redirect(need.get_absolute_url())


@login_required
def need_detail(request, slug: str, pk: int):
    event = event_for(request, slug)
    need = _need(request, event, pk)
    can_edit = services.need_can_edit(request.user, need)
    can_manage = can(request.user, "docking.manage", event)
    project_matches = matching.need_project_matches(need=need, user=request.user) if can_edit else []
    talent_matches = matching.need_talent_matches(need=need, user=request.user) if can_manage else []
    curated = list(selectors.curated_of_need(need)) if can_manage else []
    listed_entries = {m.entry_id for m in curated if m.entry_id}
    listed_talents = {m.talent_id for m in curated if m.talent_id}
    return render(
        request,
        "docking/needs/need_detail.html",
        {
            "event": event,
            "need": need,
            "can_edit": can_edit,
            "can_manage": can_manage,
            "project_matches": project_matches,
            "talent_matches": talent_matches,
            "curated": curated,
            "listed_entries": listed_entries,
            "listed_talents": listed_talents,
        },
    )


@login_required
def entry_needs(request, slug: str, entry_id: int):
    """The open needs of the event ranked for one project: for its owner and the organisers."""
    event = event_for(request, slug)
    entry = get_object_or_404(selectors.matchable_entries(event), pk=entry_id)
    matches = matching.entry_need_matches(entry=entry, user=request.user)
    return render(request, "docking/needs/entry_needs.html", {"event": event, "entry": entry, "matches": matches})


# --- curated match list ----------------------------------------------------------------------------------


def _require_manage(request, event: Event) -> None:
    if not can(request.user, "docking.manage", event):
        raise PermissionDenied(_("Only the event's organisers keep its match list."))


@login_required
def match_list(request, slug: str):
    """The event's curated match list, grouped by need; printable."""
    event = event_for(request, slug)
    _require_manage(request, event)
    groups: dict[int, dict] = {}
    for match in selectors.curated_matches(event):
        groups.setdefault(match.need_id, {"need": match.need, "matches": []})["matches"].append(match)
    return render(request, "docking/needs/match_list.html", {"event": event, "groups": list(groups.values())})


@login_required
@require_POST
def match_add(request, slug: str, pk: int):
    event = event_for(request, slug)
    _require_manage(request, event)
    need = _need(request, event, pk)
    form = CuratedMatchAddForm(request.POST)
    if not form.is_valid() or bool(form.cleaned_data["entry"]) == bool(form.cleaned_data["talent"]):
        messages.error(request, _("A match pairs the need with either a project or a talent."))
        return redirect(need.get_absolute_url())
    # The score and its explanation are those of the ranking the organiser chose from.
    if form.cleaned_data["entry"]:
        ranked = matching.need_project_matches(need=need, user=request.user, limit=None)
        wanted = form.cleaned_data["entry"]
    else:
        ranked = matching.need_talent_matches(need=need, user=request.user, limit=None)
        wanted = form.cleaned_data["talent"]
    suggestion = next((m for m in ranked if m.item.pk == wanted), None)
    if suggestion is None:
        messages.error(request, _("Choose one of the suggested matches."))
        return redirect(need.get_absolute_url())
    target = {"entry": suggestion.item} if form.cleaned_data["entry"] else {"talent": suggestion.item}
    try:
        services.curated_match_add(
            need=need,
            user=request.user,
            score=suggestion.score,
            explanation=suggestion.explanation,
            create_lead=form.cleaned_data["create_lead"],
            **target,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Added to the match list."))
    return redirect(need.get_absolute_url())


def _curated(request, slug: str, pk: int) -> CuratedMatch:
    event = event_for(request, slug)
    _require_manage(request, event)
    return get_object_or_404(CuratedMatch.objects.select_related("event", "need"), event=event, pk=pk)


@login_required
@require_POST
def match_remove(request, slug: str, pk: int):
    match = _curated(request, slug, pk)
    services.curated_match_remove(match=match, user=request.user)
    messages.success(request, _("Removed from the match list."))
    if request.POST.get("back") == "need":
        return redirect(match.need.get_absolute_url())
    return redirect("docking:match_list", slug)


@login_required
@require_POST
def match_move(request, slug: str, pk: int):
    match = _curated(request, slug, pk)
    form = CuratedMatchMoveForm(request.POST)
    if form.is_valid():
        services.curated_match_move(match=match, user=request.user, offset=form.offset)
    return redirect("docking:match_list", slug)
