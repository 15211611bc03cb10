"""Contest-day load on the production shape: signed-in people browsing, a few of them chatting.

    .venv/bin/python bench/contest_day.py                       # before (main's settings) and after (pool)
    .venv/bin/python bench/contest_day.py --only after --clients 40 --seconds 30

Scenario ``browsing``: each client is a signed-in person (the demo's accounts, logged in once
through the real login form and shared round-robin) who requests, back to back, a page of the mix
below from one of the daphne processes (clients are spread over the processes as the proxy
would). ``--chat-writers`` of them also keep a room socket open and post a chat message every
``--chat-every`` seconds, resending with the same ``client_id`` until it is acknowledged (as
room.js does); at the end the room's transcript must hold every acknowledged message exactly once.

The run starts its own PostgreSQL cluster (``bench/_private_postgres.py``: default
``max_connections=100``, a free loopback port), so that exhausting it harms nobody else's work,
and a database with the demo programme (``manage.py seed_demo``). With REDIS_URL set, daphne uses
Redis (channel layer, cache, sessions' cache) as in production. It samples ``pg_stat_activity``
for the site's database every 50 ms and prints, per variant: requests, 5xx (500 and 503 apart),
p50/p99 latency, requests per second and the peak number of connections.

Variants: ``before`` is main before the pool (``DB_POOL=false``, ``CONN_MAX_AGE=60``); ``after``
is the pool with its defaults (or ``--pool-max``/``--pool-timeout``).

The functions (``login``, ``run_browsing``, ``ChatWriter``, ``ConnectionSampler``,
``transcript_counts``) are also used by the load test in ``tests/core/test_pool_load.py``.
"""

import argparse
import contextlib
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

DEMO_PASSWORD = "haizhi-demo-2026"  # noqa: S105  (README: every demo account's password)
CONTEST = "haicheng-innovation-contest-2026"
ROOM = "haicheng-2026-final-roadshow"
ORGANISER = "organiser@haizhi.example"
DEMO_ACCOUNTS = [
    "admin@haizhi.example",
    ORGANISER,
    "park@haizhi.example",
    *(f"judge{n}@haizhi.example" for n in range(1, 6)),
    *(f"entrant{n}@haizhi.example" for n in range(1, 5)),
    "audience@haizhi.example",
    "enterprise@haizhi.example",
    "investor@haizhi.example",
]
# (name, path, weight): what a signed-in person opens on contest day.
BROWSING_MIX = [
    ("home", "/", 3),
    ("event", f"/events/{CONTEST}/", 3),
    ("room", f"/rooms/{ROOM}/", 3),
    ("dashboard", "/dashboard/", 2),
    ("registration", f"/events/{CONTEST}/registration/", 1),
    ("api-events", "/api/v1/events/", 2),
    ("api-rooms", "/api/v1/rooms/", 2),
]
REQUEST_TIMEOUT_SECONDS = 30
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


