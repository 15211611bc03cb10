"""Fixtures for ledger tests: an event with an organiser and a ledger editor, and a company."""

import datetime as dt

import pytest

from events.models import Role
from tests.factories import EventFactory, EventRoleFactory, LandedCompanyFactory, UserFactory


def person(event, role, **kwargs):
    user = UserFactory(**kwargs)
    EventRoleFactory(event=event, user=user, role=role)
    return user


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def organiser(event):
    return person(event, Role.ORGANISER, language="en")


@pytest.fixture
def editor(event):
    return person(event, Role.LEDGER_EDITOR, language="zh-hans")


@pytest.fixture
def company(event, editor):
    return LandedCompanyFactory(
        entry__event=event, event=event, responsible=editor, incorporated_on=dt.date(2026, 10, 8)
    )
