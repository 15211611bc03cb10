"""Notification rules: send one to a person (with the same news by e-mail when wanted), mark them read."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from accounts.services import email_user

from .models import Delivery, Notification


def notification_send(
    *, user: User, kind: str, title: str, body: str = "", url: str = "", event=None, once: str | None = None
) -> Notification | None:
    """Store a site notification for ``user``; ``title`` and ``body`` are already in the user's language.

    With ``once`` (see ``Delivery``) it is stored at most once per (``once``, user): a second call
    with the same key stores nothing and returns None.
    """
    if once is None:
        return _notification_create(user=user, kind=kind, title=title, body=body, url=url, event=event)
    try:
        with transaction.atomic():
            notification = _notification_create(user=user, kind=kind, title=title, body=body, url=url, event=event)
            Delivery.objects.create(key=once[:200], user=user, notification=notification, emailed=False)
    except IntegrityError:
        return None
    return notification


def _notification_create(*, user: User, kind: str, title: str, body: str, url: str, event) -> Notification:
    return Notification.objects.create(user=user, kind=kind, title=title[:300], body=body, url=url[:500], event=event)


def user_notify(
    *, user: User, event, template: str, kind: str, url: str, context: dict, body: str = "", once: str | None = None
) -> Notification | None:
    """E-mail ``user`` the ``template`` and leave the same news on the site, both in the user's language.

    The e-mail's context holds ``event`` and ``url`` (``url`` made absolute with ``SITE_URL``) besides
    ``context``; the notification's title is the e-mail's subject on one line and links to ``url``.

    With ``once`` (a task's key, see ``task_key``) the person gets this e-mail at most once per key,
    however often the task runs: the ``Delivery`` and the notification are committed first, then the
    e-mail is sent and the delivery marked sent. A second call with the key sends nothing and
    returns None. If the mail server refuses the e-mail, both rows are removed again and the error
    raised, so a retry may send it.
    """
    context = {"event": event, "url": f"{settings.SITE_URL}{url}", **context}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        title = " ".join(render_to_string(f"{template}_subject.txt", {"user": user, **context}).split())
    if once is None:
        email_user(user=user, template=template, context=context)
        return _notification_create(user=user, kind=kind, title=title, body=body, url=url, event=event)
    try:
        with transaction.atomic():
            notification = _notification_create(user=user, kind=kind, title=title, body=body, url=url, event=event)
            delivery = Delivery.objects.create(key=once[:200], user=user, notification=notification)
    except IntegrityError:
        return None
    try:
        email_user(user=user, template=template, context=context)
    except Exception:
        Delivery.objects.filter(pk=delivery.pk).delete()
        Notification.objects.filter(pk=notification.pk).delete()
        raise
    Delivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
    return notification


def task_key(task, *parts: object) -> str | None:
    """The ``once`` key of a message sent by a run of the bound Celery ``task``: its id (which a
    redelivered task keeps) and ``parts`` (what in the batch the message is about).

    None when the function is called directly rather than as a task: nothing to repeat then.
    """
    task_id = task.request.id
    return ":".join([task.name, task_id, *map(str, parts)]) if task_id else None


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
