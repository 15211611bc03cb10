"""The outcome-analytics page of a finished edition: correlations of scores with what became of
the projects, and the suggested weights, applied to a future round only on confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from events.models import Event
from events.services import require

from . import outcomes
from .analytics import BLEND, MIN_SAMPLE
from .forms import ApplyWeightsForm


def _page(request, event: Event, *, number: str, outcome: str, form: ApplyWeightsForm | None = None):
    require(request.user, "insights.view", event)
    rounds = list(outcomes.released_rounds(event))
    chosen = next((r for r in rounds if str(r.number) == number), rounds[-1] if rounds else None)
    outcome = outcome if outcome in outcomes.OUTCOMES else "signed"
    analysis = outcomes.outcome_analysis(round=chosen, viewer=request.user) if chosen else None
    suggestion = analysis.suggestion(outcome) if analysis and not analysis.error else None
    suggested_rows = (
        [(row, suggestion[row.criterion.pk], row.by_outcome[outcome]) for row in analysis.criteria]
        if suggestion
        else []
    )
    if form is None:
        form = ApplyWeightsForm(user=request.user, initial={"outcome": outcome})
    return render(
        request,
        "insights/analytics.html",
        {
            "event": event,
            "rounds": rounds,
            "round": chosen,
            "analysis": analysis,
            "outcome": outcome,
            "outcomes": list(outcomes.OUTCOMES.items()),
            "outcome_label": outcomes.OUTCOMES[outcome],
            "counts": [(label, analysis.outcome_counts[key]) for key, label in outcomes.OUTCOMES.items()]
            if analysis
            else [],
            "suggested_rows": suggested_rows,
            "form": form,
            "min_sample": MIN_SAMPLE,
            "blend_percent": int(BLEND * 100),
        },
    )


@login_required
def outcome_analytics(request, slug: str):
    """Correlations for one released round (``?round=``) and one outcome (``?outcome=``)."""
    event = get_object_or_404(Event, slug=slug)
    return _page(request, event, number=request.GET.get("round", ""), outcome=request.GET.get("outcome", ""))


@login_required
@require_POST
def outcome_weights_apply(request, slug: str, number: int):
    """Apply the suggested weights to a future round, only when the organiser ticked the confirmation."""
    event = get_object_or_404(Event, slug=slug)
    require(request.user, "insights.view", event)
    source = get_object_or_404(outcomes.released_rounds(event), number=number)
    form = ApplyWeightsForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            outcomes.suggested_weights_apply(
                source=source,
                outcome=form.cleaned_data["outcome"],
                target=form.cleaned_data["target"],
                confirmed_by=request.user,
                confirmed=form.cleaned_data["confirm"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            target = form.cleaned_data["target"]
            messages.success(
                request,
                _("The suggested weights are now on the criteria of %(round)s.")
                % {"round": f"{target.event.title} · {target.name}"},
            )
            url = reverse("insights:outcome_analytics", kwargs={"slug": event.slug})
            return redirect(f"{url}?round={source.number}&outcome={form.cleaned_data['outcome']}")
    return _page(request, event, number=str(number), outcome=request.POST.get("outcome", ""), form=form)
