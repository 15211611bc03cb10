"""Notification rules: send one to a person, mark them read."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from .models import Notification


def notification_send(*, user: User, kind: str, title: str, body: str = "", url: str = "", event=None) -> Notification:
    """Store a site notification for ``user``; ``title`` and ``body`` are already in the user's language."""
    return Notification.objects.create(user=user, kind=kind, title=title[:300], body=body, url=url[:500], event=event)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (only ``ids`` when given); returns how many changed.

    A person can only ever mark their own notifications.
    """
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("event").order_by("-created_at", "-id")
