"""Room fan-out benchmark: N viewers in one room of a local daphne, one sender at R chat messages/s.

    .venv/bin/python bench/bench_room.py --viewers 1000 --rate 10 --seconds 10

It builds a throw-away SQLite database (or, with DATABASE_URL set, a throw-away PostgreSQL
database; with REDIS_URL set, daphne uses the Redis channel layer), starts daphne on a free
loopback port, connects the viewers (anonymous, public room) and one signed-in sender, sends
``rate × seconds`` messages and prints: delivered %, p50/p99 latency from send to receipt,
deliveries/s, connect time and daphne's memory per idle viewer. Bounded: at most 5,000
viewers and 60 s of sending; it stops by itself. Loopback only.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

import websockets
from websockets.exceptions import ConnectionClosed, WebSocketException

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _room_common import ROOM_PATH, cpu_seconds, layer_name, percentile, room_daphne, rss_kib

MAX_VIEWERS = 5000
JOIN_BATCH = 100
MAX_SECONDS = 60
DRAIN_SECONDS = 30


class _Viewers:
    """What all viewer connections share: how many got their state, and when each message arrived."""

    def __init__(self):
        self.connected = 0
        self.failed = 0
        self.sockets: list = []
        self.received: dict[str, list[float]] = {}


async def _viewer(url: str, origin: str, viewers: _Viewers) -> None:
    try:
        socket = await websockets.connect(url, additional_headers={"Origin": origin}, max_queue=None)
        await socket.recv()  # room.state
    except (OSError, WebSocketException):
        viewers.failed += 1
        return
    viewers.connected += 1
    viewers.sockets.append(socket)
    try:
        async for raw in socket:
            now = time.perf_counter()
            frame = json.loads(raw)
            if frame["type"] == "chat.message":
                viewers.received.setdefault(frame["client_id"], []).append(now)
    except ConnectionClosed:
        pass


async def _run(base_url: str, session: str, viewers: int, rate: float, seconds: float, daphne_pid: int) -> dict:
    url = base_url.replace("http://", "ws://") + ROOM_PATH
    shared = _Viewers()
    rss_before = rss_kib(daphne_pid)
    started = time.perf_counter()
    tasks = []
    # Viewers arrive in waves of JOIN_BATCH at once, each wave once the previous one is in.
    for first in range(0, viewers, JOIN_BATCH):
        wave = min(JOIN_BATCH, viewers - first)
        tasks += [asyncio.ensure_future(_viewer(url, base_url, shared)) for _ in range(wave)]
        deadline = time.perf_counter() + 60
        while shared.connected + shared.failed < first + wave and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
    connect_seconds = time.perf_counter() - started
    viewers = shared.connected
    await asyncio.sleep(1)
    rss_idle = rss_kib(daphne_pid)

    sent: dict[str, float] = {}
    received = shared.received
    total = int(rate * seconds)
    headers = {"Origin": base_url, "Cookie": f"sessionid={session}"}
    async with websockets.connect(url, additional_headers=headers) as sender:
        await sender.recv()
        started_send = time.perf_counter()
        cpu_at_start = cpu_seconds(daphne_pid), cpu_seconds(os.getpid())
        for n in range(total):
            await asyncio.sleep(max(0.0, started_send + n / rate - time.perf_counter()))
            client_id = f"b{n}"
            sent[client_id] = time.perf_counter()
            await sender.send(json.dumps({"type": "chat.send", "text": f"message {n}", "client_id": client_id}))
        deadline = time.perf_counter() + DRAIN_SECONDS
        while time.perf_counter() < deadline and sum(len(v) for v in received.values()) < total * viewers:
            await asyncio.sleep(0.2)
        busy = time.perf_counter() - started_send
        cpu_used = [
            (cpu_seconds(pid) - before) / busy
            for pid, before in zip((daphne_pid, os.getpid()), cpu_at_start, strict=True)
        ]
    await asyncio.gather(*(socket.close() for socket in shared.sockets), return_exceptions=True)
    await asyncio.gather(*tasks, return_exceptions=True)

    latencies = [t - sent[cid] for cid, times in received.items() if cid in sent for t in times]
    deliveries = len(latencies)
    last = max((t for times in received.values() for t in times), default=started_send)
    return {
        "viewers": viewers,
        "messages": total,
        "delivered_pct": 100.0 * deliveries / (total * viewers),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * percentile(latencies, 0.99) if latencies else float("nan"),
        "deliveries_per_s": deliveries / max(1e-9, last - started_send),
        "connect_s": connect_seconds,
        "failed_connects": shared.failed,
        "cpu_daphne": cpu_used[0],
        "cpu_clients": cpu_used[1],
        "idle_kib_per_viewer": (rss_idle - rss_before) / viewers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="chat messages per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    viewers = max(1, min(args.viewers, MAX_VIEWERS))
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))

    with room_daphne() as (base_url, session, daphne_pid):
        result = asyncio.run(_run(base_url, session, viewers, args.rate, seconds, daphne_pid))

    layer = layer_name()
    print(f"room fan-out through daphne ({layer}), {result['viewers']} viewers, {args.rate:g} msg/s × {seconds:g} s")
    print(f"  delivered        {result['delivered_pct']:.2f} % of {result['messages'] * result['viewers']}")
    print(f"  latency p50/p99  {result['p50_ms']:.0f} ms / {result['p99_ms']:.0f} ms")
    print(f"  deliveries/s     {result['deliveries_per_s']:.0f}")
    print(f"  connect          {result['connect_s']:.1f} s, {result['failed_connects']} refused or timed out")
    print(f"  CPU while sending daphne {result['cpu_daphne']:.0%}, clients {result['cpu_clients']:.0%} of a core")
    print(f"  daphne memory    {result['idle_kib_per_viewer']:.1f} KiB per idle viewer")


if __name__ == "__main__":
    main()
