"""A task run again after its worker died (Celery redelivers it, with the same id) sends no one
anything twice, and an export is built once (the services-mode proof with a real worker that is
killed is tests/test_fault_worker_kill.py)."""

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

import notifications.services
from judging import tasks as judging_tasks
from landing import services as landing_services
from landing.models import CadenceTask
from notifications.models import Delivery, Notification
from notifications.services import user_notify
from registration import exports
from registration import services as registration_services
from registration import tasks as registration_tasks
from registration.models import ExportJob, Status, export_folder
from tests.factories import (
    EntryFactory,
    EventFactory,
    EventRoleFactory,
    LandedCompanyFactory,
    RegistrationSettingsFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no ``except Exception`` sees it."""


@pytest.fixture
def killed_after_sending(monkeypatch):
    """The worker dies right after the n-th e-mail left, before it was marked sent (the worst moment)."""

    def arm(n: int) -> None:
        original = notifications.services.email_user
        sent = []

        def email_then_die(**kwargs):
            original(**kwargs)
            sent.append(kwargs["user"])
            if len(sent) == n:
                monkeypatch.setattr(notifications.services, "email_user", original)
                raise WorkerKilled

        monkeypatch.setattr(notifications.services, "email_user", email_then_die)

    return arm


def recipients() -> Counter:
    return Counter(address for message in mail.outbox for address in message.to)


def test_a_key_sends_the_email_and_the_notification_once():
    user = UserFactory(email="judge@example.org", language="en")
    event = EventFactory()
    args = {
        "user": user,
        "event": event,
        "template": "judging/email/results_released",
        "kind": "test",
        "url": "/",
        "context": {"round": RoundFactory(event=event)},
    }
    first = user_notify(**args, once="k1")
    assert user_notify(**args, once="k1") is None

    assert recipients() == Counter({"judge@example.org": 1})
    assert Notification.objects.filter(user=user).get() == first
    delivery = Delivery.objects.get(key="k1", user=user)
    assert (delivery.notification, delivery.emailed, delivery.sent_at is not None) == (first, True, True)


def test_a_refused_email_leaves_no_record_so_a_retry_sends_it(monkeypatch):
    user = UserFactory(email="judge@example.org", language="en")
    event = EventFactory()
    args = {"user": user, "event": event, "template": "judging/email/results_released", "kind": "test", "url": "/"}

    def refused(**kwargs):
        raise ConnectionRefusedError("mail server down")

    context = {"round": RoundFactory(event=event)}
    original = notifications.services.email_user
    monkeypatch.setattr(notifications.services, "email_user", refused)
    with pytest.raises(ConnectionRefusedError):
        user_notify(**args, context=context, once="k2")
    assert (Delivery.objects.count(), Notification.objects.count()) == (0, 0)

    monkeypatch.setattr(notifications.services, "email_user", original)
    user_notify(**args, context=context, once="k2")
    assert recipients() == Counter({"judge@example.org": 1})


def test_results_released_to_a_batch_killed_half_way_reach_everyone_once(killed_after_sending):
    event = EventFactory()
    round_ = RoundFactory(event=event)
    owners = [UserFactory(email=f"owner{n}@example.org", language="en") for n in range(6)]
    for owner in owners:
        EntryFactory(event=event, owner=owner, status=Status.SCREENED_IN, submitted_at=timezone.now())

    killed_after_sending(3)
    with pytest.raises(WorkerKilled):
        judging_tasks.notify_results_released.apply(args=[round_.pk], task_id="release-1")
    assert len(mail.outbox) == 3
    # The broker hands the unacknowledged task to the next worker: same id.
    judging_tasks.notify_results_released.apply(args=[round_.pk], task_id="release-1")

    assert recipients() == Counter({owner.email: 1 for owner in owners})
    assert Notification.objects.filter(kind="judging.results_released").count() == 6
    # The third e-mail left but the worker died before marking it: its outcome is "unknown", not resent.
    unconfirmed = Delivery.objects.filter(sent_at__isnull=True)
    assert list(unconfirmed.values_list("user__email", flat=True)) == ["owner2@example.org"]
    # A release queued again on purpose (a new task id) is news again.
    judging_tasks.notify_results_released.apply(args=[round_.pk], task_id="release-2")
    assert len(mail.outbox) == 12


def test_draft_reminders_queued_by_a_killed_beat_run_go_out_once(monkeypatch):
    event = EventFactory(is_published=True)
    RegistrationSettingsFactory(event=event, closes_at=timezone.now() + dt.timedelta(days=2), reminder_days_before=3)
    owners = [UserFactory(email=f"draft{n}@example.org", language="en") for n in range(4)]
    for owner in owners:
        EntryFactory(event=event, owner=owner)
    original = registration_tasks.send_draft_reminder.delay
    queued = []

    def queue_then_die(entry_id):
        if len(queued) == 2:
            raise WorkerKilled
        queued.append(entry_id)
        return original(entry_id)

    monkeypatch.setattr(registration_tasks.send_draft_reminder, "delay", queue_then_die)
    with pytest.raises(WorkerKilled):
        registration_tasks.send_draft_reminders.apply(task_id="beat-1")
    assert len(mail.outbox) == 2
    monkeypatch.setattr(registration_tasks.send_draft_reminder, "delay", original)

    assert registration_tasks.send_draft_reminders.apply(task_id="beat-1").get() == 4
    assert recipients() == Counter({owner.email: 1 for owner in owners})
    assert registration_tasks.send_draft_reminders.apply().get() == 0  # the window is marked reminded


def test_overdue_checks_of_a_killed_run_are_told_once_and_flagged(killed_after_sending):
    event = EventFactory()
    organisers = [UserFactory(email=f"org{n}@example.org", language="en") for n in range(3)]
    for organiser in organisers:
        EventRoleFactory(event=event, user=organiser, role="organiser")
    company = LandedCompanyFactory(entry__event=event, event=event, incorporated_on=dt.date(2026, 10, 8))
    landing_services.cadence_tasks_create(today=dt.date(2026, 11, 1))

    killed_after_sending(2)
    with pytest.raises(WorkerKilled):
        landing_services.cadence_overdue_flag(today=dt.date(2027, 1, 5))
    assert CadenceTask.objects.filter(company=company, overdue_flagged_at__isnull=False).count() == 0

    assert landing_services.cadence_overdue_flag(today=dt.date(2027, 1, 5)) == 3
    assert recipients() == Counter({organiser.email: 1 for organiser in organisers})
    assert landing_services.cadence_overdue_flag(today=dt.date(2027, 1, 5)) == 0
    assert len(mail.outbox) == 3


def test_an_export_left_half_built_by_a_dead_worker_is_built_once(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    event = EventFactory()
    organiser = UserFactory(language="en")
    EventRoleFactory(event=event, user=organiser, role="organiser")
    EntryFactory.create_batch(3, event=event)
    job = ExportJob.objects.create(event=event, requested_by=organiser, format="csv")
    # The dead worker had marked it running and written part of a file.
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING, processed=1, total=3)
    storage = job.file.storage
    storage.save(f"{export_folder(job)}/{event.slug}-entries-half.csv", ContentFile(b"Reference\n"))

    registration_tasks.build_export.apply(args=[job.pk], task_id="export-1")
    registration_tasks.build_export.apply(args=[job.pk], task_id="export-1")

    job.refresh_from_db()
    assert (job.state, job.processed, ExportJob.objects.filter(event=event).count()) == ("done", 3, 1)
    assert storage.listdir(export_folder(job))[1] == [job.file.name.rsplit("/", 1)[1]]
    assert job.file.read().decode("utf-8-sig").count("\n") == 4


def test_of_two_overlapping_builds_the_first_to_finish_keeps_its_file(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    event = EventFactory()
    organiser = UserFactory(language="en")
    EventRoleFactory(event=event, user=organiser, role="organiser")
    job = ExportJob.objects.create(event=event, requested_by=organiser, format="csv")
    original = exports.write_csv

    def second_delivery_finishes_meanwhile(header, data):
        monkeypatch.setattr(exports, "write_csv", original)
        registration_services.export_build(job=ExportJob.objects.get(pk=job.pk))
        return original(header, data)

    monkeypatch.setattr(exports, "write_csv", second_delivery_finishes_meanwhile)
    slow = registration_services.export_build(job=ExportJob.objects.get(pk=job.pk))

    job.refresh_from_db()
    assert (slow.state, slow.file.name, job.state) == ("done", job.file.name, "done")
    assert job.file.storage.listdir(export_folder(job))[1] == [job.file.name.rsplit("/", 1)[1]]
    # A build asked for once the job is done changes nothing.
    assert registration_services.export_build(job=slow).file.name == job.file.name
    assert job.file.storage.listdir(export_folder(job))[1] == [job.file.name.rsplit("/", 1)[1]]


def test_an_export_that_cannot_be_queued_says_so(monkeypatch, django_capture_on_commit_callbacks):
    """Redis down past the publish retries: the organiser sees why, not "Waiting" forever."""
    event = EventFactory()
    organiser = UserFactory(language="en")
    EventRoleFactory(event=event, user=organiser, role="organiser")

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(registration_tasks.build_export, "delay", broker_down)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        job = registration_services.export_request(event=event, requested_by=organiser, fmt="csv")

    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "The task service could not be reached. Ask for the export again.")


def test_a_notice_that_cannot_be_queued_is_sent_by_the_web_process(monkeypatch, django_capture_on_commit_callbacks):
    """Redis down past the publish retries: the status e-mail goes out from here, once."""
    event = EventFactory(is_published=True)
    RegistrationSettingsFactory(event=event)
    owner = UserFactory(email="owner@example.org", language="en")
    entry = EntryFactory(event=event, owner=owner)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(registration_tasks.notify_status_change, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.entry_submit(entry=entry, submitted_by=owner)

    assert recipients() == Counter({"owner@example.org": 1})
    assert Delivery.objects.filter(user=owner, key__startswith="entry.status:").count() == 1
