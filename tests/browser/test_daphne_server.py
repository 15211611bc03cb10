"""The shared daphne fixture serves the site on the services the environment asks for."""

import json
import os
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def test_healthz_reports_the_configured_services(daphne_server):
    with urllib.request.urlopen(daphne_server.url("/healthz")) as response:
        assert response.status == 200
        report = json.load(response)
    postgres = bool(os.environ.get("DATABASE_URL"))
    redis = bool(os.environ.get("REDIS_URL"))
    assert report["status"] == "ok"
    database = report["checks"]["database"]
    assert (database["ok"], database["detail"]) == (True, "postgresql" if postgres else "sqlite")
    # PostgreSQL goes through the connection pool, whose figures the report carries; SQLite has none.
    assert ("pool" in database) == postgres
    if postgres:
        assert database["pool"]["pool_max"] >= database["pool"]["pool_size"] >= database["pool"]["pool_available"]
    assert report["checks"]["cache"] == {"ok": True, "detail": "RedisCache" if redis else "LocMemCache"}
    assert report["checks"]["channel_layer"] == {
        "ok": True,
        "detail": "RedisPubSubChannelLayer" if redis else "InMemoryChannelLayer",
    }


def test_static_files_are_served_in_debug(daphne_server):
    with urllib.request.urlopen(daphne_server.url("/static/css/site.css")) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
