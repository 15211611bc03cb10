"""Organisers' pages: opening and editing rooms (video source checks), setting the agenda."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Role
from livestream.models import AgendaSlot, RoadshowRoom, RoomEvent
from tests.factories import (
    AgendaSlotFactory,
    EntryFactory,
    EventFactory,
    EventRoleFactory,
    RoadshowRoomFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
WEBM_HEAD = b"\x1a\x45\xdf\xa3" + b"\x00" * 64
CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def organiser(event):
    user = UserFactory(language="en")
    EventRoleFactory(event=event, user=user, role=Role.ORGANISER)
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def _room_data(**overrides) -> dict:
    data = {
        "title_zh": "决赛云路演",
        "title_en": "Final roadshow",
        "slug": "final-roadshow",
        "visibility": "public",
        "scheduled_start": "2026-11-23T19:30",
        "hls_url": "",
        "embed_url": "",
    }
    data.update(overrides)
    return data


def _errors(response) -> dict:
    form = response.context["form"]
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


def test_organiser_opens_a_room(organiser_client, event):
    response = organiser_client.post(
        reverse("livestream:create", args=[event.slug]),
        _room_data(hls_url="https://video.example/live/stream.m3u8"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    room = RoadshowRoom.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("livestream:agenda", args=[room.slug])
    assert (room.event, room.slug, room.title_en, room.status) == (
        event,
        "final-roadshow",
        "Final roadshow",
        "scheduled",
    )
    assert room.scheduled_start == dt.datetime(2026, 11, 23, 19, 30, tzinfo=CHINA)
    assert room.hls_url == "https://video.example/live/stream.m3u8"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"hls_url": "https://video.example/live/stream.mp4"},
            "hls_url",
            "An HLS stream address ends in .m3u8 (the stream's playlist).",
        ),
        (
            {"embed_url": "https://evil.example/player?id=1"},
            "embed_url",
            "This video host is not on the organisers' approved list: "
            "player.bilibili.com, v.qq.com, www.youtube-nocookie.com.",
        ),
        (
            {"embed_url": "http://player.bilibili.com/player.html?bvid=1"},
            "embed_url",
            "This video host is not on the organisers' approved list: "
            "player.bilibili.com, v.qq.com, www.youtube-nocookie.com.",
        ),
        (
            {"hls_url": "https://video.example/a.m3u8", "embed_url": "https://player.bilibili.com/player.html?b=1"},
            "__all__",
            "Give either an HLS address or an embedded player address, not both.",
        ),
        ({"title_zh": "", "title_en": ""}, "__all__", "Give the room a title in Chinese, English or both."),
        ({"slug": "new"}, "slug", "This short name is reserved. Choose another one."),
        ({"hls_url": "javascript:alert(1)"}, "hls_url", "Enter a valid URL."),
    ],
)
def test_bad_room_input_gets_form_errors(organiser_client, event, overrides, field, message):
    response = organiser_client.post(
        reverse("livestream:create", args=[event.slug]), _room_data(**overrides), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert _errors(response)[field] == [message]
    assert RoadshowRoom.objects.count() == 0


def test_an_approved_embed_host_is_accepted(organiser_client, event):
    organiser_client.post(
        reverse("livestream:create", args=[event.slug]),
        _room_data(embed_url="https://player.bilibili.com/player.html?bvid=BV1"),
    )
    assert RoadshowRoom.objects.get().embed_url == "https://player.bilibili.com/player.html?bvid=BV1"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("talk.mp4", b"MZ\x90\x00 not a video at all", "Upload the recording as an MP4 or WebM video."),
        ("talk.webm", MP4_HEAD, "Upload the recording as an MP4 or WebM video."),
        ("talk.avi", MP4_HEAD, "Upload the recording as an MP4 or WebM video."),
        ("talk", MP4_HEAD, "Upload the recording as an MP4 or WebM video."),
        ("big.mp4", MP4_HEAD + b"\x00" * 2048, "The recording is too large: at most 0 MB."),
    ],
)
def test_recordings_are_checked_by_type_and_size(organiser_client, event, settings, name, content, message):
    settings.LIVESTREAM_RECORDING_MAX_BYTES = 1024
    upload = SimpleUploadedFile(name, content, content_type="video/mp4")
    response = organiser_client.post(
        reverse("livestream:create", args=[event.slug]),
        {**_room_data(), "recording": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert _errors(response) == {"recording": [message]}


@pytest.mark.parametrize(
    ("name", "content", "suffix"), [("talk.MP4", MP4_HEAD, ".mp4"), ("talk.webm", WEBM_HEAD, ".webm")]
)
def test_an_mp4_or_webm_recording_is_stored_under_a_random_name(organiser_client, event, name, content, suffix):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    organiser_client.post(reverse("livestream:create", args=[event.slug]), {**_room_data(), "recording": upload})
    stored = RoadshowRoom.objects.get().recording
    assert stored.name.startswith("recordings/") and stored.name.endswith(suffix)
    assert "talk" not in stored.name
    assert stored.read() == content


def test_editing_a_room_tells_everyone_in_it(organiser_client, event):
    room = RoadshowRoomFactory(event=event, slug="r1", title_en="Old", status="live")
    response = organiser_client.post(
        reverse("livestream:edit", args=[room.slug]),
        _room_data(slug="changed", title_en="New title", embed_url="https://v.qq.com/txp/iframe/player.html?vid=1"),
    )
    assert response.status_code == 302
    room.refresh_from_db()
    assert (room.slug, room.title_en, room.status) == ("r1", "New title", "live")  # the address never changes
    event_row = RoomEvent.objects.get()
    assert (event_row.seq, event_row.type) == (1, "room.updated")
    assert event_row.payload["room"]["title_en"] == "New title"
    assert event_row.payload["room"]["video"]["embed_url"] == "https://v.qq.com/txp/iframe/player.html?vid=1"


def test_a_recording_can_be_cleared(organiser_client, event):
    room = RoadshowRoomFactory(event=event, status="ended")
    room.recording = SimpleUploadedFile("talk.mp4", MP4_HEAD)
    room.save()
    organiser_client.post(reverse("livestream:edit", args=[room.slug]), {**_room_data(), "recording-clear": "on"})
    room.refresh_from_db()
    assert room.recording.name == ""


def test_only_the_events_organisers_open_and_edit_rooms(client, event):
    room = RoadshowRoomFactory(event=event)
    pages = [
        reverse("livestream:create", args=[event.slug]),
        reverse("livestream:edit", args=[room.slug]),
        reverse("livestream:agenda", args=[room.slug]),
        reverse("livestream:transcript_csv", args=[room.slug]),
    ]
    for page in pages:
        assert client.get(page).status_code == 302  # sign in first
    organiser_elsewhere = UserFactory()
    EventRoleFactory(user=organiser_elsewhere, role=Role.ORGANISER)
    judge = UserFactory()
    EventRoleFactory(event=event, user=judge, role=Role.JUDGE)
    for person in (UserFactory(), organiser_elsewhere, judge):
        client.force_login(person)
        assert [client.get(page).status_code for page in pages] == [403, 403, 403, 403]
        assert client.post(pages[0], _room_data()).status_code == 403
    assert RoadshowRoom.objects.count() == 1


def test_rooms_of_an_unpublished_event_do_not_exist_for_outsiders(client):
    hidden = EventFactory(is_published=False)
    client.force_login(UserFactory())
    assert client.get(reverse("livestream:create", args=[hidden.slug])).status_code == 404


def test_event_page_shows_organisers_the_room_links(organiser_client, event, client):
    room = RoadshowRoomFactory(event=event, slug="r1")
    html = organiser_client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for url in (
        reverse("livestream:create", args=[event.slug]),
        reverse("livestream:console", args=[room.slug]),
        reverse("livestream:agenda", args=[room.slug]),
        reverse("livestream:edit", args=[room.slug]),
    ):
        assert f'href="{url}"' in html
    client.logout()
    public_html = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("livestream:create", args=[event.slug]) not in public_html
    assert reverse("livestream:edit", args=[room.slug]) not in public_html


# --- the agenda page ------------------------------------------------------------------------------


def _finalist(event, **kwargs):
    return EntryFactory(event=event, status="finalist", submitted_at=timezone.now(), **kwargs)


def _agenda_post(rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        "agenda-TOTAL_FORMS": str(len(rows)),
        "agenda-INITIAL_FORMS": str(initial),
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "60",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"agenda-{index}-{key}"] = value
    return data


def test_organiser_sets_the_agenda_on_its_page(organiser_client, event):
    room = RoadshowRoomFactory(event=event)
    first, second = _finalist(event, title_en="Battery"), _finalist(event, title_en="Robot")
    url = reverse("livestream:agenda", args=[room.slug])
    page = organiser_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<option value="{first.pk}">Battery · {first.reference} · Finalist</option>' in page
    response = organiser_client.post(
        url,
        _agenda_post(
            [
                {"entry": first.pk, "duration_minutes": "10", "planned_start": "", "ORDER": "2"},
                {"entry": second.pk, "duration_minutes": "6", "planned_start": "2026-11-23T19:00", "ORDER": "1"},
                {"entry": "", "duration_minutes": "8", "planned_start": "", "ORDER": ""},
            ]
        ),
    )
    assert response.status_code == 302
    slots = list(AgendaSlot.objects.filter(room=room).order_by("position"))
    assert [(s.entry_id, s.duration_minutes, s.planned_start) for s in slots] == [
        (second.pk, 6, dt.datetime(2026, 11, 23, 19, 0, tzinfo=CHINA)),
        (first.pk, 10, None),
    ]
    assert RoomEvent.objects.get().type == "agenda.updated"


def test_agenda_page_errors(organiser_client, event, organiser):
    room = RoadshowRoomFactory(event=event)
    entry = _finalist(event)
    slot = AgendaSlotFactory(room=room, entry=entry)
    from livestream import services

    services.pitch_start(room=room, user=organiser)
    url = reverse("livestream:agenda", args=[room.slug])
    removed = organiser_client.post(
        url,
        _agenda_post([{"entry": entry.pk, "duration_minutes": "8", "ORDER": "1", "DELETE": "on"}], initial=1),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert removed.status_code == 200
    assert removed.context["agenda_error"] == "A pitch that has started cannot be taken off the agenda."
    assert '<div class="alert alert-danger" role="alert" id="agenda-error">' in removed.content.decode()
    too_long = organiser_client.post(
        url, _agenda_post([{"entry": entry.pk, "duration_minutes": "121", "ORDER": "1"}]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert too_long.context["formset"].errors[0] == {
        "duration_minutes": ["Ensure this value is less than or equal to 120."]
    }
    no_minutes = organiser_client.post(
        url, _agenda_post([{"entry": entry.pk, "duration_minutes": "", "ORDER": "1"}]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert no_minutes.context["formset"].errors[0] == {"duration_minutes": ["How many minutes does this pitch take?"]}
    stranger = EntryFactory(status="finalist", submitted_at=timezone.now())
    foreign = organiser_client.post(
        url, _agenda_post([{"entry": stranger.pk, "duration_minutes": "8", "ORDER": "1"}]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert foreign.context["formset"].errors[0]["entry"] == [
        f"Select a valid choice. {stranger.pk} is not one of the available choices."
    ]
    assert list(AgendaSlot.objects.values_list("pk", "state")) == [(slot.pk, "presenting")]


def test_agenda_page_query_count_does_not_grow_with_entries_and_slots(organiser_client, event):
    room = RoadshowRoomFactory(event=event)
    url = reverse("livestream:agenda", args=[room.slug])
    AgendaSlotFactory(room=room)
    organiser_client.get(url)
    with CaptureQueriesContext(connection) as few:
        organiser_client.get(url)
    AgendaSlotFactory.create_batch(3, room=room)
    for _ in range(3):
        _finalist(event)
    with CaptureQueriesContext(connection) as many:
        response = organiser_client.get(url)
    assert response.context["formset"].total_form_count() == 4 + 3
    assert len(many) == len(few)
