"""core reaches the event permission helper through ``core.access``, which events fills at start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from core import access
from events import services as event_services
from tests.factories import EventFactory

pytestmark = pytest.mark.integration


@pytest.mark.django_db
def test_events_provides_its_helpers_when_django_starts():
    provided = access.event_access()
    event = EventFactory(slug="expo")
    assert (provided.find("expo"), provided.can, provided.require) == (
        event,
        event_services.can,
        event_services.require,
    )
    with pytest.raises(Http404):
        provided.find("no-such-event")


def test_without_a_provider_core_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(access, "_provided", None)
    with pytest.raises(ImproperlyConfigured, match="is the events app installed"):
        access.event_access()
