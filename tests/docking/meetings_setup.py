"""Shared set-up for the leads, meetings and deals tests: a docking fair with an organiser, a
ledger editor, a talent with a submitted project, an enterprise contact and fair tables."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from events.models import Role
from tests.factories import (
    EnterpriseProfileFactory,
    EntryFactory,
    EventFactory,
    EventRoleFactory,
    FairTableFactory,
    UserFactory,
)


@dataclass
class Fair:
    event: object
    organiser: object
    ledger_editor: object
    talent: object
    entry: object
    enterprise_user: object
    enterprise: object
    investor: object
    tables: list


def person(event, role, **kwargs):
    user = UserFactory(language="en", **kwargs)
    EventRoleFactory(event=event, user=user, role=role)
    return user


def project(event, owner=None):
    owner = owner or person(event, Role.ENTRANT)
    return EntryFactory(event=event, owner=owner, status="screened_in", submitted_at=timezone.now())


def make_fair(slug: str = "fair") -> Fair:
    event = EventFactory(slug=slug, kind="fair", is_published=True)
    talent = person(event, Role.ENTRANT, name_en=f"Talent {slug}")
    enterprise_user = person(event, Role.ENTERPRISE, name_en=f"Buyer {slug}")
    enterprise = EnterpriseProfileFactory()
    enterprise.contacts.add(enterprise_user)
    return Fair(
        event=event,
        organiser=person(event, Role.ORGANISER),
        ledger_editor=person(event, Role.LEDGER_EDITOR),
        talent=talent,
        entry=project(event, talent),
        enterprise_user=enterprise_user,
        enterprise=enterprise,
        investor=person(event, Role.ENTERPRISE, name_en=f"Investor {slug}"),
        tables=[FairTableFactory(event=event, label=f"A{i}") for i in (1, 2)],
    )


def at(hours: float, minutes: int = 0) -> dt.datetime:
    """A moment ``hours`` (plus ``minutes``) from tomorrow 09:00 UTC, always in the future."""
    base = dt.datetime.combine(timezone.now().date() + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    return base + dt.timedelta(hours=hours, minutes=minutes)
