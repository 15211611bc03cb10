"""The registration demo: varied, idempotent, and quick to scale."""

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from core.demo import SEEDERS, seed_demo
from registration import demo
from registration.models import Attachment, Entry, Status, StatusChange, TeamMember, Track

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_the_demo_seeds_tracks_and_varied_entries_once():
    assert "registration.demo.seed" in SEEDERS
    ctx = seed_demo(scale=1)
    event = ctx.events[demo.CONTEST]

    assert list(Track.objects.filter(event=event).values_list("name_zh", "name_en")) == [
        ("生物医药", "Biomedicine"),
        ("新一代信息技术", "Next-generation IT"),
        ("高端装备", "Advanced equipment"),
        ("新材料", "New materials"),
        ("新能源", "New energy"),
    ]
    entries = Entry.objects.filter(event=event)
    assert entries.count() == 40
    assert set(entries.values_list("status", flat=True)) == set(Status.values)
    assert entries.filter(title_zh="").exists() and entries.filter(title_en="").exists()
    countries = set(TeamMember.objects.filter(entry__event=event, is_lead=True).values_list("country", flat=True))
    assert len(countries) >= 5
    # Every entry has a lead and a history that ends in its status.
    assert TeamMember.objects.filter(entry__event=event, is_lead=True).count() == 40
    for entry in entries:
        assert entry.status_changes.order_by("changed_at", "id").last().to_status == entry.status

    decks = Attachment.objects.filter(entry__event=event, kind="deck")
    logos = Attachment.objects.filter(entry__event=event, kind="logo")
    assert decks.count() == logos.count() >= 20
    deck = decks.first()
    assert len(PdfReader(io.BytesIO(Path(deck.file.path).read_bytes())).pages) == 6
    with Image.open(logos.first().thumbnail.path) as thumb:
        assert max(thumb.size) <= 320

    again = seed_demo(scale=1)
    assert "entries" not in again.created
    assert entries.count() == 40
    assert StatusChange.objects.filter(entry__event=event).count() == sum(
        len(demo.PATHS[e.status]) if e.submitted_at or e.status == Status.DRAFT else 2 for e in entries
    )


def test_volume_entries_are_bulk_created_up_to_the_target():
    ctx = seed_demo(scale=1)
    event = ctx.events[demo.CONTEST]
    added = demo.seed_volume(
        event=event,
        tracks=list(event.tracks.all()),
        questions=list(event.questions.order_by("position")),
        owners=ctx.users["talents"],
        organiser=ctx.users["organiser"],
        target=400,
    )
    assert added == 360
    assert Entry.objects.filter(event=event).count() == 400
    assert (
        Attachment.objects.filter(entry__event=event).count()
        == Attachment.objects.filter(
            entry__event=event, entry__pk__lte=Entry.objects.filter(event=event).order_by("pk")[39].pk
        ).count()
    )
    assert (
        demo.seed_volume(
            event=event,
            tracks=list(event.tracks.all()),
            questions=[],
            owners=ctx.users["talents"],
            organiser=ctx.users["organiser"],
            target=400,
        )
        == 0
    )
