"""The event permission helper, as the apps below ``events`` reach it.

``core`` sits below ``events`` in the layers (docs/architecture.md) and never imports it, yet
its API helpers (``core.api``) answer "may this request see this event?" for every app's API.
So core declares what it needs here and ``events`` hands its helpers over in
``EventsConfig.ready()``: one permission helper, reached from below without an upward import.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class EventAccess:
    find: Callable[[str], Any]
    """The event with this slug; raises ``Http404`` when there is none."""
    can: Callable[[Any, str, Any], bool]
    """``can(user, action, event)``: may the user do the action in the event?"""
    require: Callable[[Any, str, Any], None]
    """``require(user, action, event)``: raises ``PermissionDenied`` unless ``can``."""


_provided: EventAccess | None = None


def provide_event_access(access: EventAccess) -> None:
    """Called once by ``events`` when the app registry is ready."""
    global _provided
    _provided = access


def event_access() -> EventAccess:
    if _provided is None:
        raise ImproperlyConfigured("No event access provided: is the events app installed?")
    return _provided
