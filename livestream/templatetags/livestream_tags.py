from django import template

from events.services import can
from livestream.selectors import rooms_of_event

register = template.Library()


@register.simple_tag(takes_context=True)
def event_rooms(context, event):
    """The event's roadshow rooms the current user may watch: ``{% event_rooms event as rooms %}``."""
    return rooms_of_event(event, context["request"].user)


@register.simple_tag(takes_context=True)
def can_run_rooms(context, event) -> bool:
    """May the current user open and run the event's rooms: ``{% can_run_rooms event as can_run %}``."""
    return can(context["request"].user, "room.run", event)
