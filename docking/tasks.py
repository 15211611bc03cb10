"""Docking notifications, sent by Celery in the recipient's language once the change has committed.

Tasks take ids, load the objects and leave a site notification for the other party.
"""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.services import notification_send, task_key
from registration.services import china_time

from .models import Meeting, MeetingRequest


def _request_url(request: MeetingRequest) -> str:
    return reverse("docking:request_detail", kwargs={"slug": request.event.slug, "pk": request.pk})


def _slots_text(request: MeetingRequest) -> str:
    return "\n".join(f"{china_time(slot.starts_at)} – {china_time(slot.ends_at)}" for slot in request.slots.all())


@shared_task
def notify_meeting_request(request_id: int) -> None:
    """Tell the invitee that someone asks to meet them (or proposes other times), with the times."""
    request = (
        MeetingRequest.objects.select_related("event", "entry", "requested_by", "invitee")
        .prefetch_related("slots")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return
    invitee = request.invitee
    with translation.override(invitee.language or settings.LANGUAGE_CODE):
        if request.counter_of_id:
            title = _("%(person)s proposes other times to meet about “%(project)s”")
        else:
            title = _("%(person)s asks to meet you about “%(project)s”")
        title = title % {"person": request.requested_by.display_name, "project": str(request.entry)}
        body = "\n\n".join(part for part in (request.message, _slots_text(request)) if part)
        notification_send(
            user=invitee,
            kind="docking.meeting_request",
            title=title,
            body=body,
            url=_request_url(request),
            event=request.event,
            once=f"docking.request:{request.pk}",
        )


@shared_task
def notify_request_answered(request_id: int) -> None:
    """Tell the requester that their request was accepted (with the time) or declined."""
    request = (
        MeetingRequest.objects.select_related("event", "entry", "requested_by", "invitee").filter(pk=request_id).first()
    )
    if request is None or request.status not in (MeetingRequest.Status.ACCEPTED, MeetingRequest.Status.DECLINED):
        return
    requester = request.requested_by
    with translation.override(requester.language or settings.LANGUAGE_CODE):
        names = {"person": request.invitee.display_name, "project": str(request.entry)}
        body = request.response_note
        if request.status == MeetingRequest.Status.ACCEPTED:
            title = _("%(person)s accepted your meeting about “%(project)s”") % names
            meeting = Meeting.objects.filter(request=request).first()
            if meeting is not None:
                when = _("Meeting time: %(start)s – %(end)s") % {
                    "start": china_time(meeting.starts_at),
                    "end": china_time(meeting.ends_at),
                }
                body = "\n\n".join(part for part in (when, body) if part)
        else:
            title = _("%(person)s declined your meeting request about “%(project)s”") % names
        notification_send(
            user=requester,
            kind=f"docking.request_{request.status}",
            title=title,
            body=body,
            url=_request_url(request),
            event=request.event,
            once=f"docking.answer:{request.pk}:{request.status}",
        )


@shared_task(bind=True)
def notify_meeting_arranged(self, meeting_id: int) -> None:
    """Tell each participant of a meeting an organiser put on the fair schedule when and where it is."""
    meeting = (
        Meeting.objects.select_related("event", "entry", "table")
        .prefetch_related("participants__user")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        return
    url = reverse("docking:meeting_detail", kwargs={"slug": meeting.event.slug, "pk": meeting.pk})
    for participant in meeting.participants.all():
        person = participant.user
        with translation.override(person.language or settings.LANGUAGE_CODE):
            title = _("A meeting about “%(project)s” is on your docking-fair schedule") % {
                "project": str(meeting.entry)
            }
            body = _("%(start)s – %(end)s, table %(table)s") % {
                "start": china_time(meeting.starts_at),
                "end": china_time(meeting.ends_at),
                "table": meeting.table.label if meeting.table else "",
            }
            notification_send(
                user=person,
                kind="docking.meeting_arranged",
                title=title,
                body=body,
                url=url,
                event=meeting.event,
                once=task_key(self),
            )
