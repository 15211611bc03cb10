"""Entries: creation, editing, submission, withdrawal, deadlines and who may do what."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events.models import EventRole, Role
from registration import services
from registration.models import Entry, Status, StatusChange
from tests.factories import (
    EntryFactory,
    EventFactory,
    QuestionFactory,
    RegistrationSettingsFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _create(event, owner, track, **extra):
    fields = {
        "track": track,
        "title_zh": "固态电池",
        "title_en": "Solid-state battery",
        "summary": "A safer battery.",
        "stage": "prototype",
        "technology": "Sulfide electrolyte.",
        "funding_sought": Decimal("5000000"),
        "planned_city": "海城",
    }
    fields.update(extra)
    return services.entry_create(event=event, owner=owner, **fields)


def test_entry_create_makes_a_draft_with_the_owner_as_lead_and_entrant(event, track, entrant):
    entry = _create(event, entrant, track)

    assert entry.status == Status.DRAFT
    assert entry.lead_email == "entrant@example.org"
    assert entry.title_en_key == "solidstatebattery"
    lead = entry.team.get()
    assert (lead.is_lead, lead.name, lead.email, lead.country.code) == (True, "李明", "entrant@example.org", "DE")
    assert list(entry.status_changes.values_list("from_status", "to_status", "changed_by")) == [
        ("", "draft", entrant.pk)
    ]
    assert EventRole.objects.filter(event=event, user=entrant, role=Role.ENTRANT).count() == 1


@pytest.mark.parametrize(
    ("opens_in_days", "closes_in_days", "code"),
    [(-20, -1, "closed"), (2, 12, "not_open_yet")],
)
def test_entry_create_is_refused_outside_the_window(entrant, opens_in_days, closes_in_days, code):
    event = EventFactory()
    now = timezone.now()
    RegistrationSettingsFactory(
        event=event, opens_at=now + dt.timedelta(days=opens_in_days), closes_at=now + dt.timedelta(days=closes_in_days)
    )
    with pytest.raises(ValidationError) as exc:
        services.entry_create(event=event, owner=entrant, title_en="Late")
    assert exc.value.code == code
    assert Entry.objects.count() == 0


def test_entry_create_without_a_window_is_refused(entrant):
    with pytest.raises(ValidationError) as exc:
        services.entry_create(event=EventFactory(), owner=entrant, title_en="X")
    assert exc.value.code == "no_window"


def test_entry_create_on_an_unpublished_event_is_refused(entrant):
    event = EventFactory(is_published=False)
    RegistrationSettingsFactory(event=event)
    with pytest.raises(PermissionDenied):
        services.entry_create(event=event, owner=entrant, title_en="X")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title_zh", "长" * 201),
        ("summary", "x" * 5001),
        ("technology", "x" * 5001),
        ("planned_city", "x" * 101),
    ],
)
def test_over_long_text_is_refused_and_nothing_is_saved(event, track, entrant, field, value):
    with pytest.raises(ValidationError) as exc:
        _create(event, entrant, track, **{field: value})
    assert list(exc.value.message_dict) == [field]
    assert Entry.objects.count() == 0


@pytest.mark.parametrize(
    "url", ["ftp://example.org/video.mp4", "javascript:alert(1)", "not a url", "file:///etc/passwd"]
)
def test_bad_video_url_is_refused(event, track, entrant, url):
    entry = _create(event, entrant, track)
    with pytest.raises(ValidationError) as exc:
        services.entry_update(entry=entry, changed_by=entrant, video_url=url)
    assert list(exc.value.message_dict) == ["video_url"]
    assert Entry.objects.get(pk=entry.pk).video_url == ""


def test_http_and_https_video_urls_are_kept(event, track, entrant):
    entry = _create(event, entrant, track)
    services.entry_update(entry=entry, changed_by=entrant, video_url="https://video.example.org/watch?v=42")
    assert Entry.objects.get(pk=entry.pk).video_url == "https://video.example.org/watch?v=42"


def test_track_of_another_event_is_refused(event, entrant):
    foreign = TrackFactory(event=EventFactory())
    with pytest.raises(ValidationError) as exc:
        services.entry_create(event=event, owner=entrant, track=foreign)
    assert list(exc.value.message_dict) == ["track"]


def test_autosave_keeps_an_incomplete_draft(event, track, entrant):
    entry = services.entry_create(event=event, owner=entrant, title_zh="草稿")
    services.entry_update(entry=entry, changed_by=entrant, summary="Only a summary so far.")
    entry.refresh_from_db()
    assert (entry.title_zh, entry.summary, entry.track_id, entry.status) == (
        "草稿",
        "Only a summary so far.",
        None,
        Status.DRAFT,
    )


def test_missing_items_are_listed_in_form_order(event, entrant):
    entry = services.entry_create(event=event, owner=entrant)
    missing = services.entry_missing(entry)
    assert [m.key for m in missing] == [
        "title",
        "track",
        "summary",
        "stage",
        "technology",
        "funding_sought",
        "planned_city",
    ]
    with pytest.raises(services.EntryIncomplete) as exc:
        services.entry_submit(entry=entry, submitted_by=entrant)
    assert exc.value.missing == missing
    assert len(exc.value.messages) == 7
    entry.refresh_from_db()
    assert entry.status == Status.DRAFT


def test_submit_moves_a_complete_draft_and_a_second_submit_changes_nothing(event, track, entrant):
    entry = _create(event, entrant, track)

    submitted = services.entry_submit(entry=entry, submitted_by=entrant)
    first_time = submitted.submitted_at
    assert submitted.status == Status.SUBMITTED
    assert first_time is not None

    again = services.entry_submit(entry=entry, submitted_by=entrant)
    assert again.submitted_at == first_time
    assert again.status == Status.SUBMITTED
    assert list(StatusChange.objects.filter(entry=entry).values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
    ]


def test_submit_after_the_deadline_is_refused(event, track, entrant):
    entry = _create(event, entrant, track)
    event.registration_settings.closes_at = timezone.now() - dt.timedelta(minutes=1)
    event.registration_settings.save()
    with pytest.raises(ValidationError) as exc:
        services.entry_submit(entry=Entry.objects.get(pk=entry.pk), submitted_by=entrant)
    assert exc.value.code == "closed"
    shanghai_time = timezone.localtime(event.registration_settings.closes_at, services.CHINA_TIME)
    assert shanghai_time.strftime("%Y-%m-%d %H:%M") in exc.value.messages[0]
    assert Entry.objects.get(pk=entry.pk).status == Status.DRAFT


def test_deadline_is_compared_in_utc_whatever_the_zone_it_was_given_in(track, entrant):
    event = track.event
    window = event.registration_settings
    # 23:59 in Shanghai is 15:59 UTC: one minute after that the window is closed.
    shanghai = dt.timezone(dt.timedelta(hours=8))
    closes = (timezone.now() - dt.timedelta(minutes=1)).astimezone(shanghai)
    window.closes_at = closes
    window.save()
    window.refresh_from_db()
    assert window.closes_at == closes
    assert window.has_closed() is True
    with pytest.raises(ValidationError):
        services.entry_create(event=event, owner=entrant)


def test_edits_after_the_deadline_are_refused(event, track, entrant):
    entry = _create(event, entrant, track)
    services.entry_submit(entry=entry, submitted_by=entrant)
    event.registration_settings.closes_at = timezone.now() - dt.timedelta(seconds=1)
    event.registration_settings.save()
    entry = Entry.objects.select_related("event").get(pk=entry.pk)
    with pytest.raises(ValidationError) as exc:
        services.entry_update(entry=entry, changed_by=entrant, summary="Changed")
    assert exc.value.code == "closed"
    assert Entry.objects.get(pk=entry.pk).summary == "A safer battery."


def test_a_submitted_entry_can_be_edited_but_must_stay_complete(event, track, entrant):
    entry = _create(event, entrant, track)
    services.entry_submit(entry=entry, submitted_by=entrant)

    services.entry_update(entry=entry, changed_by=entrant, summary="Better summary.")
    assert Entry.objects.get(pk=entry.pk).summary == "Better summary."

    with pytest.raises(services.EntryIncomplete) as exc:
        services.entry_update(entry=Entry.objects.get(pk=entry.pk), changed_by=entrant, summary="  ")
    assert [m.key for m in exc.value.missing] == ["summary"]
    assert Entry.objects.get(pk=entry.pk).summary == "Better summary."


def test_withdraw_is_kept_with_its_reason_and_is_idempotent(event, track, entrant):
    entry = _create(event, entrant, track)
    services.entry_withdraw(entry=entry, withdrawn_by=entrant, reason="Joined another programme")
    services.entry_withdraw(entry=entry, withdrawn_by=entrant, reason="again")
    entry.refresh_from_db()
    assert (entry.status, entry.status_reason) == (Status.WITHDRAWN, "Joined another programme")
    assert entry.status_changes.filter(to_status=Status.WITHDRAWN).count() == 1
    with pytest.raises(ValidationError) as exc:
        services.entry_submit(entry=entry, submitted_by=entrant)
    assert exc.value.code == "withdrawn"


def test_screened_out_entries_cannot_be_withdrawn(event, track, entrant, organiser):
    entry = _create(event, entrant, track)
    services.entry_submit(entry=entry, submitted_by=entrant)
    services.entry_screen(entries=[entry], screened_in=False, screened_by=organiser, reason="Out of scope")
    with pytest.raises(ValidationError) as exc:
        services.entry_withdraw(entry=Entry.objects.get(pk=entry.pk), withdrawn_by=entrant)
    assert exc.value.code == "bad_transition"


def test_full_lifecycle_is_recorded_with_who_when_and_why(event, track, entrant, organiser):
    entry = _create(event, entrant, track)
    services.entry_submit(entry=entry, submitted_by=entrant)
    services.entry_screen(entries=[entry], screened_in=True, screened_by=organiser, reason="Fits the track")
    for number in (1, 2):
        services.entries_status_change(
            entries=[entry], to_status=Status.IN_ROUND, changed_by=organiser, round_number=number
        )
    services.entries_status_change(entries=[entry], to_status=Status.FINALIST, changed_by=organiser)
    services.entries_status_change(entries=[entry], to_status=Status.AWARDED, changed_by=organiser, reason="一等奖")

    entry.refresh_from_db()
    assert (entry.status, entry.round_number, entry.status_reason) == (Status.AWARDED, 2, "一等奖")
    history = list(entry.status_changes.values_list("from_status", "to_status", "round_number", "reason", "changed_by"))
    assert history == [
        ("", "draft", None, "", entrant.pk),
        ("draft", "submitted", None, "", entrant.pk),
        ("submitted", "screened_in", None, "Fits the track", organiser.pk),
        ("screened_in", "in_round", 1, "", organiser.pk),
        ("in_round", "in_round", 2, "", organiser.pk),
        ("in_round", "finalist", None, "", organiser.pk),
        ("finalist", "awarded", None, "一等奖", organiser.pk),
    ]
    times = list(entry.status_changes.values_list("changed_at", flat=True))
    assert times == sorted(times)


def test_going_back_a_round_is_refused(event, organiser):
    entry = EntryFactory(event=event, status=Status.IN_ROUND, round_number=2, submitted_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.entries_status_change(entries=[entry], to_status=Status.IN_ROUND, changed_by=organiser, round_number=1)
    assert exc.value.code == "bad_transition"


def test_screen_out_needs_a_reason(event, organiser):
    entry = EntryFactory(event=event, status=Status.SUBMITTED, submitted_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.entry_screen(entries=[entry], screened_in=False, screened_by=organiser, reason="  ")
    assert exc.value.code == "reason_required"
    assert Entry.objects.get(pk=entry.pk).status == Status.SUBMITTED


def test_in_round_needs_a_round_number(event, organiser):
    entry = EntryFactory(event=event, status=Status.SCREENED_IN, submitted_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.entries_status_change(entries=[entry], to_status=Status.IN_ROUND, changed_by=organiser)
    assert exc.value.code == "round_required"


def test_bulk_screening_is_all_or_nothing_and_skips_entries_already_there(event, organiser):
    now = timezone.now()
    ready = EntryFactory.create_batch(3, event=event, status=Status.SUBMITTED, submitted_at=now)
    already = EntryFactory(event=event, status=Status.SCREENED_IN, submitted_at=now)
    draft = EntryFactory(event=event)

    with pytest.raises(ValidationError) as exc:
        services.entry_screen(entries=[*ready, already, draft], screened_in=True, screened_by=organiser)
    assert exc.value.code == "bad_transition"
    assert draft.title in exc.value.messages[0]
    assert set(Entry.objects.filter(pk__in=[e.pk for e in ready]).values_list("status", flat=True)) == {"submitted"}

    moved = services.entry_screen(entries=[*ready, already], screened_in=True, screened_by=organiser)
    assert sorted(e.pk for e in moved) == sorted(e.pk for e in ready)
    assert StatusChange.objects.filter(to_status=Status.SCREENED_IN).count() == 3


def test_organisers_cannot_set_entrant_statuses(event, organiser):
    entry = EntryFactory(event=event)
    for status in (Status.SUBMITTED, Status.WITHDRAWN, Status.DRAFT):
        with pytest.raises(ValidationError):
            services.entries_status_change(entries=[entry], to_status=status, changed_by=organiser)


@pytest.mark.parametrize("role", [Role.ENTRANT, Role.JUDGE, Role.AUDIENCE, None])
def test_only_organisers_of_the_event_screen(event, role):
    entry = EntryFactory(event=event, status=Status.SUBMITTED, submitted_at=timezone.now())
    user = UserFactory()
    if role:
        EventRole.objects.create(event=event, user=user, role=role)
    elsewhere = UserFactory()
    EventRole.objects.create(event=EventFactory(), user=elsewhere, role=Role.ORGANISER)
    for person in (user, elsewhere):
        with pytest.raises(PermissionDenied):
            services.entry_screen(entries=[entry], screened_in=True, screened_by=person)
    assert Entry.objects.get(pk=entry.pk).status == Status.SUBMITTED


def _owner_only_calls(entry, question_id):
    member = entry.team.get(is_lead=True)
    return {
        "update": lambda user: services.entry_update(entry=entry, changed_by=user, summary="Hijacked"),
        "submit": lambda user: services.entry_submit(entry=entry, submitted_by=user),
        "withdraw": lambda user: services.entry_withdraw(entry=entry, withdrawn_by=user),
        "answers": lambda user: services.answers_save(entry=entry, changed_by=user, answers={question_id: "x"}),
        "team_add": lambda user: services.team_member_add(entry=entry, changed_by=user, name="Intruder"),
        "team_update": lambda user: services.team_member_update(member=member, changed_by=user, name="Intruder"),
        "attachment": lambda user: services.attachment_add(
            entry=entry, changed_by=user, kind="deck", upload=io.BytesIO(b"%PDF-")
        ),
    }


@pytest.mark.parametrize("call", ["update", "submit", "withdraw", "answers", "team_add", "team_update", "attachment"])
def test_an_entrant_can_never_change_another_entrants_entry(event, track, entrant, other_entrant, organiser, call):
    question = QuestionFactory(event=event)
    entry = _create(event, entrant, track)
    services.entry_create(event=event, owner=other_entrant, title_en="Mine")
    for intruder in (other_entrant, organiser):
        with pytest.raises(PermissionDenied):
            _owner_only_calls(entry, question.pk)[call](intruder)
    entry.refresh_from_db()
    assert (entry.summary, entry.status) == ("A safer battery.", Status.DRAFT)
    assert list(entry.team.values_list("name", flat=True)) == ["李明"]
    assert entry.answers.count() == 0


def test_notes_are_for_organisers(event, organiser, entrant):
    entry = EntryFactory(event=event, owner=entrant)
    note = services.entry_note_add(entry=entry, author=organiser, text="  Same team as last year  ")
    assert note.text == "Same team as last year"
    with pytest.raises(PermissionDenied):
        services.entry_note_add(entry=entry, author=entrant, text="Let me in")
    with pytest.raises(ValidationError):
        services.entry_note_add(entry=entry, author=organiser, text="   ")


def test_normalise_title_ignores_case_spaces_and_punctuation():
    assert services.normalise_title("Solid-State  Battery!") == "solidstatebattery"
    assert services.normalise_title("固态 电池，项目") == "固态电池项目"