def _cookies(response) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def login(base_url: str, email: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the login form; returns the session cookie's value."""
    with urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=REQUEST_TIMEOUT_SECONDS) as response:
        csrf_cookie = _cookies(response)["csrftoken"]
        token = CSRF_FIELD.search(response.read().decode()).group(1)
    body = urllib.parse.urlencode({"login": email, "password": password, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(
        f"{base_url}/accounts/login/",
        data=body,
        headers={"Cookie": f"csrftoken={csrf_cookie}", "Referer": f"{base_url}/accounts/login/"},
    )
    try:
        response = _NO_REDIRECT.open(request, timeout=REQUEST_TIMEOUT_SECONDS)
    except urllib.error.HTTPError as exc:  # the 302 after a successful login comes as an "error" here
        response = exc
    session = _cookies(response).get("sessionid")
    if response.status != 302 or not session:
        raise RuntimeError(f"login as {email} failed: HTTP {response.status}")
    return session


def get(url: str, session: str | None = None) -> tuple[int, bytes]:
    """GET ``url``; (status, body). Status 0 when no HTTP answer came (refused, reset, timed out)."""
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=REQUEST_TIMEOUT_SECONDS) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (OSError, urllib.error.URLError):
        return 0, b""


@dataclass
class Sample:
    started: float  # seconds since the run began
    elapsed: float
    page: str
    status: int


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0

    def statuses(self) -> Counter:
        return Counter(sample.status for sample in self.samples)

    def count_5xx(self) -> int:
        return sum(1 for sample in self.samples if sample.status >= 500)

    def failed(self) -> list[Sample]:
        """Answers that are not a page: 5xx, or no HTTP answer at all."""
        return [sample for sample in self.samples if sample.status >= 500 or sample.status == 0]

    def percentile(self, fraction: float) -> float:
        ordered = sorted(sample.elapsed for sample in self.samples)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    def summary(self) -> dict:
        statuses = self.statuses()
        return {
            "requests": len(self.samples),
            "5xx": self.count_5xx(),
            "500": statuses.get(500, 0),
            "503": statuses.get(503, 0),
            "no_answer": statuses.get(0, 0),
            "p50_ms": round(self.percentile(0.50) * 1000),
            "p99_ms": round(self.percentile(0.99) * 1000),
            "per_second": round(len(self.samples) / self.seconds, 1) if self.seconds else 0.0,
            "statuses": dict(sorted(statuses.items())),
        }


def run_browsing(
    base_urls: list[str],
    sessions: list[str],
    *,
    clients: int,
    seconds: float,
    mix: list[tuple[str, str, int]] = BROWSING_MIX,
    think: float = 0.0,
    seed: int = 2026,
) -> Results:
    """``clients`` threads request pages of ``mix`` back to back for ``seconds``; every answer is recorded."""
    import random

    results = Results()
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds
    pages = [(name, path) for name, path, weight in mix for _ in range(weight)]

    def client(index: int) -> None:
        chooser = random.Random(seed + index)
        base_url = base_urls[index % len(base_urls)]
        session = sessions[index % len(sessions)]
        mine = []
        while time.monotonic() < deadline:
            name, path = chooser.choice(pages)
            began = time.monotonic()
            status, _body = get(f"{base_url}{path}", session)
            mine.append(Sample(began - start, time.monotonic() - began, name, status))
            if think:
                time.sleep(think)
        with lock:
            results.samples.extend(mine)

    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 2 * REQUEST_TIMEOUT_SECONDS)
    results.seconds = time.monotonic() - start
    results.samples.sort(key=lambda sample: sample.started)
    return results


class ChatWriter(threading.Thread):
    """A signed-in person in the room posting a chat message every ``every`` seconds.

    Each message has its own ``client_id``; it is resent (same id) after an error frame, a
    dropped socket or ``ack_timeout`` without its echo, as room.js does, until acknowledged or the
    run ends. ``acked`` and ``sent`` hold the texts; ``refused`` counts error frames by code.
    """

    def __init__(self, base_url: str, session: str, *, marker: str, every: float, seconds: float, ack_timeout=10.0):
        super().__init__(daemon=True)
        self.url = base_url.replace("http://", "ws://") + f"/ws/rooms/{ROOM}/"
        self.origin, self.session = base_url, session
        self.marker, self.every, self.ack_timeout = marker, every, ack_timeout
        self.deadline = time.monotonic() + seconds
        self.sent: list[str] = []
        self.acked: list[str] = []
        self.refused: Counter = Counter()
        self.reconnects = 0

    def _connect(self):
        from websockets.sync.client import connect

        socket = connect(  # legacy=True: this socket outlives the call that opens it (not a `with` block)
            self.url,
            additional_headers={"Origin": self.origin, "Cookie": f"sessionid={self.session}"},
            open_timeout=self.ack_timeout,
            legacy=True,
        )
        socket.recv(timeout=self.ack_timeout)  # room.state
        return socket

    def _post(self, socket, text: str, client_id: str) -> bool:
        socket.send(json.dumps({"type": "chat.send", "text": text, "client_id": client_id}))
        until = time.monotonic() + self.ack_timeout
        while (left := until - time.monotonic()) > 0:
            frame = json.loads(socket.recv(timeout=left))
            if frame.get("client_id") != client_id:
                continue
            if frame.get("type") == "error":
                self.refused[frame.get("code", "?")] += 1
                return False
            return True
        return False

    def run(self) -> None:
        socket = None
        while time.monotonic() < self.deadline:
            client_id = uuid.uuid4().hex
            text = f"{self.marker} {client_id}"
            self.sent.append(text)
            next_post = time.monotonic() + self.every
            while time.monotonic() < self.deadline:
                try:
                    socket = socket or self._connect()
                    if self._post(socket, text, client_id):
                        self.acked.append(text)
                        break
                    time.sleep(0.5)
                except Exception:  # dropped socket, refused handshake, timeout: reconnect and resend
                    if socket is not None:
                        socket.close()
                    socket, self.reconnects = None, self.reconnects + 1
                    time.sleep(0.5)
            time.sleep(max(0.0, min(next_post, self.deadline) - time.monotonic()))
        if socket is not None:
            socket.close()


