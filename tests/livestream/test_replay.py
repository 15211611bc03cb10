"""After a room ends: the replay page (recording, agenda, transcript) and the organisers' CSV export."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from livestream import services
from livestream.models import ChatMessage, Question
from tests.factories import AgendaSlotFactory, OrganisationFactory, RoadshowRoomFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _end(room, organiser):
    services.room_end(room=room, user=organiser)
    room.refresh_from_db()


def test_an_ended_room_shows_the_recording_agenda_and_transcript(client, room, organiser, viewer):
    room.recording = SimpleUploadedFile("talk.mp4", b"\x00\x00\x00\x18ftypmp42")
    room.save()
    slot = AgendaSlotFactory(room=room, entry__title_en="Solid-state battery")
    skipped = AgendaSlotFactory(room=room)
    services.pitch_start(room=room, user=organiser)
    services.chat_send(room=room, user=viewer, text="<b>bold</b> claim", client_id="1")
    services.chat_send(room=room, user=viewer, text="rude words", client_id="2")
    services.chat_hide(room=room, user=organiser, message_seq=3)
    asked = services.question_ask(room=room, user=viewer, text="How long do cells last?", client_id="q")
    services.question_upvote(room=room, user=organiser, question_id=asked["question"]["id"])
    hidden = services.question_ask(room=room, user=viewer, text="spam question", client_id="q2")
    services.question_hide(room=room, user=organiser, question_id=hidden["question"]["id"])
    _end(room, organiser)

    response = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.templates[0].name == "livestream/replay.html"
    assert f'<video controls playsinline preload="metadata" src="{room.recording_url}"' in html
    assert "Solid-state battery" in html and f'data-slot="{slot.pk}" data-state="done"' in html
    assert f'data-slot="{skipped.pk}" data-state="pending"' in html and "Did not pitch" in html
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in html and "<b>bold</b>" not in html
    assert "rude words" not in html and "spam question" not in html
    assert "How long do cells last?" in html and "▲ 1" in html
    assert "js/room.js" not in html  # a replay opens no websocket
    assert reverse("livestream:transcript_csv", args=[room.slug]) not in html  # the export is for organisers


def test_replay_without_a_recording_says_so(client, room, organiser):
    _end(room, organiser)
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "There is no recording of this room. The agenda and the transcript are below." in html
    assert "This room had no agenda." in html and "No messages were sent." in html


def test_replay_chat_comes_in_pages(client, room, organiser, viewer, settings, monkeypatch):
    from livestream import views

    monkeypatch.setattr(views, "TRANSCRIPT_PAGE_SIZE", 2)
    for n in range(5):
        services.chat_send(room=room, user=viewer, text=f"message {n}", client_id=str(n))
    _end(room, organiser)
    page_one = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page_three = client.get(room.get_absolute_url() + "?page=3", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "message 0" in page_one and "message 1" in page_one and "message 2" not in page_one
    assert "Page 1 of 3" in page_one
    assert "message 4" in page_three and "message 3" not in page_three


def test_replay_query_count_does_not_grow_with_the_transcript(client, organiser):
    def ended_room_with(count):
        room = RoadshowRoomFactory(event=organiser.event_roles.get().event)
        for person in UserFactory.create_batch(count, organisation=OrganisationFactory()):
            services.chat_send(room=room, user=person, text="hi", client_id="c")
            services.question_ask(room=room, user=person, text="why?", client_id="q")
        AgendaSlotFactory.create_batch(count, room=room)
        _end(room, organiser)
        return room

    small, large = ended_room_with(1), ended_room_with(4)
    client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as many:
        response = client.get(large.get_absolute_url())
    assert len(response.context["chat_page"]) == 4 and len(response.context["questions"]) == 4
    assert len(many) == len(few)


def test_organisers_export_the_whole_transcript_as_csv(client, room, organiser, viewer):
    viewer.organisation = OrganisationFactory(name_en="Blue Sea", name_zh="蓝海")
    viewer.save()
    services.chat_send(room=room, user=viewer, text='=HYPERLINK("http://x")', client_id="1")
    services.chat_send(room=room, user=viewer, text="hidden one", client_id="2")
    services.chat_hide(room=room, user=organiser, message_seq=2)
    asked = services.question_ask(room=room, user=viewer, text="Pilot plant, 第二期?", client_id="q")
    services.question_mark_answered(room=room, user=organiser, question_id=asked["question"]["id"])
    client.force_login(organiser)
    response = client.get(reverse("livestream:transcript_csv", args=[room.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="transcript-{room.slug}.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    local = {
        m.seq: timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M:%S")
        for m in [*ChatMessage.objects.all(), *Question.objects.all()]
    }
    assert rows == [
        ["Seq", "Time", "Kind", "Name", "Organisation", "Text", "Votes", "Answered", "Hidden"],
        ["1", local[1], "Chat message", "Vera Viewer", "Blue Sea", '\'=HYPERLINK("http://x")', "", "", "no"],
        ["2", local[2], "Chat message", "Vera Viewer", "Blue Sea", "hidden one", "", "", "yes"],
        ["4", local[4], "Question", "Vera Viewer", "Blue Sea", "Pilot plant, 第二期?", "0", "yes", "no"],
    ]
