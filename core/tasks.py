"""Queuing a notification task so that a broker outage does not lose it."""

import logging

from celery import Task, uuid
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args) -> None:
    """Queue ``task``; if Redis stays unreachable past the publish retries
    (``CELERY_PUBLISH_RETRY_SECONDS``), run it here and now instead of losing it.

    For the notification tasks: they are short, and their e-mails carry once keys (some made of
    the task's id, which both runs share here), so running one in the web process while the
    broker is away sends nothing twice, even if the message did reach Redis after all.
    """
    task_id = uuid()
    try:
        task.apply_async(args=args, task_id=task_id)
    except OperationalError:
        logger.warning("Broker unreachable: running %s%r in this process", task.name, args, exc_info=True)
        task.apply(args=args, task_id=task_id, throw=True)
