"""Template helpers for ledger pages: status colour badges and the ledger box on the event page."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html

from events.services import can

from ..models import LandedCompany, LedgerStatus

register = template.Library()

BADGE_CLASSES = {"red": "text-bg-danger", "yellow": "text-bg-warning", "blue": "text-bg-primary"}


@register.simple_tag
def ledger_badge(status: str, label: str):
    """A coloured badge for a status colour; the label carries the meaning, not only the colour."""
    return format_html('<span class="badge {}">{}</span>', BADGE_CLASSES.get(status, "text-bg-secondary"), label)


@register.filter
def border_class(status: str) -> str:
    return {"red": "border-danger", "yellow": "border-warning", "blue": "border-primary"}.get(status, "")


@register.inclusion_tag("landing/_event_panel.html", takes_context=True)
def ledger_panel(context, event):
    """The ledger box on the event page, for its organisers and ledger editors only."""
    user = context["request"].user
    return {"event": event, "show": can(user, "ledger.view", event), "can_edit": can(user, "ledger.edit", event)}


@register.filter
def status_label(status: str) -> str:
    """The label of a stored status colour (audit rows keep the bare value)."""
    return LedgerStatus(status).label if status in LedgerStatus.values else status or "—"


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


@register.filter
def change_rows(changes: dict) -> list[tuple[str, str, str]]:
    """An audit row's changed fields as (field label, old, new), in the reader's language."""
    rows = []
    for name, (old, new) in (changes or {}).items():
        try:
            field = LandedCompany._meta.get_field(name)
        except FieldDoesNotExist:
            rows.append((name, _shown(old), _shown(new)))
            continue
        if field.choices:  # e.g. the base: show its label, not the stored value
            choices = dict(field.choices)
            old, new = choices.get(old, old), choices.get(new, new)
        rows.append((str(field.verbose_name), _shown(old), _shown(new)))
    return rows
