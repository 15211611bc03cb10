"""Event fragments the site's own pages show (core's home page sits below events and cannot ask it)."""

from django import template

from ..selectors import events_published

register = template.Library()

HOME_EVENTS = 24


@register.inclusion_tag("events/_published_list.html")
def published_events(limit: int = HOME_EVENTS) -> dict:
    """The latest published events, newest first, as cards."""
    return {"events": list(events_published().order_by("-starts_on")[:limit])}
