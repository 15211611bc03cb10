"""Redis stops and starts again under a live room: is any stored chat message lost to a viewer?

    .venv/bin/python bench/room_redis_restart.py                 # 30 viewers, 4 msg/s for 24 s, Redis down 6 s
    .venv/bin/python bench/room_redis_restart.py --viewers 100 --down 10

It starts its own throw-away ``redis-server`` on a free loopback port (the machine's Redis is
left alone), then a daphne on the Redis channel layer, cache and broker (``bench/_room_common.py``;
SQLite, or PostgreSQL when DATABASE_URL is set). Viewers are ``websockets`` clients that do what
room.js does: when their socket closes they reconnect with ``?since=<last seq>``. The sender posts
``chat.send`` frames with its own ``client_id`` and resends a message (same ``client_id``) until it
sees it come back, as room.js does. A third of the way in, Redis is stopped; ``--down`` seconds
later it is started again on the same port, empty.

At the end a fresh client connects with ``?since=0`` and reads the room's whole stored log: every
viewer must have received every stored chat message, each exactly once, and every message the
sender posted must be stored once. It prints the figures and exits 1 when anything was lost.
"""

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import websockets
from websockets.exceptions import WebSocketException

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _room_common import ROOM_PATH, free_port, room_daphne, stop_process
from _servers import start_redis

RECONNECT_SECONDS = 0.5
RESEND_SECONDS = 3.0
DRAIN_SECONDS = 20.0


class Viewer:
    """A room.js-like viewer: counts chat messages by client_id, resumes with since after a drop."""

    def __init__(self, url: str, origin: str):
        self.url, self.origin = url, origin
        self.last_seq = 0
        self.seen: dict[str, int] = {}
        self.reconnects = 0
        self.stopped = False

    async def run(self) -> None:
        first = True
        while not self.stopped:
            url = self.url if first else f"{self.url}?since={self.last_seq}"
            try:
                async with websockets.connect(url, additional_headers={"Origin": self.origin}) as socket:
                    first = False
                    async for raw in socket:
                        self._read(json.loads(raw))
                        if self.stopped:
                            return
            except (OSError, TimeoutError, WebSocketException):
                pass
            if not self.stopped:
                self.reconnects += 1
                await asyncio.sleep(RECONNECT_SECONDS)

    def _read(self, frame: dict) -> None:
        if frame.get("type") == "room.state":
            self.last_seq = max(self.last_seq, frame["seq"])
            for message in frame.get("chat", []):
                self._chat(message)
        elif "seq" in frame:
            self.last_seq = max(self.last_seq, frame["seq"])
            if frame["type"] == "chat.message":
                self._chat(frame)

    def _chat(self, message: dict) -> None:
        key = message.get("client_id") or f"seq{message['seq']}"
        # Counted by seq: the state's recent chat and a replayed event are the same message, once.
        self.seen.setdefault(key, message["seq"])


async def _sender(url: str, origin: str, session: str, total: int, rate: float) -> dict:
    """Post ``total`` messages at ``rate``; resend each (same client_id) until it comes back."""
    headers = {"Origin": origin, "Cookie": f"sessionid={session}"}
    confirmed: set[str] = set()
    attempts = 0
    queue = [f"r{n}" for n in range(total)]
    next_due = time.monotonic()
    while queue:
        try:
            async with websockets.connect(url, additional_headers=headers) as socket:
                await socket.recv()  # room.state
                while queue:
                    client_id = queue[0]
                    await asyncio.sleep(max(0.0, next_due - time.monotonic()))
                    attempts += 1
                    await socket.send(json.dumps({"type": "chat.send", "text": client_id, "client_id": client_id}))
                    deadline = time.monotonic() + RESEND_SECONDS
                    while time.monotonic() < deadline:
                        try:
                            frame = json.loads(await asyncio.wait_for(socket.recv(), deadline - time.monotonic()))
                        except TimeoutError:
                            break
                        if frame.get("type") == "chat.message" and frame.get("client_id") == client_id:
                            confirmed.add(client_id)
                            queue.pop(0)
                            next_due = max(next_due + 1 / rate, time.monotonic())
                            break
                        if frame.get("type") == "error":
                            await asyncio.sleep(0.5)
                            break
        except (OSError, TimeoutError, WebSocketException):
            await asyncio.sleep(RECONNECT_SECONDS)
    return {"attempts": attempts, "confirmed": confirmed}


