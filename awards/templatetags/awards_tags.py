"""The awards box on the event page: organisers' awards, open audience votes, published winners."""

from django import template

from events.services import can

from .. import selectors

register = template.Library()


@register.inclusion_tag("awards/_event_panel.html", takes_context=True)
def awards_panel(context, event):
    user = context["request"].user
    can_manage = can(user, "awards.manage", event)
    open_votes = list(selectors.open_votes(event))
    has_winners = selectors.published_winners(event).exists()
    return {
        "event": event,
        "can_manage": can_manage,
        "open_votes": open_votes,
        "has_winners": has_winners,
        "show": can_manage or bool(open_votes) or has_winners,
    }
