"""Every dashboard table as XLSX: opened with openpyxl and checked cell by cell."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import TrackFactory

from .conftest import add_entry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def client(client, settings):
    """A client that reads the site in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def _rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_event_export_has_every_table_with_the_pages_figures(client, programme):
    client.force_login(programme.organiser)
    book = _workbook(client.get(reverse("insights:event_export", kwargs={"slug": programme.event.slug})))
    assert book.sheetnames == [
        "Funnel",
        "By track",
        "By country region (team lead)",
        "By year",
        "Deals",
        "Landing ledger",
        "Landed companies",
    ]
    assert _rows(book["Funnel"]) == [
        ("Stage", "Entries", "Share of registered"),
        ("Registered (submitted)", 9, "100.0 %"),
        ("Screened in", 6, "66.7 %"),
        ("Finalists", 3, "33.3 %"),
        ("Met in docking (meeting held)", 2, "22.2 %"),
        ("Signed a deal", 2, "22.2 %"),
        ("Landed", 3, "33.3 %"),
        ("In production (blue)", 1, "11.1 %"),
    ]
    one, two = programme.tracks
    tracks = _rows(book["By track"])
    assert tracks[0][0] == "Track"
    assert tracks[1:] == [
        (one.name_en, 4, 3, 1, 1, 1, 1, 0),
        (two.name_en, 4, 3, 2, 1, 1, 2, 1),
        ("No track", 1, 0, 0, 0, 0, 0, 0),
    ]
    assert _rows(book["By year"])[1:] == [("2026", 9, 6, 3, 2, 2, 3, 1)]
    assert _rows(book["Deals"]) == [
        ("Signed deals", "Signed amount (CNY)", "Letters of intent", "Cancelled"),
        (3, 1500000.5, 1, 1),
    ]
    assert _rows(book["Landing ledger"]) == [
        ("Red: not started", "Yellow: under construction", "Blue: in production", "Overdue checks"),
        (2, 1, 1, 2),
    ]
    companies = _rows(book["Landed companies"])
    assert len(companies) == 5
    assert [row[3] for row in companies[1:]] == [
        "Red: not started",
        "Red: not started",
        "Yellow: under construction",
        "Blue: in production",
    ]


def test_one_table_can_be_exported_alone(client, programme):
    client.force_login(programme.organiser)
    url = reverse("insights:programme_export")
    book = _workbook(client.get(url, {"table": "events"}))
    assert book.sheetnames == ["By event"]
    assert _rows(book["By event"])[1:] == [
        ("Haizhi Innovation Contest", 9, 6, 3, 2, 2, 3, 1),
    ]
    assert client.get(url, {"table": "nonsense"}).status_code == 404


def test_text_that_looks_like_a_formula_is_defused(client, programme):
    track = TrackFactory(event=programme.event, name_zh='=HYPERLINK("http://evil.example","x")', name_en="")
    add_entry(programme.event, status="submitted", track=track)
    client.force_login(programme.organiser)
    book = _workbook(
        client.get(reverse("insights:event_export", kwargs={"slug": programme.event.slug}), {"table": "tracks"})
    )
    labels = [row[0] for row in _rows(book.worksheets[0])[1:]]
    assert '\'=HYPERLINK("http://evil.example","x")' in labels
    assert not any(str(label).startswith("=") for label in labels)
