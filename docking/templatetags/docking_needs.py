"""The needs box on the event page: which docking pages the visitor may open."""

from django import template

from events.services import can

from ..services.needs import need_enterprise_choices, needs_can_list

register = template.Library()


@register.inclusion_tag("docking/needs/_event_panel.html", takes_context=True)
def needs_panel(context, event):
    user = context["request"].user
    return {
        "event": event,
        "docking_links": {
            "needs": needs_can_list(user, event),
            "post": can(user, "docking.post_need", event) and need_enterprise_choices(user, event).exists(),
            "matches": can(user, "docking.manage", event),
        },
    }
