"""E-mails and site notifications about entries, in each recipient's language."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from notifications.models import Notification
from registration import services, tasks
from registration.models import Status
from tests.factories import EntryFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def english_entrant():
    return UserFactory(email="lee@example.org", name_en="Lee", name_zh="李", language="en")


@pytest.fixture
def chinese_entrant():
    return UserFactory(email="wang@example.org", name_en="Wang", name_zh="王芳", language="zh-hans")


def _entry(event, owner, **extra):
    return EntryFactory(event=event, owner=owner, title_zh="固态电池", title_en="Solid-state battery", **extra)


def test_submission_receipt_is_in_english_for_an_english_speaker(
    event, english_entrant, django_capture_on_commit_callbacks
):
    entry = _entry(event, english_entrant)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=entry, submitted_by=english_entrant)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lee@example.org"]
    assert message.subject == "We received your entry “Solid-state battery”"
    assert "Dear Lee," in message.body
    assert f"Its reference is {entry.reference}." in message.body
    assert f"http://127.0.0.1:8000{entry.get_absolute_url()}" in message.body
    assert "固态电池" not in message.body

    note = Notification.objects.get(user=english_entrant)
    assert (note.kind, note.title, note.url, note.event) == (
        "entry.submitted",
        "We received your entry “Solid-state battery”",
        entry.get_absolute_url(),
        event,
    )


def test_submission_receipt_is_in_chinese_for_a_chinese_speaker(
    event, chinese_entrant, django_capture_on_commit_callbacks
):
    entry = _entry(event, chinese_entrant)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=entry, submitted_by=chinese_entrant)

    message = mail.outbox[0]
    assert "固态电池" in message.subject
    assert "Solid-state battery" not in message.subject
    assert "王芳" in message.body
    assert "Solid-state battery" not in message.body
    assert "固态电池" in Notification.objects.get(user=chinese_entrant).title


def test_each_person_gets_their_own_language_in_one_bulk_change(
    event, organiser, english_entrant, chinese_entrant, django_capture_on_commit_callbacks
):
    now = timezone.now()
    people = (english_entrant, chinese_entrant)
    entries = [_entry(event, person, status=Status.SUBMITTED, submitted_at=now) for person in people]
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_screen(entries=entries, screened_in=False, screened_by=organiser, reason="Outside the tracks")

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["lee@example.org", "wang@example.org"]
    english = by_recipient["lee@example.org"]
    assert english.subject == "Your entry “Solid-state battery”: Screened out"
    assert "Reason: Outside the tracks" in english.body
    chinese = by_recipient["wang@example.org"]
    assert "固态电池" in chinese.subject
    assert "Outside the tracks" in chinese.body
    assert Notification.objects.filter(kind="entry.screened_out").count() == 2
    assert Notification.objects.get(user=english_entrant).body == "Outside the tracks"


def test_a_second_submit_sends_nothing(event, english_entrant, django_capture_on_commit_callbacks):
    entry = _entry(event, english_entrant)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=entry, submitted_by=english_entrant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.entry_submit(entry=entry, submitted_by=english_entrant)
    assert callbacks == []
    assert len(mail.outbox) == 1


def test_round_status_names_the_round(event, organiser, english_entrant, django_capture_on_commit_callbacks):
    entry = _entry(event, english_entrant, status=Status.SCREENED_IN, submitted_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.entries_status_change(entries=[entry], to_status=Status.IN_ROUND, changed_by=organiser, round_number=2)
    assert mail.outbox[0].subject == "Your entry “Solid-state battery”: In round 2"


@pytest.fixture
def closing_soon(event):
    window = event.registration_settings
    window.closes_at = timezone.now() + dt.timedelta(days=2)
    window.reminder_days_before = 3
    window.save()
    return window


def test_draft_owners_are_reminded_once_in_their_language(
    event, closing_soon, english_entrant, chinese_entrant, organiser
):
    _entry(event, english_entrant, summary="")
    _entry(event, chinese_entrant)
    _entry(event, UserFactory(), status=Status.SUBMITTED, submitted_at=timezone.now())

    assert tasks.send_draft_reminders.delay().get() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["lee@example.org", "wang@example.org"]
    english = by_recipient["lee@example.org"]
    assert english.subject == "Your entry “Solid-state battery” is not submitted yet"
    assert "- A summary of the project\n" in english.body
    with translation.override("en"):
        assert services.china_time(closing_soon.closes_at) in english.body
    assert "固态电池" in by_recipient["wang@example.org"].subject
    assert Notification.objects.filter(kind="entry.reminder").count() == 2

    assert tasks.send_draft_reminders.delay().get() == 0
    assert len(mail.outbox) == 2


def test_no_reminder_before_it_is_due_and_a_new_deadline_re_arms_it(event, closing_soon, english_entrant, organiser):
    closing_soon.closes_at = timezone.now() + dt.timedelta(days=10)
    closing_soon.save()
    _entry(event, english_entrant)
    assert tasks.send_draft_reminders.delay().get() == 0

    services.registration_settings_set(
        event=event,
        changed_by=organiser,
        opens_at=closing_soon.opens_at,
        closes_at=timezone.now() + dt.timedelta(days=1),
        reminder_days_before=3,
    )
    assert tasks.send_draft_reminders.delay().get() == 1
    services.registration_settings_set(
        event=event,
        changed_by=organiser,
        opens_at=closing_soon.opens_at,
        closes_at=timezone.now() + dt.timedelta(days=2),
        reminder_days_before=3,
    )
    assert tasks.send_draft_reminders.delay().get() == 1
    assert len(mail.outbox) == 2


def test_the_reminder_runs_on_celery_beat(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["registration-draft-reminders"]
    assert schedule["task"] == "registration.tasks.send_draft_reminders"
    assert tasks.send_draft_reminders.name == schedule["task"]
