"""Award pages: the organisers' awards, rankings, decisions and vote logs; the public vote,
winners and certificates. Views parse input, ask the permission helper and call a service or
selector; the rules live in ``awards.services``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from events.models import Event
from events.services import can, require

from . import selectors, services
from .forms import AwardForm, award_initial
from .models import Award, AwardWinner, VoteFlag

VOTE_LOG_PAGE_SIZE = 100


def _event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not can(request.user, "event.view", event):
        raise Http404(_("No such event."))
    return event


def _award(event: Event, pk: int) -> Award:
    award = selectors.award_of(event, pk)
    if award is None:
        raise Http404(_("No such award."))
    return award


def _managed_award(request, slug: str, pk: int) -> Award:
    event = _event(request, slug)
    require(request.user, "awards.manage", event)
    return _award(event, pk)


# --- Organisers ----------------------------------------------------------------------------------


def manage(request, slug: str):
    """The event's awards with their numbers of winners and votes."""
    event = _event(request, slug)
    require(request.user, "awards.manage", event)
    return render(request, "awards/manage.html", {"event": event, "awards": selectors.awards_of(event)})


def edit(request, slug: str, pk: int | None = None):
    event = _event(request, slug)
    require(request.user, "awards.manage", event)
    award = _award(event, pk) if pk is not None else None
    if request.method == "POST":
        form = AwardForm(request.POST, event=event)
        if form.is_valid():
            data = dict(form.cleaned_data)
            chosen = list(data.pop("criteria"))
            try:
                if award is None:
                    award = services.award_create(event=event, created_by=request.user, criteria=chosen, **data)
                else:
                    services.award_update(award=award, changed_by=request.user, criteria=chosen, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The award is saved."))
                return redirect("awards:manage", slug=event.slug)
    else:
        form = AwardForm(initial=award_initial(award) if award else None, event=event)
    return render(request, "awards/edit.html", {"event": event, "award": award, "form": form})


def ranking(request, slug: str, pk: int):
    """The award's ranking of eligible entries, and the organiser's decision on its winners."""
    award = _managed_award(request, slug, pk)
    result = services.award_ranking(award=award, viewer=request.user)
    error = ""
    if request.method == "POST":
        position = {line.entry.pk: index for index, line in enumerate(result.lines)}
        chosen = [int(pk) for pk in request.POST.getlist("winner") if pk.isdigit() and int(pk) in position]
        try:
            services.award_decide(
                award=award, decided_by=request.user, entry_ids=sorted(chosen, key=position.__getitem__)
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The winners are recorded."))
            return redirect("awards:ranking", slug=slug, pk=award.pk)
    winners = list(selectors.winners_of(award))
    criteria = list(award.criteria.all()) if not award.is_audience else []
    return render(
        request,
        "awards/ranking.html",
        {
            "event": award.event,
            "award": award,
            "ranking": result,
            "criteria_weights": [(c, float(result.weights[c.pk])) for c in criteria],
            "winner_ids": {w.entry_id for w in winners},
            "winners": winners,
            "error": error,
        },
    )


@require_POST
def vote_state(request, slug: str, pk: int):
    award = _managed_award(request, slug, pk)
    try:
        if request.POST.get("action") == "close":
            services.vote_close(award=award, closed_by=request.user)
            messages.success(request, _("The vote is closed."))
        else:
            services.vote_open(award=award, opened_by=request.user)
            messages.success(request, _("The vote is open."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("awards:votes", slug=slug, pk=award.pk)


def votes(request, slug: str, pk: int):
    """The vote log (newest first, with address and browser hash) and the flags to review."""
    award = _managed_award(request, slug, pk)
    if not award.is_audience:
        raise Http404(_("Only an audience award has a vote."))
    page = Paginator(selectors.vote_log(award), VOTE_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/votes.html",
        {
            "event": award.event,
            "award": award,
            "page": page,
            "flags": selectors.flags_of(award),
            "counts": services.award_ranking(award=award, viewer=request.user).lines,
        },
    )


@require_POST
def flag_review(request, slug: str, pk: int, flag_id: int):
    award = _managed_award(request, slug, pk)
    flag = get_object_or_404(VoteFlag, award=award, pk=flag_id)
    services.flag_review(flag=flag, reviewed_by=request.user)
    messages.success(request, _("The flag is marked as reviewed."))
    return redirect("awards:votes", slug=slug, pk=award.pk)


# --- Public --------------------------------------------------------------------------------------


def winners(request, slug: str):
    """Winners of the event's published awards, and the audience votes open now."""
    event = _event(request, slug)
    by_award: dict[Award, list[AwardWinner]] = {}
    for winner in selectors.published_winners(event):
        by_award.setdefault(winner.award, []).append(winner)
    return render(
        request,
        "awards/winners.html",
        {"event": event, "by_award": by_award.items(), "open_votes": selectors.open_votes(event)},
    )


def vote(request, slug: str, pk: int):
    """The public vote of an audience award: its eligible entries, one vote per verified account."""
    event = _event(request, slug)
    award = _award(event, pk)
    if not award.is_audience or award.vote_opened_at is None:
        raise Http404(_("No such vote."))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            services.vote_cast(
                award=award,
                entry_id=request.POST.get("entry"),
                voter=request.user,
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.headers.get("user-agent", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you: your vote is counted."))
        return redirect("awards:vote", slug=slug, pk=award.pk)
    return render(
        request,
        "awards/vote.html",
        {
            "event": event,
            "award": award,
            "entries": selectors.eligible_entries(award),
            "my_vote": selectors.vote_of(award, request.user),
        },
    )


def certificate(request, slug: str, pk: int, winner_id: int):
    """A printable bilingual certificate: public once the award is published, else organisers only."""
    event = _event(request, slug)
    award = _award(event, pk)
    if not award.is_published and not can(request.user, "awards.manage", event):
        raise Http404(_("No such certificate."))
    winner = get_object_or_404(AwardWinner.objects.select_related("entry", "entry__track"), award=award, pk=winner_id)
    lead = winner.entry.team.filter(is_lead=True).first()
    return render(request, "awards/certificate.html", {"event": event, "award": award, "winner": winner, "lead": lead})
