from django import template

from events.services import can

from ..tables import colour_name

register = template.Library()


@register.filter
def ledger_colour(status: str) -> str:
    """A ledger status value ("red", "yellow", "blue") in words of the active language."""
    return colour_name(status)


@register.inclusion_tag("insights/_event_panel.html", takes_context=True)
def insights_panel(context, event):
    """The dashboard box on the event page, for the people who may read the event's dashboard."""
    return {"event": event, "show": can(context["request"].user, "insights.view", event)}
