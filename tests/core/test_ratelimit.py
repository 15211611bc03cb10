"""The shared fixed-window rate limit, against the local-memory cache and (with ``REDIS_URL``) Redis."""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.test import override_settings

from core.ratelimit import rate_limited

pytestmark = pytest.mark.unit

START = dt.datetime(2026, 9, 1, 10, 0, 0, tzinfo=dt.UTC)  # a whole minute: a 60-second window starts here


def _cache_settings(backend: str) -> dict:
    # A key prefix of the test's own: nothing here meets other keys in a shared Redis, and the
    # counters expire by themselves after two windows, so nothing needs clearing.
    prefix = f"ratelimit-test-{uuid.uuid4().hex}"
    if backend == "redis":
        config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    else:
        config = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}
    return {"default": {**config, "KEY_PREFIX": prefix}}


@pytest.fixture(params=["locmem", "redis"], autouse=True)
def backend(request):
    """Each test runs against the local-memory cache and, where ``REDIS_URL`` is set, Redis."""
    if request.param == "redis" and not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the Redis cache is tested where one is configured")
    with override_settings(CACHES=_cache_settings(request.param)):
        yield request.param


def attempts(key: str, count: int, *, limit: int = 3, period: int = 60) -> list[bool]:
    return [rate_limited(key, limit=limit, period=period) for _ in range(count)]


def test_the_limit_is_allowed_and_every_attempt_after_it_refused(backend, clock):
    assert type(caches["default"]).__name__ == {"locmem": "LocMemCache", "redis": "RedisCache"}[backend]
    clock.freeze(START)
    assert attempts("chat:1", 5) == [False, False, False, True, True]


def test_a_new_window_starts_a_new_count(clock):
    clock.freeze(START)
    assert attempts("chat:1", 4) == [False, False, False, True]
    clock.shift(dt.timedelta(seconds=59))  # still the same window
    assert attempts("chat:1", 1) == [True]
    clock.shift(dt.timedelta(seconds=1))
    assert attempts("chat:1", 4) == [False, False, False, True]


def test_windows_follow_the_clock_not_the_first_attempt(clock):
    clock.freeze(START + dt.timedelta(seconds=50))
    assert attempts("vote:ip", 3, limit=2, period=60) == [False, False, True]
    clock.shift(dt.timedelta(seconds=10))  # 10:01:00, a new window although only 10 s passed
    assert attempts("vote:ip", 1, limit=2, period=60) == [False]


def test_keys_are_counted_separately(clock):
    clock.freeze(START)
    assert attempts("chat:room1:user1", 4) == [False, False, False, True]
    assert attempts("chat:room1:user2", 3) == [False, False, False]
    assert attempts("chat:room2:user1", 3) == [False, False, False]
    assert attempts("chat:room1:user1", 1) == [True]


def test_a_counter_that_vanished_between_add_and_incr_starts_again_at_one(monkeypatch, clock):
    monkeypatch.setattr(caches["default"], "add", lambda *args, **kwargs: False)  # as if it expired at once
    clock.freeze(START)
    assert attempts("reaction:1", 1, limit=1) == [False]
    window = int(START.timestamp()) // 60
    assert cache.get(f"reaction:1:{window}") == 1
    assert attempts("reaction:1", 1, limit=1) == [True]
