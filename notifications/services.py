"""Notification rules: send one to a person (with the same news by e-mail when wanted), mark them read."""

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from accounts.services import email_user

from .models import Notification


def notification_send(*, user: User, kind: str, title: str, body: str = "", url: str = "", event=None) -> Notification:
    """Store a site notification for ``user``; ``title`` and ``body`` are already in the user's language."""
    return Notification.objects.create(user=user, kind=kind, title=title[:300], body=body, url=url[:500], event=event)


def user_notify(
    *, user: User, event, template: str, kind: str, url: str, context: dict, body: str = ""
) -> Notification:
    """E-mail ``user`` the ``template`` and leave the same news on the site, both in the user's language.

    The e-mail's context holds ``event`` and ``url`` (``url`` made absolute with ``SITE_URL``) besides
    ``context``; the notification's title is the e-mail's subject on one line and links to ``url``.
    """
    context = {"event": event, "url": f"{settings.SITE_URL}{url}", **context}
    email_user(user=user, template=template, context=context)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        title = " ".join(render_to_string(f"{template}_subject.txt", {"user": user, **context}).split())
    return notification_send(user=user, kind=kind, title=title, body=body, url=url, event=event)


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
