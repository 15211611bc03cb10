"""The events part of 'My dashboard': one section per event the person has a role in."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Section, Task

from .models import Role
from .selectors import role_grants_of

ROLE_TASKS = {
    Role.ORGANISER: lambda e: [
        Task(_("Manage the event and its people"), reverse("events:manage", kwargs={"slug": e.slug})),
    ],
    Role.JUDGE: lambda e: [Task(_("You are a judge in this event"), e.get_absolute_url())],
    Role.ENTRANT: lambda e: [Task(_("You are registered as an entrant"), e.get_absolute_url())],
    Role.AUDIENCE: lambda e: [Task(_("You follow this event"), e.get_absolute_url())],
    Role.ENTERPRISE: lambda e: [Task(_("You take part as an enterprise or investor"), e.get_absolute_url())],
    Role.LEDGER_EDITOR: lambda e: [Task(_("You keep the landing ledger"), e.get_absolute_url())],
}


def sections(user) -> list[Section]:
    by_event: dict[int, Section] = {}
    for grant in role_grants_of(user):
        event = grant.event
        section = by_event.setdefault(event.pk, Section(title=event.title, event_title=event.title, order=10))
        section.tasks.extend(ROLE_TASKS[grant.role](event))
    return list(by_event.values())
