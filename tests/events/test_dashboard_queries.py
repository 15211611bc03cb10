"""'My dashboard' reads the person's roles once per page (the navigation bar and the events section
share them), and its number of queries does not grow with the number of events and roles held."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services
from events.models import Role
from events.selectors import role_grants_of
from tests.factories import EventFactory, EventRoleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _dashboard_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def _role_reads(sql: list[str]) -> int:
    return sum(
        1
        for statement in sql
        if statement.lstrip().startswith("SELECT")
        and '"events_eventrole"."role"' in statement
        and 'INNER JOIN "events_event"' in statement
        and '"events_eventrole"."granted_at"' in statement
    )


def test_dashboard_reads_roles_once_and_its_queries_do_not_grow_with_roles(client):
    person = UserFactory()
    EventRoleFactory(user=person, role=Role.JUDGE)
    client.force_login(person)
    few = _dashboard_queries(client)

    for role in (Role.ENTRANT, Role.AUDIENCE, Role.JUDGE, Role.ORGANISER):
        EventRoleFactory(user=person, event=EventFactory(), role=role)
    many = _dashboard_queries(client)

    assert _role_reads(few) == _role_reads(many) == 1
    assert len(many) == len(few), "\n".join(many)


def test_role_change_is_seen_by_the_same_user_object():
    person, event = UserFactory(), EventFactory()
    assert role_grants_of(person) == []
    services.role_grant(event=event, user=person, role=Role.AUDIENCE, granted_by=None)
    assert [(grant.event, grant.role) for grant in role_grants_of(person)] == [(event, Role.AUDIENCE)]