async def _stored_log(url: str, origin: str) -> dict[str, int]:
    """Every stored chat message of the room (client_id → seq), read by a fresh ``?since=0`` client."""
    reader = Viewer(url, origin)
    async with websockets.connect(f"{url}?since=0", additional_headers={"Origin": origin}) as socket:
        state = json.loads(await socket.recv())
        reader._read(state)
        while True:
            try:
                reader._read(json.loads(await asyncio.wait_for(socket.recv(), 2.0)))
            except TimeoutError:
                return reader.seen


async def _run(args, url: str, origin: str, session: str, redis_port: int, folder: str, redis: list) -> dict:
    viewers = [Viewer(url, origin) for _ in range(args.viewers)]
    tasks = [asyncio.create_task(viewer.run()) for viewer in viewers]
    await asyncio.sleep(2)
    total = int(args.rate * args.seconds)
    sending = asyncio.create_task(_sender(url, origin, session, total, args.rate))
    await asyncio.sleep(args.seconds / 3)
    stop_process(redis[0])
    print(f"  Redis stopped at t={args.seconds / 3:.0f} s for {args.down:.0f} s", flush=True)
    await asyncio.sleep(args.down)
    redis[0] = await asyncio.to_thread(start_redis, redis_port, folder)
    print("  Redis started again (empty)", flush=True)
    sent = await sending
    stored = await _stored_log(url, origin)
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline and any(set(v.seen) != set(stored) for v in viewers):
        await asyncio.sleep(0.5)
    for viewer in viewers:
        viewer.stopped = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"sent": sent, "stored": stored, "viewers": viewers, "total": total}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", type=int, default=30)
    parser.add_argument("--rate", type=float, default=4.0)
    parser.add_argument("--seconds", type=float, default=24.0)
    parser.add_argument("--down", type=float, default=6.0)
    args = parser.parse_args()
    if not (1 <= args.viewers <= 500 and 0 < args.rate <= 20 and 3 <= args.seconds <= 120 and 0 < args.down <= 60):
        parser.error("bounded: 1–500 viewers, at most 20 msg/s, 3–120 s, Redis down at most 60 s")
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        print("room_redis_restart: skipped, redis-server/redis-cli are not installed")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        redis_port = free_port()
        redis = [start_redis(redis_port, folder)]
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        try:
            with room_daphne() as (base_url, session, _pid):
                url = base_url.replace("http://", "ws://") + ROOM_PATH
                print(
                    f"\nRedis restart under a live room: {args.viewers} viewers, {args.rate:g} msg/s for "
                    f"{args.seconds:g} s, Redis down {args.down:g} s (Redis channel layer, cache and broker)"
                )
                result = asyncio.run(_run(args, url, base_url, session, redis_port, folder, redis))
        finally:
            stop_process(redis[0])
    return _report(result)


def _report(result: dict) -> int:
    stored, viewers, sent = result["stored"], result["viewers"], result["sent"]
    posted = {f"r{n}" for n in range(result["total"])}
    duplicates_stored = len(stored) - len(set(stored.values()))
    missing_store = sorted(posted - set(stored))
    short = [viewer for viewer in viewers if set(viewer.seen) != set(stored)]
    lost = sum(len(set(stored) - set(viewer.seen)) for viewer in viewers)
    print(f"  sender: {result['total']} messages, {sent['attempts']} sends (resends after the outage included)")
    print(
        f"  stored: {len(stored)} chat messages, {len(missing_store)} posted but not stored, {duplicates_stored} twice"
    )
    print(
        f"  viewers: {len(viewers) - len(short)}/{len(viewers)} received every stored message; "
        f"{lost} deliveries missing; {sum(v.reconnects for v in viewers)} reconnects with since"
    )
    ok = not short and not missing_store and not duplicates_stored
    print(f"  result: {'no stored chat message lost' if ok else 'MESSAGES LOST'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
