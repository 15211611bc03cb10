"""Checks that the services the site depends on answer."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import caches
from django.db import connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; its message is reported
        return False, exc.__class__.__name__
    return True, connection.vendor


def check_cache() -> tuple[bool, str]:
    key = f"healthz:{uuid.uuid4().hex}"
    cache = caches["default"]
    try:
        cache.set(key, "ok", 10)
        ok = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as exc:
        return False, exc.__class__.__name__
    return ok, cache.__class__.__name__ if ok else "value not read back"


async def _channel_roundtrip(layer) -> bool:
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=3)
    return message.get("type") == "healthz.ping"


def check_channel_layer() -> tuple[bool, str]:
    layer = get_channel_layer()
    if layer is None:
        return False, "not configured"
    try:
        ok = async_to_sync(_channel_roundtrip)(layer)
    except Exception as exc:
        return False, exc.__class__.__name__
    return ok, layer.__class__.__name__


CHECKS = {"database": check_database, "cache": check_cache, "channel_layer": check_channel_layer}


def health_report() -> tuple[bool, dict[str, dict[str, object]]]:
    report = {}
    for name, check in CHECKS.items():
        ok, detail = check()
        report[name] = {"ok": ok, "detail": detail}
    return all(item["ok"] for item in report.values()), report
