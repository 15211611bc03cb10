"""Registration pages: entrants' forms, files, submission; organisers' set-up and screening."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Role
from registration import services
from registration.models import Entry, Question, Status, StatusChange
from tests.factories import EntryFactory, EventRoleFactory, QuestionFactory, TeamMemberFactory, TrackFactory

from .conftest import bomb_png_upload, image_upload, pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(name, event, **kwargs):
    return reverse(f"registration:{name}", kwargs={"slug": event.slug, **kwargs})


@pytest.fixture
def draft(event, entrant, track):
    return EntryFactory(event=event, owner=entrant, track=track)


# --- Entrant pages --------------------------------------------------------------------------


def test_home_shows_the_window_in_china_time(client, event):
    window = event.registration_settings
    window.opens_at = dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.UTC)
    window.closes_at = timezone.now() + dt.timedelta(days=3)
    window.save()
    response = client.get(url("home", event), **EN)
    assert response.status_code == 200
    assert response.context["is_open"] is True
    html = response.content.decode()
    assert '<time datetime="2026-09-01T01:00:00+00:00" class="js-local-time">2026-09-01 09:00 China time</time>' in html
    assert reverse("account_login") in html


def test_starting_an_entry_creates_a_draft_and_opens_the_form(client, event, entrant):
    client.force_login(entrant)
    response = client.post(url("home", event))
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response.url == url("entry_edit", event, pk=entry.pk)
    assert (entry.owner, entry.status) == (entrant, Status.DRAFT)


def test_starting_an_entry_after_the_deadline_shows_why(client, event, entrant):
    event.registration_settings.closes_at = timezone.now() - dt.timedelta(hours=1)
    event.registration_settings.save()
    client.force_login(entrant)
    response = client.post(url("home", event), follow=True, **EN)
    assert Entry.objects.count() == 0
    assert "Registration closed on" in response.content.decode()


def test_edit_form_saves_details_answers_and_a_new_team_member(client, event, entrant, draft):
    question = QuestionFactory(event=event, kind="number", label_en="Employees")
    client.force_login(entrant)
    lead = draft.team.get()
    data = {
        "entry-title_zh": "新标题",
        "entry-title_en": "New title",
        "entry-track": draft.track_id,
        "entry-stage": "revenue",
        "entry-summary": "Summary",
        "entry-technology": "Tech",
        "entry-patent_count": "3",
        "entry-funding_sought": "2000000",
        "entry-planned_city": "海城",
        "entry-video_url": "https://video.example.org/1",
        f"answers-q_{question.pk}": "12",
        "team-TOTAL_FORMS": "2",
        "team-INITIAL_FORMS": "1",
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "50",
        "team-0-id": lead.pk,
        "team-0-entry": draft.pk,
        "team-0-name": lead.name,
        "team-0-email": lead.email,
        "team-0-country": "DE",
        "team-0-role": "CEO",
        "team-1-entry": draft.pk,
        "team-1-name": "Anna Schmidt",
        "team-1-email": "anna@example.org",
        "team-1-country": "DE",
        "team-1-years_abroad": "7",
    }
    response = client.post(url("entry_edit", event, pk=draft.pk), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title_en, draft.stage, draft.patent_count, draft.funding_sought) == (
        "New title",
        "revenue",
        3,
        2000000,
    )
    assert draft.answers.get(question=question).value == "12"
    assert list(draft.team.values_list("name", "role", "years_abroad")) == [
        (lead.name, "CEO", None),
        ("Anna Schmidt", "", 7),
    ]


def test_edit_form_with_bad_input_keeps_what_was_typed(client, event, entrant, draft):
    client.force_login(entrant)
    data = {
        "entry-title_en": "Kept title",
        "entry-video_url": "javascript:alert(1)",
        "entry-summary": "x" * 5001,
        "team-TOTAL_FORMS": "0",
        "team-INITIAL_FORMS": "0",
    }
    response = client.post(url("entry_edit", event, pk=draft.pk), data, **EN)
    assert response.status_code == 400
    form = response.context["form"]
    assert sorted(form.errors) == ["summary", "video_url"]
    html = response.content.decode()
    assert 'value="Kept title"' in html
    assert Entry.objects.get(pk=draft.pk).title_en != "Kept title"


def test_autosave_saves_a_draft_and_reports_errors(client, event, entrant, draft):
    client.force_login(entrant)
    saved = client.post(url("entry_autosave", event, pk=draft.pk), {"entry-summary": "Typed so far"}, **EN)
    assert saved.status_code == 200
    assert "Draft saved at" in saved.content.decode()
    draft.refresh_from_db()
    assert draft.summary == "Typed so far"

    refused = client.post(url("entry_autosave", event, pk=draft.pk), {"entry-video_url": "ftp://x"}, **EN)
    assert "Not saved:" in refused.content.decode()
    assert Entry.objects.get(pk=draft.pk).video_url == ""


def test_autosave_of_another_entrants_draft_is_404(client, event, other_entrant, draft):
    client.force_login(other_entrant)
    response = client.post(url("entry_autosave", event, pk=draft.pk), {"entry-summary": "Hijack"})
    assert response.status_code == 404
    assert Entry.objects.get(pk=draft.pk).summary != "Hijack"


@pytest.mark.parametrize("name", ["entry_detail", "entry_edit", "entry_submit"])
def test_an_entrant_cannot_read_another_entrants_entry(client, event, other_entrant, draft, name):
    client.force_login(other_entrant)
    assert client.get(url(name, event, pk=draft.pk)).status_code == 404


def test_organisers_read_entries_but_do_not_edit_them(client, event, organiser, draft):
    client.force_login(organiser)
    assert client.get(url("entry_detail", event, pk=draft.pk)).status_code == 200
    assert client.get(url("entry_edit", event, pk=draft.pk)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, event, draft):
    response = client.get(url("entry_edit", event, pk=draft.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert client.get(url("entry_detail", event, pk=draft.pk)).status_code == 404


def test_uploads_are_checked_and_refusals_explained(client, event, entrant, draft):
    client.force_login(entrant)
    ok = client.post(url("entry_files", event, pk=draft.pk), {"files-deck": pdf_upload(), "files-logo": image_upload()})
    assert ok.status_code == 302
    assert sorted(draft.attachments.values_list("kind", flat=True)) == ["deck", "logo"]

    not_pdf = image_upload("deck.pdf")
    refused = client.post(
        url("entry_files", event, pk=draft.pk), {"files-deck": not_pdf, "files-photo": bomb_png_upload()}, **EN
    )
    assert refused.status_code == 400
    errors = refused.context["files_form"].errors
    assert errors["deck"] == ["The file is not a PDF. Save your document as PDF and upload that file."]
    assert "too many pixels" in errors["photo"][0]
    assert draft.attachments.count() == 2


def test_oversize_upload_gets_a_clear_message(client, event, entrant, draft, settings):
    settings.REGISTRATION_DECK_MAX_BYTES = 100
    client.force_login(entrant)
    response = client.post(url("entry_files", event, pk=draft.pk), {"files-deck": pdf_upload()}, **EN)
    assert response.status_code == 400
    assert response.context["files_form"].errors["deck"][0].startswith("The file is too large")


def test_files_are_sent_to_the_owner_and_organisers_only(client, event, entrant, other_entrant, organiser, draft):
    deck = services.attachment_add(entry=draft, changed_by=entrant, kind="deck", upload=pdf_upload())
    logo = services.attachment_add(entry=draft, changed_by=entrant, kind="logo", upload=image_upload())
    file_url = url("attachment", event, pk=deck.pk)

    for person, expected in ((entrant, 200), (organiser, 200), (other_entrant, 404)):
        client.force_login(person)
        response = client.get(file_url)
        assert response.status_code == expected
        if expected == 200:
            assert b"".join(response.streaming_content) == Path(deck.file.path).read_bytes()
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"] == 'attachment; filename="deck.pdf"'
    client.logout()
    assert client.get(file_url).status_code == 404

    client.force_login(entrant)
    thumb = client.get(url("attachment", event, pk=logo.pk) + "?size=thumb&inline=1")
    assert thumb["Content-Disposition"].startswith("inline")
    assert b"".join(thumb.streaming_content) == Path(logo.thumbnail.path).read_bytes()
    # The stored name is not reachable under /media/.
    assert client.get("/media/" + deck.file.name).status_code == 404


def test_submit_page_lists_what_is_missing_then_submits_once(client, event, entrant, draft):
    event.registration_settings.require_deck = True
    event.registration_settings.save()
    client.force_login(entrant)
    page = client.get(url("entry_submit", event, pk=draft.pk), **EN)
    assert [m.key for m in page.context["missing"]] == ["deck"]
    assert "A pitch deck (PDF)" in page.content.decode()

    refused = client.post(url("entry_submit", event, pk=draft.pk), **EN)
    assert refused.status_code == 400
    assert Entry.objects.get(pk=draft.pk).status == Status.DRAFT

    services.attachment_add(entry=draft, changed_by=entrant, kind="deck", upload=pdf_upload())
    done = client.post(url("entry_submit", event, pk=draft.pk))
    again = client.post(url("entry_submit", event, pk=draft.pk))
    assert (done.status_code, again.status_code) == (302, 302)
    assert StatusChange.objects.filter(entry=draft, to_status=Status.SUBMITTED).count() == 1


def test_withdraw_from_the_entry_page(client, event, entrant, draft):
    client.force_login(entrant)
    response = client.post(url("entry_withdraw", event, pk=draft.pk), {"reason": "Changed plans"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.status_reason) == (Status.WITHDRAWN, "Changed plans")


def test_the_entrant_sees_the_timeline_but_not_notes(client, event, entrant, organiser, draft):
    services.entry_submit(entry=draft, submitted_by=entrant)
    services.entry_screen(entries=[draft], screened_in=True, screened_by=organiser, reason="Strong team")
    services.entry_note_add(entry=draft, author=organiser, text="Internal: call the lead")
    client.force_login(entrant)
    response = client.get(url("entry_detail", event, pk=draft.pk), **EN)
    html = response.content.decode()
    assert [c.to_status for c in response.context["timeline"]] == ["submitted", "screened_in"]
    assert "Strong team" in html
    assert "Internal: call the lead" not in html
    assert "notes" not in response.context

    client.force_login(organiser)
    html = client.get(url("entry_detail", event, pk=draft.pk)).content.decode()
    assert "Internal: call the lead" in html


def test_event_page_links_to_registration(client, event):
    response = client.get(event.get_absolute_url(), **EN)
    assert url("home", event) in response.content.decode()


# --- Organiser pages -------------------------------------------------------------------------


def test_setup_saves_the_window_typed_in_china_time(client, event, organiser, entrant):
    client.force_login(entrant)
    assert client.get(url("setup", event)).status_code == 403
    client.force_login(organiser)
    response = client.post(
        url("setup", event),
        {
            "opens_at": "2026-09-01T09:00",
            "closes_at": "2026-10-31T23:59",
            "require_deck": "on",
            "max_team_members": "8",
            "reminder_days_before": "2",
        },
    )
    assert response.status_code == 302
    window = type(event.registration_settings).objects.get(event=event)
    assert window.opens_at == dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.UTC)
    assert window.closes_at == dt.datetime(2026, 10, 31, 15, 59, tzinfo=dt.UTC)
    assert (window.require_deck, window.require_logo, window.max_team_members) == (True, False, 8)


def test_setup_refuses_a_window_that_closes_before_it_opens(client, event, organiser):
    client.force_login(organiser)
    response = client.post(
        url("setup", event),
        {"opens_at": "2026-09-01T09:00", "closes_at": "2026-08-01T09:00", "max_team_members": "8"},
    )
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["closes_at", "reminder_days_before"]


def test_tracks_and_questions_are_set_up_through_forms(client, event, organiser):
    client.force_login(organiser)
    client.post(url("track_create", event), {"name_zh": "生物医药", "name_en": "Biomedicine", "position": "1"})
    assert list(event.tracks.values_list("name_en", flat=True)) == ["Biomedicine"]

    response = client.post(
        url("question_create", event),
        {
            "kind": "single",
            "label_zh": "是否已注册公司？",
            "label_en": "Company registered?",
            "choices_text": "是 | Yes\n否 | No",
            "is_eligibility": "on",
            "eligible_text": "是 | Yes",
            "max_length": "2000",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.choices == [{"value": "yes", "zh": "是", "en": "Yes"}, {"value": "no", "zh": "否", "en": "No"}]
    assert question.eligible_choices == ["yes"]

    bad = client.post(
        url("question_create", event),
        {"kind": "single", "label_en": "One choice only", "choices_text": "Only", "max_length": "2000"},
    )
    assert bad.status_code == 400
    assert list(bad.context["form"].errors) == ["choices_text"]


# --- Screening ------------------------------------------------------------------------------


@pytest.fixture
def screening_entries(event):
    bio = TrackFactory(event=event, name_en="Biomedicine", name_zh="生物医药")
    energy = TrackFactory(event=event, name_en="New energy", name_zh="新能源")
    now = timezone.now()
    return {
        "battery": EntryFactory(
            event=event,
            track=energy,
            title_en="Solid-state battery for cars",
            title_zh="车用固态电池",
            status=Status.SUBMITTED,
            submitted_at=now - dt.timedelta(days=3),
            lead__country="DE",
        ),
        "antibody": EntryFactory(
            event=event,
            track=bio,
            title_en="Antibody platform",
            title_zh="抗体平台",
            status=Status.SCREENED_IN,
            submitted_at=now - dt.timedelta(days=1),
            lead__country="GB",
        ),
        "draft": EntryFactory(event=event, track=bio, title_en="Unfinished draft"),
    }


def _titles(response):
    return [row.title_en for row in response.context["rows"]]


def test_screening_is_for_organisers(client, event, entrant):
    client.force_login(entrant)
    assert client.get(url("screening", event)).status_code == 403


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Antibody platform", "Solid-state battery for cars"]),
        ({"status": "draft"}, ["Unfinished draft"]),
        ({"status": "submitted"}, ["Solid-state battery for cars"]),
        ({"country": "GB"}, ["Antibody platform"]),
        ({"q": "cars"}, ["Solid-state battery for cars"]),
        ({"q": "固态"}, ["Solid-state battery for cars"]),
        ({"sort": "submitted_at"}, ["Solid-state battery for cars", "Antibody platform"]),
        ({"sort": "title"}, ["Antibody platform", "Solid-state battery for cars"]),
    ],
)
def test_screening_filters_search_and_sorts(client, event, organiser, screening_entries, params, expected):
    client.force_login(organiser)
    response = client.get(url("screening", event), params, **EN)
    assert response.status_code == 200
    assert _titles(response) == expected


def test_screening_filters_by_track_and_date(client, event, organiser, screening_entries):
    client.force_login(organiser)
    track = screening_entries["antibody"].track
    assert _titles(client.get(url("screening", event), {"track": track.pk})) == ["Antibody platform"]
    since = (timezone.now() - dt.timedelta(days=2)).astimezone(services.CHINA_TIME).date().isoformat()
    assert _titles(client.get(url("screening", event), {"submitted_from": since})) == ["Antibody platform"]
    assert _titles(client.get(url("screening", event), {"submitted_to": since})) == ["Solid-state battery for cars"]


def test_screening_hints_at_likely_duplicates(client, event, organiser, screening_entries):
    copy = EntryFactory(
        event=event,
        title_en="Solid-State Battery, for cars!",
        title_zh="另一个",
        title_en_key="solidstatebatteryforcars",
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        lead_email=screening_entries["antibody"].lead_email,
    )
    client.force_login(organiser)
    response = client.get(url("screening", event), **EN)
    hints = response.context["hints"]
    assert hints == {
        copy.pk: ["Same lead e-mail as another entry", "Nearly the same title as another entry"],
        screening_entries["battery"].pk: ["Nearly the same title as another entry"],
        screening_entries["antibody"].pk: ["Same lead e-mail as another entry"],
    }
    detail = client.get(url("entry_detail", event, pk=copy.pk))
    assert sorted(e.pk for e in detail.context["duplicates"]) == sorted(
        [screening_entries["battery"].pk, screening_entries["antibody"].pk]
    )


def test_screening_pages(client, event, organiser, settings):
    EntryFactory.create_batch(51, event=event, status=Status.SUBMITTED, submitted_at=timezone.now())
    client.force_login(organiser)
    first = client.get(url("screening", event), {"status": "submitted"})
    second = client.get(url("screening", event), {"status": "submitted", "page": 2})
    assert (len(first.context["rows"]), len(second.context["rows"])) == (50, 1)
    assert "status=submitted&amp;page=2" in first.content.decode()


def test_bulk_screen_out_needs_a_reason_then_applies_to_all(client, event, organiser, screening_entries):
    client.force_login(organiser)
    battery, antibody = screening_entries["battery"], screening_entries["antibody"]
    back = url("screening", event) + "?status=submitted"
    refused = client.post(
        url("screening_bulk", event),
        {"entries": [battery.pk], "to_status": "screened_out", "reason": "", "next": back},
        follow=True,
        **EN,
    )
    assert "Give a reason for screening an entry out." in refused.content.decode()
    assert Entry.objects.get(pk=battery.pk).status == Status.SUBMITTED

    done = client.post(
        url("screening_bulk", event),
        {"entries": [battery.pk, antibody.pk], "to_status": "screened_out", "reason": "Outside scope", "next": back},
    )
    assert done.status_code == 302
    assert done.url == back
    assert set(Entry.objects.filter(pk__in=[battery.pk, antibody.pk]).values_list("status", "status_reason")) == {
        ("screened_out", "Outside scope")
    }


def test_bulk_change_cannot_touch_another_events_entries(client, event, organiser):
    foreign = EntryFactory(status=Status.SUBMITTED, submitted_at=timezone.now())
    client.force_login(organiser)
    response = client.post(
        url("screening_bulk", event), {"entries": [foreign.pk], "to_status": "screened_in"}, follow=True
    )
    assert response.status_code == 200
    assert Entry.objects.get(pk=foreign.pk).status == Status.SUBMITTED


def test_status_and_notes_from_the_entry_page(client, event, organiser, entrant):
    entry = EntryFactory(event=event, owner=entrant, status=Status.SCREENED_IN, submitted_at=timezone.now())
    client.force_login(organiser)
    client.post(url("entry_status", event, pk=entry.pk), {"to_status": "in_round", "round_number": "1"})
    client.post(url("entry_note", event, pk=entry.pk), {"text": "Check the patents"})
    entry.refresh_from_db()
    assert (entry.status, entry.round_number) == (Status.IN_ROUND, 1)
    assert list(entry.notes.values_list("text", flat=True)) == ["Check the patents"]

    client.force_login(entrant)
    assert client.post(url("entry_note", event, pk=entry.pk), {"text": "me too"}).status_code == 403
    assert client.post(url("entry_status", event, pk=entry.pk), {"to_status": "awarded"}).status_code == 403


SCREENING_QUERIES = 14  # session, user, event, role, countries, count, page, leads, 3 hints, counts, tracks, nav


@pytest.mark.parametrize("count", [1, 30])
def test_screening_list_uses_the_same_number_of_queries_whatever_the_number_of_entries(
    client, event, organiser, django_assert_num_queries, count
):
    for _ in range(count):
        entry = EntryFactory(event=event, status=Status.SUBMITTED, submitted_at=timezone.now())
        TeamMemberFactory(entry=entry)
    client.force_login(organiser)
    with django_assert_num_queries(SCREENING_QUERIES):
        response = client.get(url("screening", event), {"q": "battery", "sort": "title"})
    assert len(response.context["rows"]) == count
    assert len(response.context["hints"]) == 0


def test_dashboard_shows_entries_with_what_is_missing_and_counts_to_screen(client, event, entrant, organiser):
    EntryFactory(event=event, owner=entrant, title_en="Ready one", title_zh="")
    EntryFactory(event=event, owner=entrant, title_en="Half done", title_zh="", summary="", technology="")
    EntryFactory(event=event, status=Status.SUBMITTED, submitted_at=timezone.now())
    EventRoleFactory(event=event, user=entrant, role=Role.ENTRANT)
    client.force_login(entrant)
    response = client.get(reverse("core:dashboard"), **EN)
    mine = next(s for s in response.context["sections"] if s.title == "My entries")
    notes = {t.label: t.note for t in mine.tasks}
    assert notes == {
        "Ready one · Draft": "Complete: ready to submit.",
        "Half done · Draft": "Missing: A summary of the project; A description of the technology",
    }

    client.force_login(organiser)
    response = client.get(reverse("core:dashboard"), **EN)
    screening = next(s for s in response.context["sections"] if s.title.startswith("Screening"))
    assert [(t.label, t.note) for t in screening.tasks] == [("1 entries to screen", "1 entries received in all")]
