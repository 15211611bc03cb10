"""Template helpers for judging pages: the judging panel on the event page, number formats."""

from django import template

from events.services import can

from .. import selectors

register = template.Library()


@register.filter
def score(value, places: int = 2) -> str:
    """A result value for display, rounded to ``places`` decimals (results are never rounded before).

    Plain formatting: both site languages write scores alike (a point, no grouping), and a
    results page formats thousands of them.
    """
    if value is None:
        return "—"
    return f"{float(value):.{int(places)}f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("judging/_event_panel.html", takes_context=True)
def judging_panel(context, event):
    """The judging box on the event page: judges' portal, organisers' rounds, released results."""
    user = context["request"].user
    is_judge = can(user, "judging.score", event)
    can_configure = can(user, "judging.configure", event)
    released = (
        can(user, "judging.view_released", event)
        and selectors.rounds_of(event).filter(results_released_at__isnull=False).exists()
    )
    return {
        "event": event,
        "is_judge": is_judge,
        "can_configure": can_configure,
        "released": released,
        "show": is_judge or can_configure or released,
    }
