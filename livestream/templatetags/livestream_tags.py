from django import template

from livestream.selectors import rooms_of_event

register = template.Library()


@register.simple_tag(takes_context=True)
def event_rooms(context, event):
    """The event's roadshow rooms the current user may watch: ``{% event_rooms event as rooms %}``."""
    return rooms_of_event(event, context["request"].user)
