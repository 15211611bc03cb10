"""Rooms API: lists and detail honour who may watch; the transcript is for organisers; query counts."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from events.models import Role
from livestream import services
from tests.factories import (
    AgendaSlotFactory,
    EventFactory,
    EventRoleFactory,
    RoadshowRoomFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def _slugs(response) -> list[str]:
    return [room["slug"] for room in response.json()["results"]]


def test_room_list_shows_each_person_the_rooms_they_may_watch(api):
    published = EventFactory(starts_on="2026-09-01")
    hidden = EventFactory(is_published=False, starts_on="2026-10-01")
    RoadshowRoomFactory(event=published, slug="public-room")
    RoadshowRoomFactory(event=published, slug="members-room", visibility="registered")
    RoadshowRoomFactory(event=hidden, slug="hidden-room")
    assert _slugs(api.get("/api/v1/rooms/")) == ["public-room"]
    api.force_authenticate(UserFactory())
    assert sorted(_slugs(api.get("/api/v1/rooms/"))) == ["members-room", "public-room"]
    insider = UserFactory()
    EventRoleFactory(event=hidden, user=insider, role=Role.JUDGE)
    api.force_authenticate(insider)
    assert _slugs(api.get("/api/v1/rooms/")) == ["hidden-room", "members-room", "public-room"]


def test_event_room_list(api):
    event = EventFactory()
    RoadshowRoomFactory(event=event, slug="b-ended", status="ended")
    RoadshowRoomFactory(event=event, slug="a-live", status="live")
    RoadshowRoomFactory(slug="elsewhere")
    assert _slugs(api.get(f"/api/v1/events/{event.slug}/rooms/")) == ["a-live", "b-ended"]
    assert api.get("/api/v1/events/no-such-event/rooms/").status_code == 404
    assert api.get(f"/api/v1/events/{EventFactory(is_published=False).slug}/rooms/").status_code == 404


def test_room_detail_has_the_room_and_its_agenda(api, room, organiser):
    slot = AgendaSlotFactory(
        room=room, entry__title_en="Battery", entry__title_zh="电池", entry__track__name_en="Energy"
    )
    services.pitch_start(room=room, user=organiser)
    slot.refresh_from_db()
    data = api.get(f"/api/v1/rooms/{room.slug}/").json()
    assert {key: data[key] for key in ("slug", "event", "status", "visibility", "socket_path")} == {
        "slug": room.slug,
        "event": room.event.slug,
        "status": "live",
        "visibility": "public",
        "socket_path": f"/ws/rooms/{room.slug}/",
    }
    assert data["url"] == f"http://testserver/rooms/{room.slug}/"
    assert data["video"] == {"hls_url": "", "embed_url": "", "recording_url": ""}
    assert data["judging_round"] is None
    [agenda_slot] = data["agenda"]
    assert agenda_slot["entry"] == {
        "id": slot.entry_id,
        "title": "Battery",
        "title_zh": "电池",
        "title_en": "Battery",
        "track": "Energy",
    }
    assert (agenda_slot["state"], agenda_slot["duration_minutes"], agenda_slot["extended_seconds"]) == (
        "presenting",
        8,
        0,
    )
    assert agenda_slot["ends_at"] is not None
    assert api.get(f"/api/v1/rooms/{room.slug}/agenda/").json() == data["agenda"]


def test_room_detail_refusals(api):
    members = RoadshowRoomFactory(visibility="registered")
    hidden = RoadshowRoomFactory(event=EventFactory(is_published=False))
    assert api.get(f"/api/v1/rooms/{members.slug}/").status_code == 403  # session auth: not signed in
    assert api.get(f"/api/v1/rooms/{members.slug}/agenda/").status_code == 403
    assert api.get(f"/api/v1/rooms/{hidden.slug}/").status_code == 404
    assert api.get("/api/v1/rooms/no-such-room/").status_code == 404
    api.force_authenticate(UserFactory())
    assert api.get(f"/api/v1/rooms/{members.slug}/").status_code == 200


def test_transcript_is_for_organisers_and_comes_in_pages(api, room, organiser, viewer, monkeypatch):
    from livestream import api as rooms_api

    monkeypatch.setattr(rooms_api, "TRANSCRIPT_PAGE", 2)
    services.chat_send(room=room, user=viewer, text="first", client_id="1")
    services.question_ask(room=room, user=viewer, text="a question", client_id="q")
    services.chat_send(room=room, user=viewer, text="hidden", client_id="2")
    services.chat_hide(room=room, user=organiser, message_seq=3)
    url = f"/api/v1/rooms/{room.slug}/transcript/"
    api.force_authenticate(viewer)
    refused = api.get(url)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only the event's organisers may read the transcript."}
    api.force_authenticate(organiser)
    first = api.get(url).json()
    assert [(e["seq"], e["kind"], e["text"], e["votes"], e["hidden"]) for e in first["results"]] == [
        (1, "chat", "first", None, False),
        (2, "question", "a question", 0, False),
    ]
    assert first["results"][0]["user"] == {
        "id": viewer.pk,
        "name_zh": "观众",
        "name_en": "Vera Viewer",
        "organisation_zh": "",
        "organisation_en": "",
    }
    assert first["next_after"] == 2
    second = api.get(url, {"after": 2}).json()
    assert [(e["seq"], e["hidden"]) for e in second["results"]] == [(3, True)]
    assert second["next_after"] is None
    bad = api.get(url, {"after": "-1"})
    assert bad.status_code == 400 and bad.json() == {"after": "Give a seq: a whole number, 0 or more."}


@pytest.mark.parametrize("signed_in", [False, True])
def test_room_lists_query_count_does_not_grow(api, signed_in):
    if signed_in:
        api.force_authenticate(UserFactory())
    event = EventFactory()
    RoadshowRoomFactory(event=event)
    api.get("/api/v1/rooms/")
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/rooms/")
        api.get(f"/api/v1/events/{event.slug}/rooms/")
    RoadshowRoomFactory.create_batch(
        2, event=event, judging_round=RoundFactory(event=event, live=True, name_en="Final", number=3)
    )
    if not signed_in:  # anonymous visitors cost no role look-up, however many events
        RoadshowRoomFactory.create_batch(3)
    with CaptureQueriesContext(connection) as many:
        everything = api.get("/api/v1/rooms/")
        of_event = api.get(f"/api/v1/events/{event.slug}/rooms/")
    assert (everything.json()["count"], of_event.json()["count"]) == (3 if signed_in else 6, 3)
    assert sorted(str(room["judging_round"]) for room in of_event.json()["results"]) == [
        "None",
        "{'number': 3, 'name': 'Final'}",
        "{'number': 3, 'name': 'Final'}",
    ]
    assert len(many) == len(one)


def test_agenda_and_transcript_query_counts_do_not_grow(api, room, organiser):
    api.force_authenticate(organiser)
    AgendaSlotFactory(room=room)
    services.chat_send(room=room, user=organiser, text="hi", client_id="0")
    urls = [
        f"/api/v1/rooms/{room.slug}/",
        f"/api/v1/rooms/{room.slug}/agenda/",
        f"/api/v1/rooms/{room.slug}/transcript/",
    ]
    for url in urls:
        api.get(url)
    with CaptureQueriesContext(connection) as few:
        for url in urls:
            api.get(url)
    AgendaSlotFactory.create_batch(3, room=room)
    for person in UserFactory.create_batch(3):
        services.chat_send(room=room, user=person, text="hi", client_id="c")
        services.question_ask(room=room, user=person, text="why?", client_id="q")
    with CaptureQueriesContext(connection) as many:
        responses = [api.get(url).json() for url in urls]
    assert (len(responses[0]["agenda"]), len(responses[1]), len(responses[2]["results"])) == (4, 4, 7)
    assert len(many) == len(few)


def test_rooms_endpoints_are_in_the_openapi_schema(client):
    spec = yaml.safe_load(client.get("/api/schema/").content)
    for path in (
        "/api/v1/rooms/",
        "/api/v1/rooms/{slug}/",
        "/api/v1/rooms/{slug}/agenda/",
        "/api/v1/rooms/{slug}/transcript/",
        "/api/v1/events/{slug}/rooms/",
    ):
        assert set(spec["paths"][path]) == {"get"}
        assert spec["paths"][path]["get"]["tags"] == ["rooms"]
    schemas = spec["components"]["schemas"]
    assert schemas["RoomStatusEnum"]["enum"] == ["scheduled", "live", "ended"]
    assert list(schemas["RoomDetail"]["properties"])[-1] == "agenda"
    assert list(schemas["TranscriptPage"]["properties"]) == ["results", "next_after"]
