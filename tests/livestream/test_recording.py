"""Recordings live in private storage and are served by a permission-checked view that players can seek in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from livestream import services
from livestream.models import RoadshowRoom
from tests.factories import EventRoleFactory, RoadshowRoomFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4  # 1,036 bytes


def _room_with_recording(**kwargs) -> RoadshowRoom:
    room = RoadshowRoomFactory(status="ended", **kwargs)
    room.recording = SimpleUploadedFile("talk.mp4", VIDEO)
    room.save()
    return room


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_recording_is_not_under_the_public_media_folder(settings):
    room = _room_with_recording()
    assert not room.recording.path.startswith(str(settings.MEDIA_ROOT))
    assert room.recording_url == reverse("livestream:recording", args=[room.slug])


def test_a_public_rooms_recording_is_served_whole_to_anyone(client):
    room = _room_with_recording()
    response = client.get(room.recording_url)
    assert response.status_code == 200
    assert (response["Content-Type"], response["Accept-Ranges"]) == ("video/mp4", "bytes")
    assert _body(response) == VIDEO


def test_a_registered_only_rooms_recording_needs_sign_in(client):
    room = _room_with_recording(visibility=RoadshowRoom.Visibility.REGISTERED)
    response = client.get(room.recording_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    client.force_login(UserFactory())
    assert _body(client.get(room.recording_url)) == VIDEO


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-3", 0, 3), ("bytes=1000-", 1000, 1035), ("bytes=-10", 1026, 1035), ("bytes=1030-99999", 1030, 1035)],
)
def test_a_player_can_ask_for_a_byte_range(client, header, first, last):
    room = _room_with_recording()
    response = client.get(room.recording_url, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(VIDEO)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert _body(response) == VIDEO[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=5000-", "bytes=9-3", "bytes=-0", "items=0-3"])
def test_an_unsatisfiable_range_is_refused_with_416(client, header):
    room = _room_with_recording()
    response = client.get(room.recording_url, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(VIDEO)}"


def test_a_room_without_a_recording_has_no_recording_address(client):
    room = RoadshowRoomFactory(status="ended")
    assert room.recording_url == ""
    assert client.get(reverse("livestream:recording", args=[room.slug])).status_code == 404


def test_replacing_a_recording_deletes_the_old_file_after_commit(django_capture_on_commit_callbacks):
    room = _room_with_recording()
    organiser = EventRoleFactory(event=room.event, role="organiser").user
    old_name = room.recording.name
    storage = room.recording.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.room_update(room=room, user=organiser, recording=SimpleUploadedFile("new.webm", b"\x1a\x45\xdf\xa3"))
    room.refresh_from_db()
    assert room.recording.name.endswith(".webm")
    assert (storage.exists(old_name), storage.exists(room.recording.name)) == (False, True)

    with django_capture_on_commit_callbacks(execute=True):
        services.room_update(room=room, user=organiser, recording="")
    room.refresh_from_db()
    assert room.recording.name == ""
    assert not storage.listdir("recordings")[1]
