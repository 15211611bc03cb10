"""Template helpers for registration pages: status badges, times in China and local time,
and the registration panel on the event page."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from events.services import can

from ..models import Status
from ..services import registration_settings_of

register = template.Library()

CHINA_TIME = ZoneInfo("Asia/Shanghai")
STATUS_STYLES = {
    Status.DRAFT: "text-bg-secondary",
    Status.SUBMITTED: "text-bg-primary",
    Status.SCREENED_IN: "text-bg-success",
    Status.SCREENED_OUT: "text-bg-danger",
    Status.IN_ROUND: "text-bg-info",
    Status.FINALIST: "text-bg-warning",
    Status.AWARDED: "text-bg-success",
    Status.WITHDRAWN: "text-bg-light border",
}


@register.simple_tag
def status_badge(entry):
    return format_html(
        '<span class="badge {} status-badge" data-status="{}">{}</span>',
        STATUS_STYLES.get(entry.status, "text-bg-secondary"),
        entry.status,
        entry.status_label(),
    )


@register.simple_tag
def china_time(moment):
    """A moment in China time, marked up so a small script can add the visitor's own time."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, CHINA_TIME)
    return format_html(
        '<time datetime="{}" class="js-local-time">{}</time>',
        moment.isoformat(),
        _("%(time)s China time") % {"time": local.strftime("%Y-%m-%d %H:%M")},
    )


@register.simple_tag
def local_clock(moment):
    """Hours and minutes of a moment; a small script shows them in the visitor's own zone."""
    return format_html(
        '<time datetime="{}" class="js-local-clock">{}</time>',
        moment.isoformat(),
        timezone.localtime(moment, CHINA_TIME).strftime("%H:%M"),
    )


@register.filter
def cny(amount):
    """An amount of yuan with its sign and thousands separators, the same in both languages.

    (Django's Chinese number format has no separator, which makes ¥12000000 hard to read.)
    """
    if amount is None or amount == "":
        return ""
    return f"¥{Decimal(amount):,.0f}"


@register.inclusion_tag("registration/_event_panel.html", takes_context=True)
def registration_panel(context, event):
    """The registration box on the event page: window, and what the visitor can do next."""
    request = context["request"]
    window = registration_settings_of(event)
    return {
        "event": event,
        "window": window,
        "is_open": window is not None and window.is_open(),
        "has_closed": window is not None and window.has_closed(),
        "can_configure": can(request.user, "registration.configure", event),
        "can_screen": can(request.user, "entry.screen", event),
    }


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or an empty list."""
    return mapping.get(key, [])
