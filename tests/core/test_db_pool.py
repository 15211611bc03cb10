"""No connection to be had (pool exhausted, PostgreSQL down or restarting): 503 with Retry-After, never 500.

Also: core.db.pool_stats() for /healthz and /metrics, and the settings that bound the connections.
"""

import json
import sqlite3

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from psycopg_pool import PoolTimeout

from core import db

pytestmark = [pytest.mark.integration, pytest.mark.urls(__name__)]


def pool_timeout(request):
    # What Django raises when psycopg_pool's wait for a connection runs out: its OperationalError from PoolTimeout.
    raise OperationalError("couldn't get a connection after 5.00 sec") from PoolTimeout(
        "couldn't get a connection after 5.00 sec"
    )


def server_gone(request):
    raise InterfaceError("connection already closed")


def server_refused(request):
    raise OperationalError("connection failed") from psycopg.OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    )


def server_full(request):
    raise OperationalError("too many clients") from psycopg.errors.TooManyConnections(
        "FATAL: sorry, too many clients already"
    )


def server_shutting_down(request):
    raise OperationalError("shutting down") from psycopg.errors.AdminShutdown(
        "terminating connection due to administrator command"
    )


def sqlite_locked(request):
    raise OperationalError("database is locked") from sqlite3.OperationalError("database is locked")


def missing_table(request):
    raise OperationalError("no such table: events_event") from sqlite3.OperationalError("no such table: events_event")


def deadlock(request):
    raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected("deadlock detected")


def other_database_error(request):
    raise DatabaseError("syntax error at or near")


def a_bug(request):
    raise ValueError("not a database outage")


urlpatterns = [
    path("busy/", pool_timeout),
    path("gone/", server_gone),
    path("refused/", server_refused),
    path("full/", server_full),
    path("shutting-down/", server_shutting_down),
    path("locked/", sqlite_locked),
    path("api/v1/busy/", pool_timeout),
    path("missing-table/", missing_table),
    path("deadlock/", deadlock),
    path("broken/", other_database_error),
    path("bug/", a_bug),
    path("fine/", lambda request: HttpResponse("fine")),
]


class SessionReadFails:
    """A middleware below ours that reads the database before the view, as the session and user do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("connection failed") from psycopg.OperationalError("Connection refused")


@pytest.fixture
def client():
    # Exceptions become responses as in production instead of being raised into the test.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/busy/", "/gone/", "/refused/", "/full/", "/shutting-down/", "/locked/"])
def test_a_page_answers_503_in_both_languages_when_the_database_cannot_be_had(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == str(db.RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The site is busy for a moment" in page
    assert "网站暂时繁忙" in page
    # The request's language comes first, and the page offers to try the same address again.
    assert page.index("The site is busy for a moment") < page.index("网站暂时繁忙")
    assert f'href="{url}"' in page


def test_the_page_puts_chinese_first_for_a_chinese_request(client):
    page = client.get("/busy/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert page.index("网站暂时繁忙") < page.index("The site is busy for a moment")
    assert '<html lang="zh-Hans">' in page


def test_a_failed_post_is_not_offered_again_as_a_link(client):
    response = client.post("/busy/")
    assert response.status_code == 503
    assert 'href="/busy/"' not in response.content.decode()


def test_the_api_answers_503_as_json_in_the_request_language(client):
    response = client.get("/api/v1/busy/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == str(db.RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["code"] == "database_unavailable"
    assert body["errors"]["non_field_errors"] == [
        "The service is very busy or its database is restarting. Please try again in a few seconds."
    ]
    chinese = json.loads(client.get("/api/v1/busy/", HTTP_ACCEPT_LANGUAGE="zh-hans").content)
    assert chinese["errors"]["non_field_errors"][0].startswith("服务")


def test_a_failure_in_a_middleware_before_the_view_is_a_503_too(client, settings):
    position = settings.MIDDLEWARE.index("core.db.DatabaseUnavailableMiddleware") + 1
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:position], f"{__name__}.SessionReadFails"]
    response = client.get("/fine/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "The site is busy for a moment" in response.content.decode()


@pytest.mark.parametrize("url", ["/missing-table/", "/deadlock/", "/broken/", "/bug/"])
def test_a_query_s_own_error_or_a_bug_stays_500(client, url):
    assert client.get(url).status_code == 500


def test_the_middleware_sits_above_every_middleware_that_reads_the_database():
    middleware = settings.MIDDLEWARE
    ours = middleware.index("core.db.DatabaseUnavailableMiddleware")
    assert ours < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert ours < middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")


def test_pool_stats_describe_the_pool_or_are_none_without_one():
    stats = db.pool_stats()
    if not (settings.USING_POSTGRES and settings.DB_POOL):
        assert stats is None
        return
    options = settings.DATABASES["default"]["OPTIONS"]["pool"]
    assert (stats["pool_min"], stats["pool_max"]) == (options["min_size"], options["max_size"])
    assert stats["in_use"] == stats["pool_size"] - stats["pool_available"]
    assert 0 <= stats["in_use"] <= stats["pool_size"] <= stats["pool_max"]
