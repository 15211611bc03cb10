"""What every API view of the site does the same way: find the event the requester may see, ask
the permission helper, and answer a service's ``ValidationError`` as a 400 with its messages.

The event and the permission helper belong to ``events``, above core; they are reached through
``core.access``, which ``events`` fills when it starts.

- an event the requester may not see does not exist for them (404);
- an action they may not take is a 401/403: anonymous requests are told to sign in, signed-in
  ones get the permission helper's message;
- a broken rule answers ``{"errors": {field: [messages]}}`` in the request's language, messages
  without a field under ``non_field_errors``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response

from .access import event_access

ERRORS = inline_serializer(
    "ApiErrors",
    {
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Messages by field, in the request's language; ``non_field_errors`` for the rest.",
        )
    },
)


def visible_event(request, slug: str) -> Model:
    """The event, or 404 when it does not exist or the requester may not see it."""
    return check_visible(request, event_access().find(slug))


def check_visible(request, event: Model) -> Model:
    """404 unless the requester may see ``event`` (reached through one of its objects)."""
    if not event_access().can(request.user, "event.view", event):
        raise Http404
    return event


def require_api(request, action: str, event: Model) -> None:
    """``events.services.require`` for API views: 401/403 instead of Django's ``PermissionDenied``."""
    try:
        event_access().require(request.user, action, event)
    except PermissionDenied as exc:
        raise denied(request, exc) from None


def denied(request, exc: PermissionDenied | None = None):
    """The exception to raise when the requester may not act: ask anonymous requests to sign in."""
    if not request.user.is_authenticated:
        return NotAuthenticated()
    return ApiPermissionDenied(str(exc) if exc and str(exc) else None)


def error_response(exc: ValidationError) -> Response:
    """A service's ``ValidationError`` as a 400."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def invalid_response(errors: dict) -> Response:
    """A serializer's errors (the input could not be read) as a 400."""
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
