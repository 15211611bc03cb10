"""Expert pool pages: the organiser's pool per event, the expert's invitations and profile.

Views parse input, ask the permission helper, call a service or selector and render.
An invitation that is not the visitor's own does not exist for them (404).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from events.models import Event
from events.services import can, require
from judging import selectors as judging_selectors
from judging.models import Round

from . import selectors, services
from .forms import AddExpertForm, ExpertProfileForm, InviteForm, PoolFilterForm
from .models import JudgeInvitation


def _event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not can(request.user, "event.view", event):
        raise Http404(_("No such event."))
    return event


def _pool_url(event: Event, query: str) -> str:
    url = reverse("experts:pool", kwargs={"slug": event.slug})
    return f"{url}?{query}" if query else url


@login_required
def pool(request, slug: str):
    """The expert pool as the event's organisers see it: filters, coverage, conflicts, invitations."""
    event = _event(request, slug)
    require(request.user, "judging.assign", event)
    rounds = list(judging_selectors.rounds_of(event))
    meant = _round_of_old_link(request.GET.get("round", ""), rounds)
    if meant is not None:
        query = request.GET.copy()
        query["round"] = str(meant.pk)
        return redirect(_pool_url(event, query.urlencode()))
    return _render_pool(request, event, rounds=rounds)


def _round_of_old_link(value: str, rounds: list[Round]) -> Round | None:
    """The round a link from before the page took round ids meant by its number (``?round=2``):
    only when the value is no id of the event's rounds, so a current link always wins."""
    if not value.isdigit() or any(r.pk == int(value) for r in rounds):
        return None
    return next((r for r in rounds if r.number == int(value)), None)


def _render_pool(request, event: Event, add_form: AddExpertForm | None = None, rounds: list[Round] | None = None):
    rounds = list(judging_selectors.rounds_of(event)) if rounds is None else rounds
    filters = PoolFilterForm(request.GET or None, rounds=rounds)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    round_ = next((r for r in rounds if r.pk == chosen.get("round")), None)
    rows = selectors.pool_rows(
        event, round_=round_, field_value=chosen.get("field", ""), language=chosen.get("language", "")
    )
    return render(
        request,
        "experts/pool.html",
        {
            "event": event,
            "round": round_,
            "filters": filters,
            "rows": rows,
            "coverage": selectors.round_coverage(round_) if round_ else None,
            "invitations": selectors.invitations_sent(event),
            "add_form": add_form or AddExpertForm(),
            "query": urlencode({k: v for k, v in request.GET.items() if k in filters.fields and v}),
        },
    )


@login_required
@require_POST
def invite(request, slug: str, user_id: int):
    event = _event(request, slug)
    require(request.user, "judging.assign", event)
    expert = get_object_or_404(User, pk=user_id)
    query = request.POST.get("query", "")
    form = InviteForm(request.POST)
    round_ = None
    if request.POST.get("round", "").isdigit():
        round_ = judging_selectors.rounds_of(event).filter(pk=int(request.POST["round"])).first()
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect(_pool_url(event, query))
    try:
        services.judge_invite(
            event=event, round=round_, expert=expert, invited_by=request.user, message=form.cleaned_data["message"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is invited to judge.") % {"name": expert.display_name})
    return redirect(_pool_url(event, query))


@login_required
@require_POST
def add_expert(request, slug: str):
    """An organiser adds a person with an account to the pool, with their fields and languages."""
    event = _event(request, slug)
    require(request.user, "judging.assign", event)
    form = AddExpertForm(request.POST)
    if form.is_valid():
        person = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if person is None:
            form.add_error("email", _("No account has this e-mail address: ask the expert to sign up first."))
        else:
            try:
                services.expert_profile_set(
                    user=person,
                    changed_by=request.user,
                    fields=form.cleaned_data["fields"],
                    languages=form.cleaned_data["languages"],
                    event=event,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(name)s is added to the expert pool.") % {"name": person.display_name})
                return redirect(_pool_url(event, ""))
    return _render_pool(request, event, add_form=form)


@login_required
@require_POST
def cancel(request, slug: str, invitation_id: int):
    event = _event(request, slug)
    require(request.user, "judging.assign", event)
    invitation = get_object_or_404(JudgeInvitation, pk=invitation_id, event=event)
    try:
        services.invitation_cancel(invitation=invitation, cancelled_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation is cancelled."))
    return redirect(_pool_url(event, ""))


@login_required
def my_invitations(request):
    """The signed-in person's invitations to judge, to accept or decline."""
    return render(
        request,
        "experts/my_invitations.html",
        {"invitations": selectors.invitations_of(request.user), "profile": selectors.profile_of(request.user)},
    )


@login_required
def invitation(request, token: str):
    """One invitation (the e-mail's link); only the invited person sees and answers it."""
    found = get_object_or_404(
        JudgeInvitation.objects.select_related("event", "round", "invited_by"), token=token, expert=request.user
    )
    if request.method == "POST":
        answer = {"accept": services.invitation_accept, "decline": services.invitation_decline}.get(
            request.POST.get("answer", "")
        )
        if answer is None:
            messages.error(request, _("Choose to accept or to decline."))
            return redirect("experts:invitation", token=token)
        try:
            answer(invitation=found, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("experts:invitation", token=token)
        if found.status == JudgeInvitation.Status.ACCEPTED:
            messages.success(request, _("Thank you: you are now a judge of %(event)s.") % {"event": found.event.title})
            return redirect(found.event.get_absolute_url())
        messages.success(request, _("You declined the invitation."))
        return redirect("experts:my_invitations")
    return render(request, "experts/invitation.html", {"invitation": found})


@login_required
def profile(request):
    """The signed-in person's own expert profile."""
    current = selectors.profile_of(request.user)
    initial = (
        {"fields": current.fields, "languages": current.languages, "bio": current.bio, "is_active": current.is_active}
        if current
        else {"is_active": True}
    )
    form = ExpertProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_profile_set(user=request.user, changed_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Your expert profile is saved."))
            return redirect("experts:profile")
    return render(request, "experts/profile.html", {"form": form, "profile": current})
