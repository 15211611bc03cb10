"""The database connection pool seen from the site: its figures, and a 503 instead of a 500 when
the database cannot be had.

With PostgreSQL each process keeps a psycopg pool of at most ``DB_POOL_MAX_SIZE`` connections
(settings, README "Database connections"). A request that finds every connection busy waits up to
``DB_POOL_TIMEOUT`` seconds; if none comes free, or PostgreSQL is down or restarting, the request
fails with ``OperationalError``/``InterfaceError``. ``DatabaseUnavailableMiddleware`` answers
those with 503 and ``Retry-After``: a page in both languages, or a JSON body under ``/api/``.
"""

import logging
import sqlite3
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again (the Retry-After header).
RETRY_AFTER_SECONDS = 5
# The two languages the page is written in, the request's own first.
PAGE_LANGUAGES = ("zh-hans", "en")
# The figures of psycopg_pool's get_stats() that /healthz and /metrics report.
POOL_FIGURES = ("pool_min", "pool_max", "pool_size", "pool_available", "requests_waiting")
_UNAVAILABLE_MARK = "_database_unavailable"


def pool_stats(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int] | None:
    """This process's pool figures, or None when the database has no pool (SQLite, DB_POOL off).

    ``pool_size`` connections are open, ``pool_available`` of them idle, ``requests_waiting``
    requests wait for one; ``in_use`` is ``pool_size - pool_available``. Cumulative counters of
    psycopg_pool (``requests_num``, ``requests_wait_ms``, ``requests_errors``, ``connections_lost``,
    ...) follow when they are non-zero. Reading them creates no pool and opens no connection.
    """
    wrapper = connections[alias]
    pools = getattr(wrapper, "_connection_pools", None)
    if pools is None or not wrapper.settings_dict.get("OPTIONS", {}).get("pool"):
        return None
    pool = pools.get(alias)
    if pool is None:  # configured, not opened yet: nothing served from this process so far
        options = wrapper.settings_dict["OPTIONS"]["pool"]
        options = options if isinstance(options, dict) else {}
        return {
            "pool_min": options.get("min_size", 4),
            "pool_max": options.get("max_size", options.get("min_size", 4)),
            "pool_size": 0,
            "pool_available": 0,
            "requests_waiting": 0,
            "in_use": 0,
        }
    stats = pool.get_stats()
    stats["in_use"] = stats["pool_size"] - stats["pool_available"]
    return stats


# SQLSTATE classes that mean "no usable connection": connection exceptions (08), insufficient
# resources such as too many connections (53), operator intervention such as a shutdown or a
# server still starting up (57).
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception behind Django's wrapper (Django raises its copy ``from`` it)."""
    return exc.__cause__ if isinstance(exc, DatabaseError) and exc.__cause__ is not None else exc


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for the errors that mean "no database connection now", which a retry a few seconds
    later can cure: the pool's wait ran out (psycopg_pool.PoolTimeout) or it refused to queue more,
    the server is down, restarting or full, or the connection broke under the request; with SQLite,
    the file stayed locked. A query's own error (a bad statement, a missing table, a constraint)
    is not one of them: it stays a 500, with its traceback when DEBUG is on."""
    if exc is None:
        return False
    driver = _driver_error(exc)
    if isinstance(exc, InterfaceError):  # Django's own: the connection is already closed
        return True
    try:
        import psycopg
        from psycopg_pool import PoolTimeout, TooManyRequests
    except ImportError:  # pragma: no cover - both are requirements
        psycopg = None
    else:
        if isinstance(driver, PoolTimeout | TooManyRequests):
            return True
    if psycopg is not None and isinstance(driver, psycopg.InterfaceError):
        return True
    if psycopg is not None and isinstance(driver, psycopg.OperationalError):
        # No SQLSTATE: the client library's own failure (refused, reset, closed unexpectedly).
        sqlstate = driver.sqlstate
        return sqlstate is None or sqlstate.startswith(UNAVAILABLE_SQLSTATE_CLASSES)
    if isinstance(driver, sqlite3.OperationalError):
        return "locked" in str(driver) or "busy" in str(driver)
    return False


def _request_language(request: HttpRequest) -> str:
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)
    return "en" if language.startswith("en") else "zh-hans"


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON ``{"errors": {"non_field_errors": [...]}, "code": ...}`` for the
    API, otherwise a page saying it in both languages. Touches no database."""
    language = _request_language(request)
    if request.path.startswith("/api/"):
        with translation.override(language):
            message = gettext(
                "The service is very busy or its database is restarting. Please try again in a few seconds."
            )
        response = JsonResponse({"errors": {"non_field_errors": [message]}, "code": "database_unavailable"})
    else:
        languages = sorted(PAGE_LANGUAGES, key=lambda code: code != language)
        sections = []
        for code in languages:
            with translation.override(code):
                sections.append(
                    {
                        "lang": "zh-Hans" if code == "zh-hans" else code,
                        "title": gettext("The site is busy for a moment"),
                        "message": gettext(
                            "The service is very busy or its database is restarting. If you were saving "
                            "something, it may not have been saved: please try again in a few seconds."
                        ),
                        "retry": gettext("Try again"),
                    }
                )
        html = render_to_string(
            "core/database_unavailable.html",
            {
                "sections": sections,
                "page_lang": sections[0]["lang"],
                "retry_url": request.get_full_path() if request.method == "GET" else "",
            },
        )
        response = HttpResponse(html)
    response.status_code = 503
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _mark_unavailable(sender, request=None, **kwargs) -> None:
    """``got_request_exception``: remember that the 500 being built is a database outage.

    Django turns an exception raised in a middleware (a session or user read before the view)
    into a 500 response right there; only this signal sees the exception, and the middleware
    below then swaps that 500 for the 503.
    """
    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        setattr(request, _UNAVAILABLE_MARK, True)


got_request_exception.connect(_mark_unavailable, dispatch_uid="core.db.mark_unavailable")


class DatabaseUnavailableMiddleware:
    """Answer 503 (never 500) when the database cannot be reached or the pool has no connection.

    Sits near the top of ``MIDDLEWARE`` so it also sees the failures of the middleware below it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _UNAVAILABLE_MARK, False):
            return unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.warning(
            "Database unavailable for %s %s: %s",
            request.method,
            request.path,
            exception.__class__.__name__,
            exc_info=settings.DEBUG,
        )
        return unavailable_response(request)
