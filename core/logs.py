"""Log records that carry the request they belong to, and an optional JSON line format (``LOG_FORMAT=json``).

The request id lives in a context variable: asgiref copies the context into the thread a sync
view or ``sync_to_async`` call runs in, so every record of a request carries its id, on the
event loop and in those threads alike. Loaded by ``LOGGING`` before the apps: no Django imports.
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# An incoming X-Request-ID (from the proxy or a client) is kept only if it is short and plain:
# it is written into every log line and echoed in a response header.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
NO_REQUEST = "-"


def request_id_from(header: str | None) -> str:
    """The incoming id if it is sane, else a new one."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


# Tasks run by a worker log under their task id; an eager task inside a request keeps the request's.
_tasks_with_own_id: set[str] = set()


def _task_started(task_id: str | None = None, **kwargs) -> None:
    if task_id and request_id_var.get() is None:
        request_id_var.set(task_id)
        _tasks_with_own_id.add(task_id)


def _task_ended(task_id: str | None = None, **kwargs) -> None:
    if task_id in _tasks_with_own_id:
        _tasks_with_own_id.discard(task_id)
        request_id_var.set(None)


def _keep_configured_logging(**kwargs) -> None:
    """Celery's ``setup_logging``: any receiver stops the worker replacing the handlers ``LOGGING`` set."""


def celery_logging_connect(*, keep_django_logging: bool) -> None:
    """Task ids in the records of tasks; with ``keep_django_logging`` (JSON logs) the worker logs like the site."""
    from celery import signals

    signals.task_prerun.connect(_task_started, dispatch_uid="core.logs.task_started")
    signals.task_postrun.connect(_task_ended, dispatch_uid="core.logs.task_ended")
    if keep_django_logging:
        signals.setup_logging.connect(_keep_configured_logging, dispatch_uid="core.logs.keep_django_logging")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (the current request's, or "-") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or NO_REQUEST
        return True


# Attributes every LogRecord has: the rest came through ``extra=`` and go into the JSON object.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, exception, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get() or NO_REQUEST,
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False, default=str)
