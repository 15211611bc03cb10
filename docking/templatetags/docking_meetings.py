"""The meetings and deals box on the event page: which of those docking pages the visitor may open."""

from django import template

from events.services import can
from judging.models import Round

from ..models import MeetingProposal
from ..services.proposal_reasons import proposal_reason

register = template.Library()


@register.inclusion_tag("docking/meetings/_event_panel.html", takes_context=True)
def meetings_panel(context, event):
    user = context["request"].user
    organiser = can(user, "docking.manage", event)
    return {
        "event": event,
        "meeting_links": {
            "mine": user.is_authenticated and (organiser or can(user, "docking.request_meeting", event)),
            "leads": organiser,
            "fair": organiser,
            # Rounds with proposals (organisers): the results page links the others.
            "proposal_rounds": Round.objects.filter(event=event, meeting_proposals__isnull=False).distinct()
            if organiser
            else (),
            "deals": can(user, "docking.record_deal", event),
        },
    }


@register.filter(name="proposal_reason")
def proposal_reason_filter(proposal: MeetingProposal) -> str:
    """Why the proposal's two sides should meet, in the active language."""
    return proposal_reason(proposal)
