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
    assert report["checks"]["database"] == {"ok": True, "detail": "postgresql" if postgres else "sqlite"}
    assert report["checks"]["cache"] == {"ok": True, "detail": "RedisCache" if redis else "LocMemCache"}
    assert report["checks"]["channel_layer"] == {
        "ok": True,
        "detail": "RedisPubSubChannelLayer" if redis else "InMemoryChannelLayer",
    }


def test_static_files_are_served_in_debug(daphne_server):
    with urllib.request.urlopen(daphne_server.url("/static/css/site.css")) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
