"""/api/v1/events/: published events only, list and detail."""

import datetime as dt

import pytest

from tests.factories import EventFactory, OrganisationFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def contest():
    return EventFactory(
        slug="haicheng-contest-2026",
        title_zh="海城创新大赛",
        title_en="Haicheng Innovation Contest",
        description_zh="大赛介绍",
        description_en="About the contest",
        location_zh="海城市",
        location_en="Haicheng",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 20),
        organiser_organisation=OrganisationFactory(name_zh="海城市科协", name_en="Haicheng Association"),
    )


def contest_json(title: str, organisation: str) -> dict:
    return {
        "slug": "haicheng-contest-2026",
        "kind": "contest",
        "title": title,
        "title_zh": "海城创新大赛",
        "title_en": "Haicheng Innovation Contest",
        "description_zh": "大赛介绍",
        "description_en": "About the contest",
        "location_zh": "海城市",
        "location_en": "Haicheng",
        "starts_on": "2026-09-01",
        "ends_on": "2026-12-20",
        "organiser_organisation": organisation,
        "url": "http://testserver/events/haicheng-contest-2026/",
    }


def test_list_shows_published_events_newest_first(client, contest):
    fair = EventFactory(
        slug="docking-fair", kind="fair", starts_on=dt.date(2026, 12, 10), ends_on=dt.date(2026, 12, 11)
    )
    EventFactory(slug="in-preparation", is_published=False, starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 6, 1))
    response = client.get("/api/v1/events/")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert [event["slug"] for event in body["results"]] == [fair.slug, contest.slug]
    assert body["results"][1] == contest_json("海城创新大赛", "海城市科协")


def test_list_speaks_the_requested_language(client, contest):
    response = client.get("/api/v1/events/", headers={"accept-language": "en"})
    assert response.json()["results"] == [contest_json("Haicheng Innovation Contest", "Haicheng Association")]


def test_detail_of_a_published_event(client, contest):
    response = client.get("/api/v1/events/haicheng-contest-2026/")
    assert response.status_code == 200
    assert response.json() == contest_json("海城创新大赛", "海城市科协")


def test_detail_of_an_unpublished_event_is_not_found(client):
    EventFactory(slug="in-preparation", is_published=False)
    response = client.get("/api/v1/events/in-preparation/")
    assert response.status_code == 404
    assert client.get("/api/v1/events/").json()["count"] == 0


def test_events_api_is_read_only(client, contest):
    response = client.post("/api/v1/events/", {"slug": "new-event"}, content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert client.delete("/api/v1/events/haicheng-contest-2026/").status_code == 405


def test_unknown_event_is_not_found(client):
    assert client.get("/api/v1/events/no-such-event/").status_code == 404


@pytest.mark.parametrize("events", [1, 3])
def test_list_query_count_does_not_grow_with_events(client, django_assert_num_queries, events):
    for number in range(events):
        EventFactory(organiser_organisation=OrganisationFactory(), slug=f"event-{number}")
    # One query counts the page, one reads it with its organisers.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/events/")
    assert response.json()["count"] == events
