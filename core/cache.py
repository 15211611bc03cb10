"""The Redis cache, answering as an empty cache while Redis cannot be reached.

What the site keeps in the cache can be lost: rate-limit counters (allauth's logins, the API's
throttles, chat and votes through ``core.ratelimit``) and the rooms' reaction totals. Sessions are
in the database, not here. With Django's own backend a Redis restart turned every request that
touches a counter into an HTTP 500 (``redis.exceptions.ConnectionError``): every API call and
every sign-in.

While Redis is down this backend answers as an empty cache would (``get`` gives the default,
``add`` succeeds, ``incr`` counts from zero) and keeps nothing, logging one warning per outage. So rate limits fail
OPEN: for the seconds Redis is away nobody is refused for going too fast — a chosen trade, since
refusing everyone (failing closed) would take the whole site's sign-ins and API down with Redis,
and the counters restart anyway when Redis comes back empty. Once Redis answers again the
backend's client reconnects by itself. ``/healthz`` asks Redis through ``unforgiving`` and
reports the cache down, so the outage is seen.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# Seconds between two warnings while Redis stays down (a busy site would log every request).
WARN_EVERY = 30.0


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to an empty cache while
    Redis is unreachable (see the module's docstring for why rate limits then fail open)."""

    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._server_and_params = (server, params)

    @cached_property
    def unforgiving(self) -> RedisCache:
        """The same Redis through Django's plain backend, which raises when Redis is down: for
        ``/healthz``, which must name the outage."""
        return RedisCache(*self._server_and_params)

    def _unreachable(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= WARN_EVERY:
            ResilientRedisCache._last_warning = now
            logger.warning("Cache unreachable (%s on %s): answering as an empty cache", type(exc).__name__, operation)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as exc:
            self._unreachable("add", exc)
            return True  # as on an empty cache: allauth takes a failed add for a lock someone holds

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            self._unreachable("get", exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as exc:
            self._unreachable("set", exc)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as exc:
            self._unreachable("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as exc:
            self._unreachable("delete", exc)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as exc:
            self._unreachable("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNREACHABLE as exc:
            self._unreachable("has_key", exc)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as exc:
            self._unreachable("incr", exc)
            return delta

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as exc:
            self._unreachable("set_many", exc)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except UNREACHABLE as exc:
            self._unreachable("delete_many", exc)
            return None

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as exc:
            self._unreachable("clear", exc)
            return False
