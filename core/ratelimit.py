"""A fixed-window rate limit kept in the default cache.

The counters live in the cache, so every process shares them when Redis is the cache (with the
local-memory cache each process counts on its own). A window is ``period`` seconds of the clock;
its counter expires after two windows.
"""

import time

from django.core.cache import cache


def rate_limited(key: str, *, limit: int, period: int) -> bool:
    """Count one attempt under ``key`` in the current window of ``period`` seconds; True once the
    window holds more than ``limit`` attempts (the attempt that is refused is counted too)."""
    window = int(time.time() // period)
    cache_key = f"{key}:{window}"
    cache.add(cache_key, 0, timeout=period * 2)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period * 2)
        count = 1
    return count > limit
