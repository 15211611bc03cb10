"""Checks that the services the site depends on answer.

Each check returns ``(ok, detail)``: on success the detail names the backend, on failure
the exception's class (never its message, which may carry hosts or credentials). Every
check is bounded in time, so /healthz answers 503 quickly when a service hangs instead of
hanging itself: the database and Redis clients have connect and read timeouts (settings),
and the channel-layer round trip has its own deadline here. With PostgreSQL the database check
also carries this process's connection pool figures (``pool``: core.db.pool_stats()).
"""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import caches
from django.db import connection

from .db import POOL_FIGURES, pool_stats

# Seconds for one message to travel through the channel layer and back.
CHANNEL_LAYER_TIMEOUT = 3.0
# Seconds allowed for giving the test channel back to the layer.
CHANNEL_RELEASE_TIMEOUT = 1.0
PING = {"type": "healthz.ping"}


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return False, exc.__class__.__name__
    return True, connection.vendor


def database_pool() -> dict[str, int] | None:
    """This process's connection pool (core.db.pool_stats), read before the database check so
    that the check's own connection is not counted; None without a pool (SQLite)."""
    stats = pool_stats()
    if stats is None:
        return None
    return {name: stats[name] for name in (*POOL_FIGURES, "in_use")}


def check_cache() -> tuple[bool, str]:
    key = f"healthz:{uuid.uuid4().hex}"
    # The resilient Redis cache answers as an empty cache when Redis is down; ask Redis itself.
    cache = getattr(caches["default"], "unforgiving", caches["default"])
    try:
        cache.set(key, "ok", 10)
        ok = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as exc:
        return False, exc.__class__.__name__
    return ok, cache.__class__.__name__ if ok else "value not read back"


async def _channel_release(layer, channel: str) -> None:
    """Give ``channel`` back to the layer.

    Layers drop a channel (the Redis pub/sub layer also unsubscribes from it) when a
    pending ``receive`` on it is cancelled, which is how a consumer leaves. Without this a
    long-running process would keep one subscription per health check.
    """
    waiter = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)  # let the receive start waiting, so cancelling it runs its clean-up
    waiter.cancel()
    await asyncio.wait({waiter}, timeout=CHANNEL_RELEASE_TIMEOUT)


async def _channel_roundtrip(layer) -> bool:
    channel = await layer.new_channel(prefix="healthz.")
    try:
        await layer.send(channel, PING)
        message = await layer.receive(channel)
    finally:
        await _channel_release(layer, channel)
    return message == PING


async def _channel_roundtrip_bounded(layer) -> bool:
    return await asyncio.wait_for(_channel_roundtrip(layer), timeout=CHANNEL_LAYER_TIMEOUT)


def check_channel_layer() -> tuple[bool, str]:
    try:
        layer = get_channel_layer()
        if layer is None:
            return False, "not configured"
        ok = async_to_sync(_channel_roundtrip_bounded)(layer)
    except Exception as exc:
        return False, exc.__class__.__name__
    return ok, layer.__class__.__name__ if ok else "message not read back"


CHECKS = {"database": check_database, "cache": check_cache, "channel_layer": check_channel_layer}


def health_report() -> tuple[bool, dict[str, dict[str, object]]]:
    pool = database_pool()
    report = {}
    for name, check in CHECKS.items():
        ok, detail = check()
        report[name] = {"ok": ok, "detail": detail}
    if pool is not None:
        report["database"]["pool"] = pool
    return all(item["ok"] for item in report.values()), report
