"""Redis unreachable: the cache answers as an empty one, rate limits fail open, pages and the API
answer, and /healthz still names the outage (core/cache.py; the restart under traffic with a real
Redis is bench/redis_restart_cache_broker.py)."""

import json
import logging
import socket

import pytest
from django.core.cache import caches
from django.test import override_settings

from core import cache as resilient
from core.ratelimit import rate_limited

pytestmark = [pytest.mark.integration]


@pytest.fixture
def redis_down():
    """The default cache is the resilient Redis cache on a loopback port nothing listens on."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # bound, never listened: connections are refused at once
    config = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }
    resilient.ResilientRedisCache._last_warning = 0.0
    with override_settings(CACHES=config):
        yield caches["default"]


@pytest.fixture(autouse=True)
def _test_settings():
    """Replaces the suite's fixture, whose clean-up clears the (here unreachable) cache."""


def test_an_unreachable_redis_reads_as_an_empty_cache(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert redis_down.add("k", 1) is True  # as on an empty cache
        redis_down.set("k", 1)
        assert redis_down.get("k", "default") == "default"
        assert redis_down.get_many(["k", "j"]) == {}
        assert redis_down.incr("k", 5) == 5
        assert redis_down.has_key("k") is False
        assert redis_down.delete("k") is False
        assert redis_down.set_many({"a": 1}) == ["a"]
    # One warning per outage, not one per call.
    assert [r.getMessage() for r in caplog.records] == [
        "Cache unreachable (ConnectionError on add): answering as an empty cache"
    ]


def test_rate_limits_fail_open_while_redis_is_down(redis_down):
    assert [rate_limited("chat:1", limit=2, period=60) for _ in range(5)] == [False] * 5


@pytest.mark.django_db
def test_the_api_and_the_sign_in_page_answer_while_redis_is_down(redis_down, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The API's throttles and allauth's sign-in limits keep their counters in the cache.
    assert client.get("/api/v1/events/").status_code == 200
    response = client.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.django_db
def test_healthz_still_names_the_outage(redis_down, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["cache"] == {"ok": False, "detail": "ConnectionError"}
