"""The registration part of 'My dashboard': entrants see their entries and what is missing;
organisers see how many entries wait to be screened."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Section, Task

from .models import Status
from .selectors import entries_of_owner, organiser_screening_counts
from .services import entry_missing


def _entry_task(entry) -> Task:
    label = f"{entry.title or _('Untitled draft')} · {entry.status_label()}"
    if entry.status == Status.DRAFT:
        missing = entry_missing(entry)
        note = (
            _("Missing: %(items)s") % {"items": "; ".join(m.message for m in missing)}
            if missing
            else _("Complete: ready to submit.")
        )
        url = reverse(
            "registration:entry_submit" if not missing else "registration:entry_edit",
            kwargs={"slug": entry.event.slug, "pk": entry.pk},
        )
        return Task(label, url, note)
    return Task(label, entry.get_absolute_url(), entry.status_reason)


def sections(user) -> list[Section]:
    result = []
    entries = list(entries_of_owner(user))
    if entries:
        section = Section(title=_("My entries"), order=5)
        section.tasks = [_entry_task(entry) for entry in entries]
        result.append(section)
    for event, to_screen, received in organiser_screening_counts(user):
        if not received:
            continue  # nothing submitted yet: the event's own section is enough
        url = reverse("registration:screening", kwargs={"slug": event.slug})
        result.append(
            Section(
                title=_("Screening: %(event)s") % {"event": event.title},
                event_title=event.title,
                order=8,
                tasks=[
                    Task(
                        _("%(count)s entries to screen") % {"count": to_screen},
                        f"{url}?status={Status.SUBMITTED}",
                        _("%(count)s entries received in all") % {"count": received},
                    )
                ],
            )
        )
    return result
