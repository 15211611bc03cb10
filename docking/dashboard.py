"""The docking part of 'My dashboard': meeting requests a person has to answer and their
upcoming meetings (two queries, whatever the number of events)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Section, Task
from registration.services import china_time

from .selectors.meetings import pending_requests_to_answer, upcoming_meetings

UPCOMING_MAX = 10


def sections(user) -> list[Section]:
    if not user.is_authenticated:
        return []
    sections: list[Section] = []
    pending = list(pending_requests_to_answer(user))
    if pending:
        section = Section(title=_("Meeting requests to answer"), order=4)
        for request in pending:
            section.tasks.append(
                Task(
                    _("%(person)s: “%(project)s”")
                    % {"person": request.requested_by.display_name, "project": str(request.entry)},
                    reverse("docking:request_detail", kwargs={"slug": request.event.slug, "pk": request.pk}),
                    request.event.title,
                )
            )
        sections.append(section)
    meetings = list(upcoming_meetings(user)[:UPCOMING_MAX])
    if meetings:
        section = Section(title=_("My upcoming meetings"), order=5)
        for meeting in meetings:
            where = _("Table %(table)s") % {"table": meeting.table.label} if meeting.table else _("Online")
            section.tasks.append(
                Task(
                    f"{china_time(meeting.starts_at)} · {meeting.entry}",
                    reverse("docking:meeting_detail", kwargs={"slug": meeting.event.slug, "pk": meeting.pk}),
                    f"{meeting.event.title} · {where}",
                )
            )
        sections.append(section)
    return sections
