"""Registration e-mails and site notifications, sent by Celery in the recipient's language.

Tasks take ids, load the objects, and call services; they are queued after the
transaction that made the change has committed. Each e-mail carries a ``once`` key (see
``notifications.models.Delivery``): a task run again after its worker died sends no one the
same e-mail twice.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from notifications.services import user_notify

from . import services
from .models import Entry, ExportJob, RegistrationSettings, Status, StatusChange


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(*, entry: Entry, template: str, kind: str, context: dict, once: str, body: str = "") -> None:
    """E-mail the entry's owner and leave the same news on the site, both in the owner's language."""
    url = entry.get_absolute_url()
    user_notify(
        user=entry.owner,
        event=entry.event,
        template=template,
        kind=kind,
        url=url,
        context={"entry": entry, "entry_url": _absolute(url), **context},
        body=body,
        once=once,
    )


@shared_task
def notify_status_change(change_id: int) -> None:
    """Tell the owner that their entry was received, or that its status changed (with the reason)."""
    change = (
        StatusChange.objects.select_related("entry__event", "entry__owner", "entry__track").filter(pk=change_id).first()
    )
    if change is None or change.to_status == Status.DRAFT:
        return
    template = (
        "registration/email/submitted" if change.to_status == Status.SUBMITTED else "registration/email/status_changed"
    )
    _send(
        entry=change.entry,
        template=template,
        kind=f"entry.{change.to_status}",
        context={"change": change, "closes_at": _closing_time(change.entry)},
        body=change.reason,
        once=f"entry.status:{change.pk}",
    )


def _closing_time(entry: Entry) -> str:
    window = services.registration_settings_of(entry.event)
    return services.china_time(window.closes_at) if window else ""


def _reminder_key(entry: Entry) -> str:
    """One reminder per draft and deadline: moving the deadline re-arms it (``registration_configure``)."""
    window = services.registration_settings_of(entry.event)
    return f"entry.reminder:{entry.pk}:{window.closes_at.isoformat() if window else ''}"


@shared_task
def send_draft_reminder(entry_id: int) -> None:
    """Remind the owner of one unsubmitted draft of what is missing and when registration closes."""
    entry = Entry.objects.select_related("event", "owner", "track").filter(pk=entry_id).first()
    if entry is None or entry.status != Status.DRAFT:
        return
    with translation.override(entry.owner.language or settings.LANGUAGE_CODE):
        missing = [m.message for m in services.entry_missing(entry)]
        closes_at = _closing_time(entry)
    _send(
        entry=entry,
        template="registration/email/draft_reminder",
        kind="entry.reminder",
        context={"missing": missing, "closes_at": closes_at},
        body="\n".join(missing),
        once=_reminder_key(entry),
    )


@shared_task
def send_draft_reminders() -> int:
    """Celery beat: once per event, ``reminder_days_before`` days before the deadline, remind
    every owner of a draft. Returns how many reminders were queued."""
    now = timezone.now()
    queued = 0
    due = RegistrationSettings.objects.filter(
        reminder_sent_at__isnull=True, reminder_days_before__gt=0, closes_at__gt=now, opens_at__lte=now
    )
    for window in due:
        if now < window.closes_at - timedelta(days=window.reminder_days_before):
            continue
        # Queue every reminder, then mark the window reminded: a run killed half-way is run again
        # (acks_late) and queues them all again; each reminder's ``once`` key drops the repeats,
        # as it does when two beat runs overlap.
        for entry_id in Entry.objects.filter(event_id=window.event_id, status=Status.DRAFT).values_list(
            "pk", flat=True
        ):
            send_draft_reminder.delay(entry_id)
            queued += 1
        RegistrationSettings.objects.filter(pk=window.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
    return queued


@shared_task
def build_export(job_id: int) -> None:
    """Build a requested spreadsheet of entries (see ``services.export_build``).

    A job left "being built" by a worker that died is built again when the task is redelivered.
    """
    job = ExportJob.objects.select_related("event", "requested_by").filter(pk=job_id).first()
    if job is not None and not job.is_finished:
        services.export_build(job=job)
