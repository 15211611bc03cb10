"""'My dashboard': unread notifications, when there are any."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Section, Task

from .models import Notification


def sections(user) -> list[Section]:
    unread = list(Notification.objects.filter(user=user, read_at__isnull=True).order_by("-created_at", "-id")[:5])
    if not unread:
        return []
    tasks = [Task(note.title, note.url or reverse("notifications:list")) for note in unread]
    tasks.append(Task(_("All notifications"), reverse("notifications:list")))
    return [Section(title=_("New notifications"), order=1, tasks=tasks)]
