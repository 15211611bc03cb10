import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Role
from livestream.models import RoadshowRoom
from tests.factories import EventFactory, EventRoleFactory, RoadshowRoomFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="room-config" type="application/json">') + len(
        '<script id="room-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_room_page_renders_for_anyone_on_a_public_room(client):
    room = RoadshowRoomFactory(title_en="Final pitches", title_zh="决赛路演", hls_url="https://video.example/live.m3u8")
    response = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h3 mb-0 me-2" id="room-title">Final pitches</h1>' in html
    assert 'data-src="https://video.example/live.m3u8"' in html
    assert "vendor/hls.js-1.7.4/hls.min.js" in html
    assert _config(response)["socket_path"] == f"/ws/rooms/{room.slug}/"
    assert _config(response)["console"] is False
    assert 'id="room-console"' not in html


def test_room_page_title_is_escaped(client):
    room = RoadshowRoomFactory(title_en="<img src=x onerror=alert(1)>")
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_registered_only_room_sends_anonymous_visitors_to_sign_in(client):
    room = RoadshowRoomFactory(visibility=RoadshowRoom.Visibility.REGISTERED)
    response = client.get(room.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={room.get_absolute_url()}"
    client.force_login(UserFactory())
    assert client.get(room.get_absolute_url()).status_code == 200


def test_room_of_an_unpublished_event_does_not_exist_for_outsiders(client):
    room = RoadshowRoomFactory(event=EventFactory(is_published=False))
    assert client.get(room.get_absolute_url()).status_code == 404
    assert client.get("/rooms/no-such-room/").status_code == 404


def test_console_is_for_the_events_organisers_only(client):
    room = RoadshowRoomFactory()
    console = reverse("livestream:console", kwargs={"slug": room.slug})
    assert client.get(console).status_code == 302
    client.force_login(UserFactory())
    assert client.get(console).status_code == 403
    organiser_elsewhere = UserFactory()
    EventRoleFactory(role=Role.ORGANISER, user=organiser_elsewhere)
    client.force_login(organiser_elsewhere)
    assert client.get(console).status_code == 403
    organiser = UserFactory()
    EventRoleFactory(event=room.event, user=organiser, role=Role.ORGANISER)
    client.force_login(organiser)
    response = client.get(console)
    assert response.status_code == 200
    assert 'id="room-console"' in response.content.decode()
    assert _config(response)["console"] is True


def test_event_page_lists_its_rooms_live_first(client):
    event = EventFactory()
    RoadshowRoomFactory(event=event, title_en="Ended room", status="ended", slug="r-ended")
    RoadshowRoomFactory(event=event, title_en="Live room", status="live", slug="r-live")
    RoadshowRoomFactory(event=event, title_en="Members room", visibility="registered", slug="r-members")
    RoadshowRoomFactory(title_en="Other event's room")
    response = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert html.index("Live room") < html.index("Ended room")
    assert "Members room" not in html  # registered-only rooms are listed to signed-in people
    assert "Other event&#x27;s room" not in html and "Other event's room" not in html
    client.force_login(UserFactory())
    assert "Members room" in client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_event_page_room_list_query_count_does_not_grow(client):
    event = EventFactory()
    RoadshowRoomFactory(event=event)
    client.get(event.get_absolute_url())  # warm-up: sessions, content types
    with CaptureQueriesContext(connection) as one_room:
        client.get(event.get_absolute_url())
    RoadshowRoomFactory.create_batch(3, event=event)
    with CaptureQueriesContext(connection) as four_rooms:
        response = client.get(event.get_absolute_url())
    assert len(four_rooms) == len(one_room)
    assert response.content.decode().count('<a class="fw-semibold" href="/rooms/') == 4


def test_admin_lists_agenda_slots_and_interest_read_only(client):
    from tests.factories import RoomInterestFactory

    interest = RoomInterestFactory(entry__title_zh="固态电池", entry__title_en="Battery")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    slots = client.get(reverse("admin:livestream_agendaslot_changelist"))
    leads = client.get(reverse("admin:livestream_roominterest_changelist"))
    assert (slots.status_code, leads.status_code) == (200, 200)
    assert "固态电池" in leads.content.decode()  # the admin speaks the default language, Chinese
    assert client.get(reverse("admin:livestream_agendaslot_add")).status_code == 403
    assert client.get(reverse("admin:livestream_roominterest_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:livestream_agendaslot_change", args=[interest.slot_id]), {"duration_minutes": 99}
        ).status_code
        == 403
    )
