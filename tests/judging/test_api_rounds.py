"""GET /api/v1/events/<slug>/rounds/: an event's judging rounds with the ids other endpoints take."""

import datetime as dt

import pytest
import yaml
from django.utils.timezone import localtime

from events.models import Role
from tests.factories import EventFactory, EventRoleFactory, RoundFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

NOW = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(event) -> str:
    return f"/api/v1/events/{event.slug}/rounds/"


def at(days: int) -> dt.datetime:
    return NOW + dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def _now(clock):
    clock.freeze(NOW)


def make_rounds(event) -> list:
    """One round in each state, created out of order: the list is by number."""
    advanced = RoundFactory(
        event=event, number=1, name_en="Online review", opens_at=at(-30), closes_at=at(-20), closed_at=at(-20)
    )
    advanced.advancement_confirmed_at = at(-19)
    advanced.results_released_at = at(-18)
    advanced.save()
    later = RoundFactory(event=event, number=4, name_en="Final", opens_at=at(10), closes_at=at(11))
    closed = RoundFactory(event=event, number=2, name_en="Semi-final", opens_at=at(-10), closes_at=at(-1))
    running = RoundFactory(event=event, number=3, name_en="Roadshow", opens_at=at(-1), closes_at=at(1))
    return [advanced, closed, running, later]


def test_organisers_get_the_rounds_by_number_with_their_ids(client, event, organiser):
    rounds = make_rounds(event)
    RoundFactory(number=1)  # another event's
    client.force_login(organiser)
    response = client.get(url(event), **EN)
    assert response.status_code == 200
    assert response.json() == {
        "count": 4,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": round_.pk,
                "number": round_.number,
                "name": round_.name_en,
                "status": status,
                "opens_at": localtime(round_.opens_at).isoformat(),
                "closes_at": localtime(round_.closes_at).isoformat(),
                "results_released": released,
            }
            for round_, status, released in zip(
                rounds, ["advanced", "closed", "open", "not_open"], [True, False, False, False], strict=True
            )
        ],
    }


def test_a_round_closed_early_by_the_organiser_is_closed(client, event, organiser):
    RoundFactory(event=event, opens_at=at(-1), closes_at=at(1), closed_at=at(0))
    client.force_login(organiser)
    assert [r["status"] for r in client.get(url(event)).json()["results"]] == ["closed"]


def test_judges_may_list_the_rounds(client, event, judges):
    make_rounds(event)
    client.force_login(judges[0])
    assert [r["number"] for r in client.get(url(event)).json()["results"]] == [1, 2, 3, 4]


@pytest.mark.parametrize("role", [Role.ENTRANT, Role.AUDIENCE, Role.ENTERPRISE])
def test_other_roles_are_refused(client, event, role):
    make_rounds(event)
    person = UserFactory()
    EventRoleFactory(event=event, user=person, role=role)
    client.force_login(person)
    assert client.get(url(event)).status_code == 403


def test_anonymous_requests_are_asked_to_sign_in(client, event):
    response = client.get(url(event), **EN)
    assert (response.status_code, response.json()) == (403, {"detail": "Authentication credentials were not provided."})


def test_an_event_the_requester_may_not_see_does_not_exist(client, event, judges):
    hidden = EventFactory(is_published=False)
    RoundFactory(event=hidden)
    EventRoleFactory(event=event, user=judges[0], role=Role.ORGANISER)  # an organiser elsewhere
    client.force_login(judges[0])
    assert client.get(url(hidden)).status_code == 404
    assert client.get("/api/v1/events/no-such-event/rounds/").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_query_count(client, event, organiser, count, django_assert_num_queries):
    for number in range(1, count + 1):
        RoundFactory(event=event, number=number)
    client.force_login(organiser)
    client.get(url(event))
    with django_assert_num_queries(6):
        response = client.get(url(event))
    assert response.json()["count"] == count


def test_schema_describes_the_round_list(client):
    spec = yaml.safe_load(client.get("/api/schema/").content)
    operation = spec["paths"]["/api/v1/events/{slug}/rounds/"]["get"]
    assert (operation["tags"], [p["name"] for p in operation["parameters"]]) == (["judging"], ["page", "slug"])
    item = spec["components"]["schemas"]["RoundListItem"]
    assert list(item["properties"]) == ["id", "number", "name", "status", "opens_at", "closes_at", "results_released"]
    (status,) = item["properties"]["status"]["allOf"]
    enum = spec["components"]["schemas"][status["$ref"].removeprefix("#/components/schemas/")]
    assert enum["enum"] == ["not_open", "open", "closed", "advanced"]