def transcript_counts(base_url: str, organiser_session: str, marker: str) -> Counter:
    """How many times each text starting with ``marker`` is stored in the room (the organisers' transcript API)."""
    counts: Counter = Counter()
    after = 0
    while after is not None:
        status, body = get(f"{base_url}/api/v1/rooms/{ROOM}/transcript/?after={after}", organiser_session)
        if status != 200:
            raise RuntimeError(f"transcript: HTTP {status} {body[:200]!r}")
        page = json.loads(body)
        counts.update(entry["text"] for entry in page["results"] if entry["text"].startswith(marker))
        after = page["next_after"]
    return counts


def check_writes(writers: list[ChatWriter], stored: Counter) -> dict:
    """Every acknowledged message stored once; nothing stored twice; nothing stored that was never sent."""
    acked = [text for writer in writers for text in writer.acked]
    sent = {text for writer in writers for text in writer.sent}
    return {
        "sent": len(sent),
        "acknowledged": len(acked),
        "acknowledged_missing": sum(1 for text in acked if stored[text] == 0),
        "stored_twice": sum(1 for count in stored.values() if count > 1),
        "stored_unknown": sum(1 for text in stored if text not in sent),
        "refused": dict(sum((writer.refused for writer in writers), Counter())),
        "reconnects": sum(writer.reconnects for writer in writers),
    }


class ConnectionSampler(threading.Thread):
    """Samples ``pg_stat_activity`` for one database every ``interval`` seconds; ``peak`` is the most seen."""

    def __init__(self, admin_url: str, database: str, interval: float = 0.05):
        super().__init__(daemon=True)
        self.admin_url, self.database, self.interval = admin_url, database, interval
        self.peak = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psycopg

        connection = None
        while not self._stop_event.is_set():
            try:
                connection = connection or psycopg.connect(self.admin_url, autocommit=True, connect_timeout=2)
                (count,) = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchone()
                self.peak = max(self.peak, count)
                self.samples += 1
            except psycopg.Error:  # the server is restarting (fault runs): try again
                connection = None
            self._stop_event.wait(self.interval)
        if connection is not None:
            connection.close()

    def stop(self) -> int:
        self._stop_event.set()
        self.join(5)
        return self.peak


def _socket_inodes(pid: int | str) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def _tcp_sockets() -> list[tuple[int, int, str, str]]:
    """(local port, remote port, state, inode) of every TCP socket on the machine (/proc/net/tcp, tcp6)."""
    rows = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
                rows.append((local, remote, fields[3], fields[9]))
    return rows


def server_database(http_port: int, postgres_url: str) -> str:
    """The database that the server listening on ``http_port`` is connected to, from ``pg_stat_activity``:
    the process is found by its listening socket, its connections by their client ports."""
    import psycopg
    from _private_postgres import admin_url

    sockets = _tcp_sockets()
    listening = {inode for local, _remote, state, inode in sockets if local == http_port and state == "0A"}
    pid = next(
        proc.name for proc in Path("/proc").iterdir() if proc.name.isdigit() and listening & _safe_inodes(proc.name)
    )
    postgres_port = urllib.parse.urlsplit(postgres_url).port or 5432
    mine = _socket_inodes(pid)
    ports = [local for local, remote, state, inode in sockets if remote == postgres_port and inode in mine]
    with psycopg.connect(admin_url(postgres_url), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT DISTINCT datname FROM pg_stat_activity WHERE client_port = ANY(%s)", [ports]
        ).fetchall()
    if len(rows) != 1:
        raise RuntimeError(f"process {pid} on port {http_port} is connected to {rows} (client ports {ports})")
    return rows[0][0]


