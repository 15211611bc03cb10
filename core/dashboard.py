"""'My dashboard' sections: each app contributes what a person has to do there.

An app lists a provider in ``DASHBOARD_PROVIDERS``; a provider takes the user and
returns a list of ``Section``. The dashboard view only renders what they return.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string


@dataclass
class Task:
    label: str
    url: str = ""
    note: str = ""


@dataclass
class Section:
    title: str
    event_title: str = ""
    tasks: list[Task] = field(default_factory=list)
    empty_text: str = ""
    order: int = 100


DASHBOARD_PROVIDERS = [
    "events.dashboard.sections",
    "registration.dashboard.sections",
    "notifications.dashboard.sections",
    "judging.dashboard.sections",
    "docking.dashboard.sections",
    "landing.dashboard.sections",
]


def dashboard_sections(user) -> list[Section]:
    sections: list[Section] = []
    for path in DASHBOARD_PROVIDERS:
        provider: Callable = import_string(path)
        sections.extend(provider(user))
    return sorted(sections, key=lambda s: (s.order, s.event_title))
