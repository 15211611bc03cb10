"""Room fan-out against a bare websockets broadcast server: N viewers, one sender, same run, same clients.

    .venv/bin/python bench/room_fanout.py                  # 1,000 then 5,000 viewers, 10 msg/s for 10 s
    .venv/bin/python bench/room_fanout.py --viewers 2000 --rate 20 --seconds 5

For each viewer count it measures two servers the same way:

- the project: one local daphne serving one live public room (``bench/_room_common.py``: throw-away
  SQLite or, with DATABASE_URL, PostgreSQL database; Redis channel layer when REDIS_URL is set,
  else in-memory), viewers anonymous, the sender signed in and posting ``chat.send``;
- a bare server: the tiny asyncio ``websockets`` server below, which relays each text frame it
  receives, as received (encoded once), to every connected client.

Viewers are ``websockets`` clients spread over a few client processes; one sender posts
``rate × seconds`` messages at a steady rate. Printed per server: delivered %, p50/p99 latency
(send → receipt, one monotonic clock for all processes), deliveries/s, server CPU time per 1,000
deliveries (from /proc: it barely moves when other work loads the machine, unlike latency),
memory per idle viewer (server RSS delta / viewers, from /proc); then the ratios against the targets. Client and server
share this machine, so the figures are a lower bound for the server. Bounded: at most 5,000
viewers, 20 msg/s, 60 s of sending, 30 s of draining; loopback only; it stops by itself.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import websockets
from websockets.exceptions import ConnectionClosed, WebSocketException

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _room_common import (
    ROOM_PATH,
    cpu_seconds,
    free_port,
    layer_name,
    percentile,
    room_daphne,
    rss_kib,
    stop_process,
)

DEFAULT_VIEWERS = (1000, 5000)
MAX_VIEWERS = 5000
MAX_RATE = 20.0
MAX_SECONDS = 60.0
DRAIN_SECONDS = 30.0
CONNECT_SECONDS = 180.0
SENDER_ATTEMPTS = 5
# chat.message frames of both servers: the project's carry "type" first and "client_id" before "text".
CHAT_FRAME = re.compile(r'"type":\s*"chat\.message".*?"client_id":\s*"(b\d+)"')
JOIN_BATCH = 50  # concurrent handshakes per client process
TARGET_DELIVERED_PCT = 100.0
TARGET_THROUGHPUT_RATIO = 0.60
TARGET_P99_RATIO = 2.0


# --- the bare broadcast server -------------------------------------------------------------------


async def _bare_serve(port: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    clients = set()

    async def handler(socket) -> None:
        clients.add(socket)
        try:
            async for message in socket:
                broadcast(clients, message)  # the received text, written as is to everyone
        finally:
            clients.discard(socket)

    async with serve(handler, "127.0.0.1", port, max_queue=None, compression=None):
        await asyncio.get_running_loop().create_future()


def _start_bare_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-bare", str(port)], start_new_session=True, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            asyncio.run(_probe(f"ws://127.0.0.1:{port}/"))
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    stop_process(process)
    raise RuntimeError("the bare websockets server did not start within 30 s")


async def _probe(url: str) -> None:
    async with websockets.connect(url):
        pass


# --- viewers: one client process holds a share of them -----------------------------------------


async def _viewers_main(url: str, origin: str, count: int, first_frame: bool, expected: int, conn) -> None:
    """Connect ``count`` viewers, report, record when each chat message arrives until told to stop."""
    received: dict[str, list[float]] = {}
    state = {"connected": 0, "failed": 0, "complete": 0}
    failures: dict[str, int] = {}
    sockets = []
    all_complete = asyncio.Event()

    async def viewer() -> None:
        try:
            socket = await websockets.connect(
                url, additional_headers={"Origin": origin}, max_queue=None, compression=None, open_timeout=60
            )
            if first_frame:
                await socket.recv()  # room.state
        except (OSError, TimeoutError, WebSocketException) as exc:
            state["failed"] += 1
            reason = f"{type(exc).__name__}: {exc}"[:90]
            failures[reason] = failures.get(reason, 0) + 1
            return
        state["connected"] += 1
        sockets.append(socket)
        got = 0
        try:
            async for raw in socket:
                now = time.monotonic()
                # A regular expression, not json.loads: 5,000 viewers × 10 msg/s is 50,000 frames/s to read
                # on the same two cores as the server, so the clients keep their own share small.
                match = CHAT_FRAME.search(raw) if isinstance(raw, str) else None
                if match:
                    received.setdefault(match[1], []).append(now)
                    got += 1
                    if got == expected:
                        state["complete"] += 1
                        if state["complete"] == state["connected"]:
                            all_complete.set()
        except ConnectionClosed:
            pass

    tasks = []
    for first in range(0, count, JOIN_BATCH):
        wave = min(JOIN_BATCH, count - first)
        tasks += [asyncio.create_task(viewer()) for _ in range(wave)]
        while state["connected"] + state["failed"] < first + wave:
            await asyncio.sleep(0.02)
    loop = asyncio.get_running_loop()
    conn.send(("connected", state["connected"], state["failed"], failures))
    stop = loop.run_in_executor(None, conn.recv)
    complete = asyncio.create_task(all_complete.wait())
    done, _ = await asyncio.wait({stop, complete}, return_when=asyncio.FIRST_COMPLETED)
    if complete in done:
        conn.send(("complete",))
    await stop
    complete.cancel()
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
    await asyncio.gather(*tasks, return_exceptions=True)
    conn.send(("received", received))


def _viewers_process(url: str, origin: str, count: int, first_frame: bool, expected: int, conn) -> None:
    asyncio.run(_viewers_main(url, origin, count, first_frame, expected, conn))


# --- one measurement -------------------------------------------------------------------------------


def _measure(
    *, url: str, origin: str, sender_headers: dict, server_pid: int, viewers: int, clients: int, first_frame: bool
) -> dict:
    rate, total = ARGS.rate, int(ARGS.rate * ARGS.seconds)
    context = multiprocessing.get_context("fork")
    rss_before = rss_kib(server_pid)
    started = time.monotonic()
    workers = []
    for index in range(clients):
        share = viewers // clients + (1 if index < viewers % clients else 0)
        parent, child = context.Pipe()
        process = context.Process(
            target=_viewers_process, args=(url, origin, share, first_frame, total, child), daemon=True
        )
        process.start()
        workers.append((process, parent))
    connected = failed = 0
    failures: dict[str, int] = {}
    for _process, parent in workers:
        if not parent.poll(CONNECT_SECONDS):
            raise RuntimeError("a client process did not connect its viewers in time")
        _, ok, bad, why = parent.recv()
        connected, failed = connected + ok, failed + bad
        for reason, count in why.items():
            failures[reason] = failures.get(reason, 0) + count
    connect_seconds = time.monotonic() - started
    time.sleep(1)
    rss_idle = rss_kib(server_pid)

    cpu_before = cpu_seconds(server_pid)
    sent = asyncio.run(_send(url, sender_headers, first_frame, rate, total))
    started_send = min(sent.values())
    deadline = time.monotonic() + DRAIN_SECONDS
    pending = {parent for _process, parent in workers}
    while pending and time.monotonic() < deadline:
        for parent in list(pending):
            if parent.poll(0.05):
                parent.recv()  # ("complete",)
                pending.discard(parent)
    received: dict[str, list[float]] = {}
    for process, parent in workers:
        parent.send("stop")
        message = parent.recv()
        while message[0] != "received":
            message = parent.recv()
        for client_id, times in message[1].items():
            received.setdefault(client_id, []).extend(times)
        process.join(30)

    server_cpu = cpu_seconds(server_pid) - cpu_before
    latencies = [t - sent[cid] for cid, times in received.items() if cid in sent for t in times]
    last = max((t for times in received.values() for t in times), default=started_send)
    return {
        "viewers": connected,
        "failed": failed,
        "messages": total,
        "delivered_pct": 100.0 * len(latencies) / max(1, total * connected),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * percentile(latencies, 0.99) if latencies else float("nan"),
        "deliveries_per_s": len(latencies) / max(1e-9, last - started_send),
        "connect_s": connect_seconds,
        "idle_kib_per_viewer": (rss_idle - rss_before) / max(1, connected),
        "cpu_ms_per_1000": 1_000_000 * server_cpu / max(1, len(latencies)),
        "failures": failures,
    }


async def _send(url: str, headers: dict, first_frame: bool, rate: float, total: int) -> dict[str, float]:
    """Post ``total`` chat messages at ``rate``/s; returns when each was sent (monotonic clock)."""
    sent: dict[str, float] = {}
    for attempt in range(SENDER_ATTEMPTS):  # a busy daphne may drop a handshake it cannot accept in 5 s
        try:
            sender = await websockets.connect(
                url, additional_headers=headers, max_queue=None, compression=None, open_timeout=30
            )
            break
        except (OSError, TimeoutError, WebSocketException) as exc:
            print(f"  (sender could not connect, attempt {attempt + 1}: {exc!r})", file=sys.stderr, flush=True)
            if attempt + 1 == SENDER_ATTEMPTS:
                raise
            await asyncio.sleep(2)
    async with sender:
        if first_frame:
            await sender.recv()

        async def drain() -> None:  # the sender gets its own messages too; keep its socket read
            async for _ in sender:
                pass

        reader = asyncio.create_task(drain())
        started = time.monotonic()
        for n in range(total):
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
            client_id = f"b{n}"
            payload = {"type": "chat.send", "text": f"message {n}", "client_id": client_id}
            if not first_frame:  # the bare server relays what it gets: send the frame viewers expect
                payload["type"] = "chat.message"
            sent[client_id] = time.monotonic()
            await sender.send(json.dumps(payload))
        await asyncio.sleep(0.5)
        reader.cancel()
    return sent


# --- report ------------------------------------------------------------------------------------------


def _print_run(title: str, result: dict) -> None:
    print(f"  {title}")
    print(
        f"    delivered {result['delivered_pct']:7.2f} % of {result['messages'] * result['viewers']}"
        f" (target {TARGET_DELIVERED_PCT:.0f} %)   latency p50 {result['p50_ms']:6.1f} ms"
        f"  p99 {result['p99_ms']:7.1f} ms"
    )
    print(
        f"    deliveries/s {result['deliveries_per_s']:8.0f}   memory {result['idle_kib_per_viewer']:5.1f} KiB per idle"
        f" viewer   connect {result['connect_s']:.1f} s ({result['viewers']} in, {result['failed']} refused/timed out)"
    )
    print(f"    server CPU {result['cpu_ms_per_1000']:6.1f} ms per 1,000 deliveries (sending and draining)")
    for reason, count in sorted(result["failures"].items(), key=lambda item: -item[1]):
        print(f"    not connected: {count} × {reason}")


def _run_count(viewers: int, clients: int) -> None:
    with room_daphne() as (base_url, session, daphne_pid):
        url = base_url.replace("http://", "ws://") + ROOM_PATH
        project = _measure(
            url=url,
            origin=base_url,
            sender_headers={"Origin": base_url, "Cookie": f"sessionid={session}"},
            server_pid=daphne_pid,
            viewers=viewers,
            clients=clients,
            first_frame=True,
        )
    bare_process, bare_url = _start_bare_server()
    try:
        bare = _measure(
            url=bare_url.replace("http://", "ws://") + "/",
            origin=bare_url,
            sender_headers={},
            server_pid=bare_process.pid,
            viewers=viewers,
            clients=clients,
            first_frame=False,
        )
    finally:
        stop_process(bare_process)

    throughput = project["deliveries_per_s"] / max(1e-9, bare["deliveries_per_s"])
    p99 = project["p99_ms"] / max(1e-9, bare["p99_ms"])

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(
        f"\n{viewers} viewers, {ARGS.rate:g} msg/s × {ARGS.seconds:g} s, {clients} client processes"
        f" (clients and servers share this {os.cpu_count()}-core machine)"
    )
    _print_run(f"project: daphne, one room ({layer_name()})", project)
    _print_run("bare websockets broadcast server (relays each frame, encoded once)", bare)
    delivered = project["delivered_pct"]
    print(f"  delivered                  {delivered:.2f} %  target 100 %  {mark(delivered >= TARGET_DELIVERED_PCT)}")
    print(
        f"  deliveries/s project/bare  {throughput:.2f}  target ≥ {TARGET_THROUGHPUT_RATIO:.2f}"
        f"  {mark(throughput >= TARGET_THROUGHPUT_RATIO)}"
    )
    print(f"  p99 project/bare           {p99:.2f}  target ≤ {TARGET_P99_RATIO:.1f}  {mark(p99 <= TARGET_P99_RATIO)}")
    sys.stdout.flush()


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", type=int, nargs="+", default=list(DEFAULT_VIEWERS))
    parser.add_argument("--rate", type=float, default=10.0, help="chat messages per second (at most 20)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the sender posts (at most 60)")
    parser.add_argument("--clients", type=int, default=4, help="client processes holding the viewers")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    ARGS = parser.parse_args()
    if ARGS.serve_bare:
        _raise_open_files()
        asyncio.run(_bare_serve(ARGS.serve_bare))
        return
    ARGS.rate = max(1.0, min(ARGS.rate, MAX_RATE))
    ARGS.seconds = max(1.0, min(ARGS.seconds, MAX_SECONDS))
    _raise_open_files()  # inherited by daphne, the bare server and the client processes
    for viewers in ARGS.viewers:
        _run_count(max(1, min(viewers, MAX_VIEWERS)), max(1, min(ARGS.clients, 16)))


def _raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * MAX_VIEWERS + 1000 if hard == resource.RLIM_INFINITY else hard
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


ARGS = argparse.Namespace()

if __name__ == "__main__":
    main()