def _safe_inodes(pid: str) -> set[str]:
    try:
        return _socket_inodes(pid)
    except OSError:  # the process ended, or is not ours to read
        return set()


def sign_in_all(base_url: str, accounts: list[str]) -> dict[str, str]:
    return {email: login(base_url, email) for email in accounts}


# --- the benchmark -------------------------------------------------------------------------------
VARIANTS = {
    "before": {"DB_POOL": "False", "CONN_MAX_AGE": "60"},
    "after": {},
}


def run_variant(server_url: str, variant_env: dict[str, str], args) -> dict:
    from _private_postgres import admin_url
    from _site import site_servers

    with site_servers(server_url, processes=args.processes, env=variant_env) as site:
        sessions = sign_in_all(site.base_urls[0], DEMO_ACCOUNTS)
        sampler = ConnectionSampler(admin_url(server_url), site.database)
        sampler.start()
        marker = f"bench-{uuid.uuid4().hex[:8]}"
        writers = [
            ChatWriter(
                site.base_urls[i % len(site.base_urls)],
                sessions[DEMO_ACCOUNTS[i]],
                marker=marker,
                every=args.chat_every,
                seconds=args.seconds,
            )
            for i in range(args.chat_writers)
        ]
        for writer in writers:
            writer.start()
        results = run_browsing(
            site.base_urls, list(sessions.values()), clients=args.clients, seconds=args.seconds, think=args.think
        )
        for writer in writers:
            writer.join(30)
        peak = sampler.stop()
        summary = results.summary()
        summary["peak_connections"] = peak
        if writers:
            stored = transcript_counts(site.base_urls[0], sessions[ORGANISER], marker)
            summary["chat"] = check_writes(writers, stored)
        return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(VARIANTS), help="run one variant (default: both)")
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=2, help="daphne processes (web replicas)")
    parser.add_argument("--think", type=float, default=0.0, help="seconds a client waits between pages")
    parser.add_argument("--chat-writers", type=int, default=4)
    parser.add_argument("--chat-every", type=float, default=2.5)
    parser.add_argument("--max-connections", type=int, default=100, help="the private cluster's max_connections")
    parser.add_argument("--pool-max", type=int, help="DB_POOL_MAX_SIZE for 'after'")
    parser.add_argument("--pool-timeout", type=float, help="DB_POOL_TIMEOUT for 'after'")
    args = parser.parse_args()

    from _private_postgres import PrivatePostgres, postgres_bin_dir

    if postgres_bin_dir() is None:
        print("skipped: PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        return 0
    variants = {name: dict(env) for name, env in VARIANTS.items() if not args.only or name == args.only}
    if "after" in variants:
        if args.pool_max:
            variants["after"]["DB_POOL_MAX_SIZE"] = str(args.pool_max)
        if args.pool_timeout:
            variants["after"]["DB_POOL_TIMEOUT"] = str(args.pool_timeout)
    print(
        f"contest day, browsing: {args.clients} signed-in clients, {args.seconds:g} s, {args.processes} daphne "
        f"processes, {args.chat_writers} chatting; PostgreSQL max_connections={args.max_connections}; "
        f"Redis: {'yes' if os.environ.get('REDIS_URL') else 'no (in-memory layer, local cache)'}",
        flush=True,
    )
    failed = False
    with PrivatePostgres(max_connections=args.max_connections) as server:
        for name, env in variants.items():
            summary = run_variant(server.url(), env, args)
            print(f"{name:>6} {json.dumps(env)}: {json.dumps(summary)}", flush=True)
            if name == "after":
                chat = summary.get("chat", {})
                failed = failed or summary["5xx"] > 0 or summary["no_answer"] > 0
                failed = failed or bool(chat.get("acknowledged_missing") or chat.get("stored_twice"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
