"""/healthz: 200 when every service answers, 503 with the failing check named, never a hang."""

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.exceptions import InvalidChannelLayerError
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import caches
from django.db import OperationalError, connections

from core import health

ROOT = Path(__file__).resolve().parents[2]


def expected_checks() -> dict[str, dict[str, object]]:
    """What each check reports in the mode the suite runs in (embedded, or PostgreSQL + Redis)."""
    return {
        "database": {"ok": True, "detail": "postgresql" if settings.USING_POSTGRES else "sqlite"},
        "cache": {"ok": True, "detail": "RedisCache" if settings.REDIS_URL else "LocMemCache"},
        "channel_layer": {
            "ok": True,
            "detail": "RedisPubSubChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer",
        },
    }


def body_of(response) -> dict:
    """The JSON body, the pool's figures (PostgreSQL: they vary with use) checked for shape and taken out."""
    body = json.loads(response.content)
    pool = body["checks"]["database"].pop("pool", None)
    if settings.USING_POSTGRES and settings.DB_POOL:
        assert set(pool) == {"pool_min", "pool_max", "pool_size", "pool_available", "requests_waiting", "in_use"}
        assert pool["pool_max"] == settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    else:
        assert pool is None
    return body


@pytest.mark.integration
@pytest.mark.django_db
def test_healthz_answers_200_when_every_service_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert body_of(response) == {"status": "ok", "checks": expected_checks()}


@pytest.mark.integration
@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    def cursor_unavailable(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connections["default"], "cursor", cursor_unavailable)
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = expected_checks()
    checks["database"] = {"ok": False, "detail": "OperationalError"}
    assert body_of(response) == {"status": "unavailable", "checks": checks}


@pytest.mark.integration
@pytest.mark.django_db
def test_healthz_answers_503_when_the_channel_layer_cannot_be_built(client, monkeypatch):
    def layer_unavailable(*args, **kwargs):
        raise InvalidChannelLayerError("Cannot import BACKEND 'channels_redis.pubsub.RedisPubSubChannelLayer'")

    monkeypatch.setattr(health, "get_channel_layer", layer_unavailable)
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = expected_checks()
    checks["channel_layer"] = {"ok": False, "detail": "InvalidChannelLayerError"}
    assert body_of(response) == {"status": "unavailable", "checks": checks}


@pytest.mark.integration
@pytest.mark.django_db
def test_healthz_answers_503_when_the_channel_layer_cannot_send(client, monkeypatch):
    async def send_unavailable(channel, message):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(get_channel_layer(), "send", send_unavailable)
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = expected_checks()
    checks["channel_layer"] = {"ok": False, "detail": "ConnectionError"}
    assert body_of(response) == {"status": "unavailable", "checks": checks}


@pytest.mark.integration
@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_is_down(client, monkeypatch):
    def set_unavailable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    # With Redis, the check asks Redis through the resilient cache's unforgiving side (core/cache.py).
    monkeypatch.setattr(getattr(caches["default"], "unforgiving", caches["default"]), "set", set_unavailable)
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = expected_checks()
    checks["cache"] = {"ok": False, "detail": "ConnectionError"}
    assert body_of(response) == {"status": "unavailable", "checks": checks}


@pytest.mark.integration
@pytest.mark.django_db
def test_healthz_stays_on_plain_http_when_https_is_enforced(client, settings):
    """Container health checks talk plain HTTP to daphne; every other page moves to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    response = client.get("/api/v1/events/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/events/"


@pytest.mark.unit
def test_channel_layer_check_gives_up_when_no_message_comes_back(monkeypatch):
    async def send_into_the_void(channel, message):
        return None

    async def receive_never(channel):
        await asyncio.Event().wait()

    layer = get_channel_layer()
    monkeypatch.setattr(health, "CHANNEL_LAYER_TIMEOUT", 0.05)
    monkeypatch.setattr(layer, "send", send_into_the_void)
    monkeypatch.setattr(layer, "receive", receive_never)
    assert health.check_channel_layer() == (False, "TimeoutError")


@pytest.mark.unit
def test_channel_layer_check_gives_its_channel_back():
    """A long-running process must not keep one channel (a Redis subscription) per health check."""
    layer = get_channel_layer()

    async def roundtrip_twice():
        before = set(layer.channels)
        results = [await health._channel_roundtrip_bounded(layer) for _ in range(2)]
        return results, set(layer.channels) - before

    assert async_to_sync(roundtrip_twice)() == ([True, True], set())


@pytest.mark.integration
def test_health_report_does_not_hang_when_redis_does_not_answer(tmp_path):
    """A Redis that accepts connections but never replies (overloaded, half-dead) fails the checks in time.

    The listening socket never accepts: the kernel completes the TCP handshake and nothing is
    ever read or written, so only the client's timeouts end the wait.
    """
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    script = (
        "import json, django; django.setup(); from core.health import health_report; print(json.dumps(health_report()))"
    )
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "contest_site.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'health.sqlite3'}",
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "REDIS_TIMEOUT": "0.5",
    }
    try:
        # The timeout only guards the suite against a hang; the checks end long before it.
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        silent.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        False,
        {
            "database": {"ok": True, "detail": "sqlite"},
            "cache": {"ok": False, "detail": "TimeoutError"},
            "channel_layer": {"ok": False, "detail": "TimeoutError"},
        },
    ]
