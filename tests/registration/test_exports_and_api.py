"""Exports of entries (XLSX, CSV, built by a task with progress) and the registration API."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from events.models import Role
from registration import exports, services
from registration.models import ExportJob, Status
from tests.factories import (
    EntryFactory,
    EventFactory,
    EventRoleFactory,
    QuestionFactory,
    TeamMemberFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CHOICES = [{"value": "cn", "zh": "中国", "en": "China"}, {"value": "eu", "zh": "欧洲", "en": "Europe"}]


@pytest.fixture
def english_organiser(event):
    user = UserFactory(email="boss@example.org", language="en")
    EventRoleFactory(event=event, user=user, role=Role.ORGANISER)
    return user


@pytest.fixture
def exported_entries(event):
    track = TrackFactory(event=event, name_zh="新能源", name_en="New energy")
    markets = QuestionFactory(event=event, kind="multiple", label_en="Markets", label_zh="市场", choices=CHOICES)
    employees = QuestionFactory(event=event, kind="number", label_en="Employees", label_zh="员工")
    now = timezone.now()
    first = EntryFactory(
        event=event,
        track=track,
        title_zh="固态电池",
        title_en="Solid-state battery",
        status=Status.SUBMITTED,
        submitted_at=now - timezone.timedelta(days=1),
        funding_sought=5_000_000,
    )
    TeamMemberFactory(entry=first, name="Anna Schmidt", role="CTO", email="anna@example.org", organisation="TUM")
    first.answers.create(question=markets, value=["eu", "cn"])
    first.answers.create(question=employees, value="12")
    second = EntryFactory(
        event=event,
        track=track,
        title_en='=HYPERLINK("http://evil")',
        title_zh="",
        status=Status.SCREENED_IN,
        submitted_at=now,
    )
    return first, second


def _build(event, user, fmt, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(event=event, requested_by=user, fmt=fmt)
    job.refresh_from_db()
    return job


def test_xlsx_export_has_one_row_per_entry_with_team_and_answers(
    event, english_organiser, exported_entries, django_capture_on_commit_callbacks
):
    first = exported_entries[0]
    job = _build(event, english_organiser, "xlsx", django_capture_on_commit_callbacks)
    assert (job.state, job.processed, job.total, job.percent) == ("done", 2, 2, 100)
    assert job.file.name.endswith(".xlsx")

    with job.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:6] == ["Reference", "Status", "Round", "Track", "Title (Chinese)", "Title (English)"]
    assert header[-2:] == ["Markets", "Employees"]
    assert len(rows) == 3
    by_column = dict(zip(header, rows[1], strict=True))
    assert by_column["Reference"] == first.reference
    assert by_column["Status"] == "Submitted"
    assert by_column["Track"] == "New energy"
    assert by_column["Title (Chinese)"] == "固态电池"
    assert by_column["Funding sought (CNY)"] == 5000000
    assert by_column["Other team members"] == "Anna Schmidt (CTO, anna@example.org, TUM, Germany, 5 years abroad)"
    assert by_column["Team size"] == 2
    assert by_column["Markets"] == "Europe, China"
    assert by_column["Employees"] == "12"
    second_row = dict(zip(header, rows[2], strict=True))
    assert second_row["Title (English)"] == '\'=HYPERLINK("http://evil")'
    assert second_row["Markets"] is None


def test_csv_export_is_utf8_with_a_byte_order_mark(
    event, english_organiser, exported_entries, django_capture_on_commit_callbacks
):
    job = _build(event, english_organiser, "csv", django_capture_on_commit_callbacks)
    with job.file.open("rb") as handle:
        raw = handle.read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r[0] for r in rows] == ["Reference", exported_entries[0].reference, exported_entries[1].reference]
    assert rows[1][4] == "固态电池"


def test_export_headers_follow_the_requesters_language(
    event, organiser, exported_entries, django_capture_on_commit_callbacks
):
    organiser.language = "zh-hans"
    organiser.save()
    job = _build(event, organiser, "csv", django_capture_on_commit_callbacks)
    with job.file.open("rb") as handle:
        header = next(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert header[-2:] == ["市场", "员工"]


def test_progress_is_recorded_while_the_export_runs(event, english_organiser, monkeypatch):
    EntryFactory.create_batch(5, event=event)
    job = ExportJob.objects.create(event=event, requested_by=english_organiser, format="csv")
    seen = []
    monkeypatch.setattr(exports, "CHUNK", 2)
    original = exports.write_csv

    def watching(header, data):
        for values in data:
            seen.append(ExportJob.objects.get(pk=job.pk).processed)
            yield values

    monkeypatch.setattr(exports, "write_csv", lambda header, data: original(header, watching(header, data)))
    services.export_build(job=job)
    assert seen == [0, 0, 2, 2, 4]
    job.refresh_from_db()
    assert (job.state, job.processed, job.total) == ("done", 5, 5)


def test_a_failed_export_says_why(event, english_organiser, monkeypatch):
    job = ExportJob.objects.create(event=event, requested_by=english_organiser, format="xlsx")

    def broken(header, data):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_xlsx", broken)
    services.export_build(job=job)
    job.refresh_from_db()
    assert (job.state, job.error, bool(job.file)) == ("failed", "OSError: disk full", False)


def test_only_organisers_export(event, entrant):
    with pytest.raises(PermissionDenied):
        services.export_request(event=event, requested_by=entrant, fmt="xlsx")


def test_export_pages_build_show_progress_and_download(
    client, event, english_organiser, exported_entries, entrant, django_capture_on_commit_callbacks
):
    exports_url = reverse("registration:exports", kwargs={"slug": event.slug})
    client.force_login(english_organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(exports_url, {"format": "xlsx"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.state == "done"  # eager Celery: built at once

    page = client.get(exports_url)
    download_url = reverse("registration:export_download", kwargs={"slug": event.slug, "pk": job.pk})
    assert download_url in page.content.decode()
    download = client.get(download_url)
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active
    assert len(list(sheet.iter_rows(values_only=True))) == 3

    pending = ExportJob.objects.create(event=event, requested_by=english_organiser, format="csv")
    row = client.get(reverse("registration:export_status", kwargs={"slug": event.slug, "pk": pending.pk}))
    assert 'hx-trigger="every 2s"' in row.content.decode()
    done_row = client.get(reverse("registration:export_status", kwargs={"slug": event.slug, "pk": job.pk}))
    assert "hx-trigger" not in done_row.content.decode()

    client.force_login(entrant)
    assert client.get(download_url).status_code == 403
    assert client.post(exports_url, {"format": "csv"}).status_code == 403


# --- API ---------------------------------------------------------------------------------------


def _api(name, event, **kwargs):
    return reverse(name, kwargs={"slug": event.slug, **kwargs})


def test_tracks_are_public_on_published_events(client, event):
    TrackFactory(event=event, name_zh="生物医药", name_en="Biomedicine", position=1)
    TrackFactory(event=event, name_zh="新能源", name_en="New energy", position=2)
    response = client.get(_api("api-event-tracks", event), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert [(t["name"], t["name_zh"]) for t in response.json()] == [
        ("Biomedicine", "生物医药"),
        ("New energy", "新能源"),
    ]

    hidden = EventFactory(is_published=False)
    assert client.get(_api("api-event-tracks", hidden)).status_code == 404


def test_entries_api_gives_organisers_all_entrants_their_own_and_others_nothing(
    client, event, organiser, entrant, other_entrant
):
    mine = EntryFactory(event=event, owner=entrant)
    theirs = EntryFactory(event=event, owner=other_entrant)
    EntryFactory(event=EventFactory(), owner=entrant)
    url = _api("api-event-entries", event)

    client.force_login(organiser)
    assert sorted(e["id"] for e in client.get(url).json()["results"]) == sorted([mine.pk, theirs.pk])
    client.force_login(entrant)
    body = client.get(url).json()
    assert [e["id"] for e in body["results"]] == [mine.pk]
    assert body["results"][0]["team"][0]["email"] == entrant.email
    assert client.get(_api("api-event-entry", event, pk=theirs.pk)).status_code == 404
    assert client.get(_api("api-event-entry", event, pk=mine.pk)).json()["reference"] == mine.reference

    client.force_login(UserFactory())
    assert client.get(url).json()["results"] == []
    client.logout()
    assert client.get(url).json()["results"] == []


@pytest.mark.parametrize("count", [1, 30])
def test_entries_api_queries_do_not_grow_with_the_number_of_entries(
    client, event, organiser, django_assert_num_queries, count
):
    for _ in range(count):
        TeamMemberFactory(entry=EntryFactory(event=event, status=Status.SUBMITTED, submitted_at=timezone.now()))
    client.force_login(organiser)
    # session, user, event, organiser role, count, page, team
    with django_assert_num_queries(7):
        response = client.get(_api("api-event-entries", event))
    assert len(response.json()["results"]) == count


def test_registration_endpoints_are_in_the_openapi_schema(client):
    paths = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()["paths"]
    assert "/api/v1/events/{slug}/tracks/" in paths
    assert "/api/v1/events/{slug}/entries/" in paths
    assert paths["/api/v1/events/{slug}/entries/"]["get"]["tags"] == ["registration"]
