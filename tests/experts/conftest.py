"""Fixtures for the expert pool: an event with field tracks, its organiser, entries and experts."""

import pytest

from core.fields import TechField
from experts import services
from tests.factories import OrganisationFactory, TrackFactory, UserFactory
from tests.judging import conftest as judging_fixtures
from tests.judging.conftest import make_entry

# The judging tests' fixtures, shared: messages in English, a published event and its organiser.
_english = judging_fixtures._english
event = judging_fixtures.event
organiser = judging_fixtures.organiser


@pytest.fixture
def tracks(event):
    return [
        TrackFactory(event=event, name_en="New materials", field=TechField.NEW_MATERIALS, position=1),
        TrackFactory(event=event, name_en="Biomedicine", field=TechField.BIOMEDICINE, position=2),
    ]


def make_expert(*, fields=(TechField.BIOMEDICINE,), languages=("en",), language="en", organisation=None, **kw):
    user = UserFactory(language=language, organisation=organisation or OrganisationFactory(), **kw)
    services.expert_profile_set(user=user, changed_by=user, fields=fields, languages=languages, bio="Twenty years.")
    return user


@pytest.fixture
def entry(event, tracks):
    return make_entry(event, tracks[1], member_organisation="Charité Berlin")


@pytest.fixture
def client(client):
    """Pages in English, as the messages are asserted."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
