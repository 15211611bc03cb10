"""Ledger editors keep the ledger only: no screening, judging or event management powers."""

import pytest

from events.models import Role
from events.services import can
from tests.factories import EventFactory

from .conftest import person

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_a_ledger_editor_edits_the_ledger_of_their_event_only(event, editor):
    other = EventFactory()
    assert [can(editor, action, event) for action in ("ledger.view", "ledger.edit")] == [True, True]
    assert [can(editor, action, other) for action in ("ledger.view", "ledger.edit")] == [False, False]
    for action in ("entry.view_all", "entry.screen", "judging.score", "judging.view_results", "event.manage"):
        assert can(editor, action, event) is False, action


@pytest.mark.parametrize("role", [Role.ENTRANT, Role.ENTERPRISE, Role.JUDGE, Role.AUDIENCE])
def test_no_other_role_reads_the_ledger(event, role):
    user = person(event, role)
    assert (can(user, "ledger.view", event), can(user, "ledger.edit", event)) == (False, False)
