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

    def by_page(self) -> dict[str, dict]:
        """Per page: requests, p50 and p99 in ms, slowest first (to see which pages to profile)."""
        pages: dict[str, Results] = {}
        for sample in self.samples:
            pages.setdefault(sample.page, Results()).samples.append(sample)
        rows = {
            name: {
                "requests": len(part.samples),
                "p50_ms": round(part.percentile(0.5) * 1000),
                "p99_ms": round(part.percentile(0.99) * 1000),
            }
            for name, part in pages.items()
        }
        return dict(sorted(rows.items(), key=lambda item: -item[1]["p99_ms"]))

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
    think: float | tuple[float, float] = 0.0,
    seed: int = 2026,
) -> Results:
    """``clients`` threads request pages of ``mix`` for ``seconds``; every answer is recorded.

    ``think``: seconds each client waits between pages, fixed or drawn from a (low, high) range
    (people reading, who also start at a random moment of the first range); 0 requests back to back
    (the hammer)."""
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
        if isinstance(think, tuple):  # people reading arrive spread over one reading time, not all at once
            time.sleep(chooser.uniform(0, think[1]))
        while time.monotonic() < deadline:
            name, path = chooser.choice(pages)
            began = time.monotonic()
            status, _body = get(f"{base_url}{path}", session)
            mine.append(Sample(began - start, time.monotonic() - began, name, status))
            _pause(chooser, think)
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


# --- forms, as a browser posts them ---------------------------------------------------------------
# A CSRF secret of our own: Django accepts the cookie's 32-character secret sent back unmasked.
CSRF_SECRET = uuid.uuid4().hex


def post(
    url: str,
    session: str | None,
    fields: list[tuple[str, str]] | dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> tuple[int, bytes, str]:
    """POST a form (multipart when ``files``: name -> (file name, bytes, type)) with its CSRF token;
    (status, body, Location). Redirects are returned, not followed; status 0 when no HTTP answer came."""
    pairs = list(fields.items() if isinstance(fields, dict) else fields or [])
    pairs.append(("csrfmiddlewaretoken", CSRF_SECRET))
    cookie = f"csrftoken={CSRF_SECRET}" + (f"; sessionid={session}" if session else "")
    headers = {"Cookie": cookie, "Referer": url, "X-CSRFToken": CSRF_SECRET}
    if files:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in pairs:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, content_type) in files.items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            )
            parts += [head.encode(), content, b"\r\n"]
        parts.append(f"--{boundary}--\r\n".encode())
        body = b"".join(parts)
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    else:
        body = urllib.parse.urlencode(pairs).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with _NO_REDIRECT.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            return response.status, response.read(), response.headers.get("Location", "")
    except urllib.error.HTTPError as exc:  # 3xx (not followed) and 4xx/5xx
        return exc.code, exc.read(), exc.headers.get("Location", "")
    except (OSError, urllib.error.URLError):
        return 0, b"", ""


def small_pdf(title: str) -> bytes:
    """A valid one-page PDF (a correct cross-reference table: the deck check reads it with pypdf)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")[:60]
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pause(chooser, think: float | tuple[float, float]) -> None:
    if isinstance(think, tuple):
        time.sleep(chooser.uniform(*think))
    elif think:
        time.sleep(think)


def parse_think(text: str) -> float | tuple[float, float]:
    """``--think``: seconds between pages, fixed (``0.5``) or drawn from a range (``1-3``)."""
    low, _, high = text.partition("-")
    return (float(low), float(high)) if high else float(low)


def data_command(env: dict[str, str], code: str) -> dict:
    """Run ``code`` in ``manage.py shell`` with the site's environment; the JSON it emits (bench/_contest_data.py)."""
    import subprocess

    from _contest_data import MARK

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BENCH_DIR.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise RuntimeError(
        f"`{code[:80]}...` failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    )


def prepare_code(*, entrants: int = 0, judges: int = 0, close_in_minutes: float = 0, seed: bool = False) -> str:
    """The setup step (``manage.py shell -c``): the demo (``seed``), then the scenario's accounts and sessions."""
    tag = f"cd{uuid.uuid4().hex[:6]}"
    lines = ["from django.core.management import call_command", "call_command('seed_demo', quiet_logins=True)"]
    lines = lines if seed else []
    lines += [
        "from bench._contest_data import prepare",
        f"prepare(entrants={entrants}, judges={judges}, tag={tag!r}, close_in_minutes={close_in_minutes})",
    ]
    return "\n".join(lines)


# --- registration deadline rush -------------------------------------------------------------------
@dataclass
class EntrantRun:
    """What one entrant was told: the entry made, each autosaved summary (text, acknowledged), deck, submit."""

    index: int
    entry_id: int | None = None
    summaries: list[tuple[str, bool]] = field(default_factory=list)
    deck_acked: bool = False
    submit_acked: bool = False


def _entry_fields(index: int, version: int, marker: str, data: dict) -> list[tuple[str, str]]:
    tracks = data["tracks"]
    fields = {
        "entry-title_zh": f"负载项目 {marker} {index}",
        "entry-title_en": f"Load project {marker} {index}",
        "entry-track": str(tracks[index % len(tracks)]),
        "entry-stage": "prototype",
        "entry-summary": f"{marker} entrant {index} version {version}: a summary typed at the deadline.",
        "entry-technology": "Solid-state batteries made from recycled material.",
        "entry-ip_summary": "",
        "entry-patent_count": "1",
        "entry-funding_sought": "1000000",
        "entry-planned_city": "Haicheng",
        "entry-planned_park": "",
        "entry-video_url": "",
        **data["answers"],
    }
    return list(fields.items())


def run_rush(
    base_urls: list[str],
    data: dict,
    *,
    clients: int,
    autosaves: int = 3,
    think: float | tuple[float, float] = 0.0,
    seed: int = 2026,
) -> tuple[Results, list[EntrantRun]]:
    """Every entrant of ``data["entrants"]`` (sessions from ``prepare``) starts an entry, opens its form,
    autosaves ``autosaves`` times, uploads a PDF deck and submits, as fast as ``clients`` threads allow."""
    import queue
    import random

    results, runs, lock = Results(), [], threading.Lock()
    marker = f"rush-{uuid.uuid4().hex[:6]}"
    todo: queue.Queue = queue.Queue()
    for index in range(len(data["entrants"])):
        todo.put(index)
    start = time.monotonic()
    home = f"/events/{CONTEST}/registration/"

    def entrant(index: int, chooser, mine: list[Sample]) -> EntrantRun:
        run = EntrantRun(index)
        base, session = base_urls[index % len(base_urls)], data["entrants"][index]

        def record(page: str, began: float, status: int) -> None:
            mine.append(Sample(began - start, time.monotonic() - began, page, status))

        began = time.monotonic()
        status, _body, location = post(f"{base}{home}", session)
        record("rush:create", began, status)
        found = re.search(r"/entries/(\d+)/edit/", location)
        if status != 302 or not found:
            return run
        run.entry_id = int(found.group(1))
        entry_path = f"{home}entries/{run.entry_id}/"
        began = time.monotonic()
        status, _body = get(f"{base}{entry_path}edit/", session)
        record("rush:edit", began, status)
        for version in range(1, autosaves + 1):
            _pause(chooser, think)
            fields = _entry_fields(index, version, marker, data)
            began = time.monotonic()
            status, body, _location = post(f"{base}{entry_path}autosave/", session, fields)
            record("rush:autosave", began, status)
            run.summaries.append((dict(fields)["entry-summary"], status == 200 and b'data-autosave="saved"' in body))
        began = time.monotonic()
        pdf = small_pdf(f"Pitch deck {marker} {index}")
        status, _body, location = post(
            f"{base}{entry_path}files/", session, files={"files-deck": ("deck.pdf", pdf, "application/pdf")}
        )
        record("rush:deck", began, status)
        run.deck_acked = status == 302
        _pause(chooser, think)
        began = time.monotonic()
        status, _body, location = post(f"{base}{entry_path}submit/", session)
        record("rush:submit", began, status)
        run.submit_acked = status == 302 and location.rstrip("/").endswith(f"/entries/{run.entry_id}")
        return run

    def client(number: int) -> None:
        chooser, mine, done = random.Random(seed + number), [], []
        while True:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                break
            done.append(entrant(index, chooser, mine))
        with lock:
            results.samples.extend(mine)
            runs.extend(done)

    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.seconds = time.monotonic() - start
    results.samples.sort(key=lambda sample: sample.started)
    return results, sorted(runs, key=lambda run: run.index)


def check_rush_writes(runs: list[EntrantRun], stored: dict) -> dict:
    """Lost writes: an acknowledged entry, autosave, deck or submit that the database (or the disk) lacks.

    The stored summary must be the last acknowledged one or one sent after it (an answer that never
    came may still have been saved). Entries submitted must equal the submits answered with success."""
    lost: Counter = Counter()
    for run in runs:
        if run.entry_id is None:
            continue
        entry = stored.get(str(run.entry_id))
        if entry is None:
            lost["entry"] += 1
            continue
        acked = [i for i, (_text, ok) in enumerate(run.summaries) if ok]
        if acked and entry["summary"] not in [text for text, _ok in run.summaries[acked[-1] :]]:
            lost["autosave"] += 1
        if run.deck_acked and not any(deck["on_disk"] for deck in entry["decks"]):
            lost["deck"] += 1
        lost["deck_file_missing"] += sum(1 for deck in entry["decks"] if not deck["on_disk"])
        if run.submit_acked and entry["status"] == "draft":
            lost["submit"] += 1
    submitted = sum(1 for entry in stored.values() if entry["status"] != "draft")
    acked_submits = sum(1 for run in runs if run.submit_acked)
    return {
        "entrants": len(runs),
        "entries_created": sum(1 for run in runs if run.entry_id is not None),
        "autosaves_acknowledged": sum(ok for run in runs for _text, ok in run.summaries),
        "decks_acknowledged": sum(run.deck_acked for run in runs),
        "submits_acknowledged": acked_submits,
        "entries_submitted": submitted,
        "lost": {name: count for name, count in lost.items() if count},
        "lost_writes": sum(lost.values()) + max(0, acked_submits - submitted),
    }


def rush_check_code(runs: list[EntrantRun]) -> str:
    ids = [run.entry_id for run in runs if run.entry_id is not None]
    return f"from bench._contest_data import check_rush\ncheck_rush({ids!r})"


# --- judging close --------------------------------------------------------------------------------
@dataclass
class CardRun:
    judge: int
    entry: int
    scores: dict[str, str]
    acked: bool = False


def run_judging_close(
    base_urls: list[str],
    data: dict,
    *,
    readers: int = 2,
    think: float | tuple[float, float] = 0.0,
    seed: int = 2026,
) -> tuple[Results, list[CardRun]]:
    """Each judge of ``data["judges"]`` (one thread each) opens and submits every assigned card, while
    ``readers`` organiser threads reload the round's results page until the judges are done."""
    import random

    results, cards, lock = Results(), [], threading.Lock()
    start = time.monotonic()
    done = threading.Event()
    number = data["round"]
    round_path = f"/events/{CONTEST}/judging/rounds/{number}/"
    results_path = f"/events/{CONTEST}/judging/manage/rounds/{number}/results/"
    low, high = (float(value) for value in data["scale"])

    def judge(index: int) -> None:
        chooser, mine, made = random.Random(seed + index), [], []
        person = data["judges"][index]
        base = base_urls[index % len(base_urls)]
        for entry in person["entries"]:
            page = f"{base}{round_path}entries/{entry}/"
            began = time.monotonic()
            status, _body = get(page, person["session"])
            mine.append(Sample(began - start, time.monotonic() - began, "judge:score-page", status))
            _pause(chooser, think)
            scores = {str(c): f"{chooser.uniform(low, high):.1f}" for c in data["criteria"]}
            fields = [(f"score_{c}", value) for c, value in scores.items()]
            fields += [("comment_to_organisers", f"bench card {index}"), ("feedback_to_entrant", ""), ("submit", "1")]
            began = time.monotonic()
            status, _body, location = post(page, person["session"], fields)
            mine.append(Sample(began - start, time.monotonic() - began, "judge:submit", status))
            acked = status == 302 and location.rstrip("/").endswith(round_path.rstrip("/"))
            made.append(CardRun(person["judge"], entry, scores, acked))
        with lock:
            results.samples.extend(mine)
            cards.extend(made)

    def reader(index: int) -> None:
        mine = []
        base = base_urls[index % len(base_urls)]
        while not done.is_set():
            began = time.monotonic()
            status, _body = get(f"{base}{results_path}", data["organiser"])
            mine.append(Sample(began - start, time.monotonic() - began, "organiser:results", status))
        with lock:
            results.samples.extend(mine)

    judges = [threading.Thread(target=judge, args=(i,), daemon=True) for i in range(len(data["judges"]))]
    readers_threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(readers)]
    for thread in readers_threads + judges:
        thread.start()
    for thread in judges:
        thread.join()
    done.set()
    for thread in readers_threads:
        thread.join()
    results.seconds = time.monotonic() - start
    results.samples.sort(key=lambda sample: sample.started)
    return results, cards


def check_judging_writes(cards: list[CardRun], stored: dict) -> dict:
    """Lost writes: an acknowledged submit whose card is not submitted with the scores sent."""
    from decimal import Decimal

    lost = 0
    for card in cards:
        if not card.acked:
            continue
        found = stored.get(f"{card.judge}:{card.entry}")
        same = found is not None and all(
            Decimal(found["scores"].get(c, "nan")) == Decimal(value) for c, value in card.scores.items()
        )
        if found is None or found["status"] != "submitted" or not same:
            lost += 1
    return {
        "cards": len(cards),
        "submits_acknowledged": sum(card.acked for card in cards),
        "cards_submitted": sum(1 for found in stored.values() if found["status"] == "submitted"),
        "lost_writes": lost,
    }


def judging_check_code(cards: list[CardRun]) -> str:
    pairs = [(card.judge, card.entry) for card in cards]
    return f"from bench._contest_data import check_judging\ncheck_judging({pairs!r})"


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


# --- the contest-day scenarios, in either mode ----------------------------------------------------
SCENARIOS = ("browsing", "rush", "judging")
WORKER_CONNECTIONS = 2  # the Celery worker's one pool process (DB_POOL off) and its parent or beat
TABLE_COLUMNS = (
    ("scenario", 28),
    ("mode", 9),
    ("clients", 7),
    ("requests", 8),
    ("req/s", 7),
    ("p50 ms", 7),
    ("p99 ms", 7),
    ("5xx", 4),
    ("no answer", 9),
    ("lost writes", 11),
    ("peak PG / bound", 15),
    ("load (1 min)", 12),
    ("statuses", 0),
)


def load_average() -> str:
    """The machine's 1-minute load average (``uptime``), printed beside every figure: the machine is shared."""
    return Path("/proc/loadavg").read_text().split()[0]


@contextlib.contextmanager
def scenario_site(mode: str, args, setup: str):
    """The site for the scenarios and its connection bound. ``services``: ``args.processes`` daphne
    processes, a Celery worker and beat, on a private PostgreSQL and REDIS_URL's Redis; ``embedded``:
    one daphne on SQLite, in-memory channel layer, eager Celery."""
    from _private_postgres import PrivatePostgres, admin_url
    from _site import site_servers

    if mode == "embedded":
        with site_servers("sqlite", processes=1, setup=setup, redis_url="") as site:
            yield site, None, None
        return
    env = {"DB_POOL_MAX_SIZE": str(args.pool_max)} if args.pool_max else {}
    bound = args.processes * (args.pool_max or 10) + WORKER_CONNECTIONS
    with (
        PrivatePostgres(max_connections=args.max_connections) as server,
        site_servers(
            server.url(), processes=args.processes, env=env, setup=setup, redis_url=args.redis_url, celery=True
        ) as site,
    ):
        yield site, admin_url(server.url()), bound


def scenario_row(name: str, mode: str, clients: int, results: Results, lost, peak, bound) -> dict:
    summary = results.summary()
    return {
        "scenario": name,
        "mode": mode,
        "clients": clients,
        "requests": summary["requests"],
        "req/s": summary["per_second"],
        "p50 ms": summary["p50_ms"],
        "p99 ms": summary["p99_ms"],
        "5xx": summary["5xx"],
        "no answer": summary["no_answer"],
        "lost writes": "-" if lost is None else lost,
        "peak PG / bound": "-" if peak is None else f"{peak} / {bound}",
        "load (1 min)": load_average(),
        "statuses": " ".join(f"{code}:{count}" for code, count in summary["statuses"].items()),
    }


def print_table(rows: list[dict]) -> None:
    print(" ".join(f"{title:<{width}}" if width else title for title, width in TABLE_COLUMNS))
    for row in rows:
        print(" ".join(f"{row[title]!s:<{width}}" if width else str(row[title]) for title, width in TABLE_COLUMNS))


class _Peak:
    """A ``ConnectionSampler`` around one scenario, or nothing in the embedded mode."""

    def __init__(self, admin: str | None, database: str):
        self.sampler = ConnectionSampler(admin, database) if admin else None

    def __enter__(self):
        if self.sampler:
            self.sampler.start()
        return self

    def __exit__(self, *exc_info):
        self.peak = self.sampler.stop() if self.sampler else None


def _running(pid: int) -> bool:
    """The process exists and has not exited (an exited child not yet waited for is a zombie, state Z)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def run_scenarios(args) -> int:
    """``--scenario browsing|rush|judging|all`` in ``--mode services|embedded``: one table row each."""
    wanted = SCENARIOS if args.scenario == "all" else (args.scenario,)
    if args.mode == "services":
        from _private_postgres import postgres_bin_dir

        if postgres_bin_dir() is None:
            print("skipped: PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
            return 0
        if not args.redis_url:
            print("skipped: the services mode needs REDIS_URL (or --redis-url)")
            return 0
    setup = prepare_code(
        entrants=args.entrants if "rush" in wanted else 0,
        judges=args.judges if "judging" in wanted else 0,
        close_in_minutes=args.close_in_minutes,
        seed=True,
    )
    from _contest_data import MARK

    print(
        f"contest day, {args.mode} mode: {', '.join(wanted)}; load average {load_average()}",
        flush=True,
    )
    rows, failed = [], False
    with scenario_site(args.mode, args, setup) as (site, admin, bound):
        data = next(json.loads(line[len(MARK) :]) for line in site.setup_output.splitlines() if line.startswith(MARK))
        if "browsing" in wanted:
            sessions = list(sign_in_all(site.base_urls[0], DEMO_ACCOUNTS).values())
            for label, think in (("browsing (no pause)", 0.0), ("browsing (think {})", args.think or (1.0, 3.0))):
                with _Peak(admin, site.database) as peak:
                    results = run_browsing(
                        site.base_urls, sessions, clients=args.clients, seconds=args.seconds, think=think
                    )
                shown = "-".join(f"{v:g}" for v in think) if isinstance(think, tuple) else f"{think:g}"
                rows.append(
                    scenario_row(label.format(shown + " s"), args.mode, args.clients, results, None, peak.peak, bound)
                )
                print(f"{rows[-1]['scenario']}: by page {json.dumps(results.by_page())}", flush=True)
                failed = failed or results.count_5xx() > 0
        if "rush" in wanted:
            with _Peak(admin, site.database) as peak:
                results, runs = run_rush(site.base_urls, data, clients=args.rush_clients)
            writes = check_rush_writes(runs, data_command(site.env, rush_check_code(runs)))
            rows.append(
                scenario_row(
                    f"registration rush ({len(runs)})",
                    args.mode,
                    args.rush_clients,
                    results,
                    writes["lost_writes"],
                    peak.peak,
                    bound,
                )
            )
            print(f"registration rush: {json.dumps(writes)}; by page {json.dumps(results.by_page())}", flush=True)
            failed = failed or results.count_5xx() > 0 or writes["lost_writes"] > 0
        if "judging" in wanted:
            with _Peak(admin, site.database) as peak:
                results, cards = run_judging_close(site.base_urls, data, readers=args.readers)
            writes = check_judging_writes(cards, data_command(site.env, judging_check_code(cards)))
            clients = len(data["judges"]) + args.readers
            rows.append(
                scenario_row(
                    f"judging close ({len(data['judges'])} judges)",
                    args.mode,
                    clients,
                    results,
                    writes["lost_writes"],
                    peak.peak,
                    bound,
                )
            )
            print(f"judging close: {json.dumps(writes)}; by page {json.dumps(results.by_page())}", flush=True)
            failed = failed or results.count_5xx() > 0 or writes["lost_writes"] > 0
        if args.mode == "services":  # the worker and beat are the last two processes; both must still run
            alive = [_running(pid) for pid in site.pids[-2:]]
            print(f"celery worker and beat still running at the end: {all(alive)}", flush=True)
            failed = failed or not all(alive)
        if failed:
            print(site.logs()[-4000:])
    print_table(rows)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(VARIANTS), help="run one variant (default: both)")
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=2, help="daphne processes (web replicas)")
    parser.add_argument(
        "--think",
        type=parse_think,
        default=0.0,
        help="seconds a client waits between pages: fixed (0.5) or a range (1-3); the browsing scenario "
        "runs without pause and with this (default 1-3)",
    )
    parser.add_argument("--chat-writers", type=int, default=4)
    parser.add_argument("--chat-every", type=float, default=2.5)
    parser.add_argument("--max-connections", type=int, default=100, help="the private cluster's max_connections")
    parser.add_argument("--pool-max", type=int, help="DB_POOL_MAX_SIZE for 'after'")
    parser.add_argument("--pool-timeout", type=float, help="DB_POOL_TIMEOUT for 'after'")
    parser.add_argument(
        "--scenario",
        choices=["pool", *SCENARIOS, "all"],
        default="pool",
        help="pool: browsing before/after the connection pool (default); browsing, rush (registration "
        "deadline), judging (judging close) or all of them, in --mode",
    )
    parser.add_argument("--mode", choices=["services", "embedded"], default="services")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""), help="Redis for the services mode")
    parser.add_argument("--entrants", type=int, default=300)
    parser.add_argument("--rush-clients", type=int, default=50)
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--readers", type=int, default=2, help="organisers reloading the results page")
    parser.add_argument("--close-in-minutes", type=float, default=20, help="registration and the round close then")
    args = parser.parse_args()
    if args.scenario != "pool":
        return run_scenarios(args)

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


# --- the final roadshow's opening and a join storm -------------------------------------------------
# .venv/bin/python bench/contest_day.py roadshow --mode services   (2 daphne, Redis layer, private PostgreSQL)
# .venv/bin/python bench/contest_day.py roadshow --mode embedded   (1 daphne, SQLite, in-memory layer)
#
# Opening: ``--viewers`` anonymous people, their starts spread evenly over ``--spread`` seconds, each
# loads the room page then opens the room socket (room.state received = connected) and stays until
# the end, reading every frame; ``--chat-writers`` signed-in people chat meanwhile. A chat message
# is owed to every viewer that was connected before it was acknowledged (1 s margin) and until the
# end; "lost" are owed messages a viewer never got. Join storm: ``--storm`` anonymous sockets opened
# at once (client processes of room_fanout.py, each with 50 handshakes in flight), spread over the
# daphne processes, until each has its room.state; then the same clients against room_fanout.py's
# bare ``websockets`` server (handshake only: it sends nothing on connect).
# Clients are asyncio processes (``websockets``), ~500-1,250 sockets each, on the same 2 cores as
# the servers: their CPU seconds are printed beside the servers'.

ROADSHOW_PAGE = f"/rooms/{ROOM}/"
ROADSHOW_SOCKET = f"/ws/rooms/{ROOM}/"
OPENING_CLIENT_PROCESSES = 4
MAX_OPENING_VIEWERS = 3000
MAX_STORM_SOCKETS = 5000


def raise_open_files(wanted: int = 4 * MAX_STORM_SOCKETS + 1000) -> tuple[int, int]:
    """Raise this process's soft limit of open files (inherited by daphne and the client processes)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def _cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def listen_overflows() -> int:
    """The machine's count of connections dropped because a listen queue was full (/proc/net/netstat)."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split(), values.split(), strict=True)).get("ListenOverflows", 0))
    return 0


def _pct(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


class TimedChatWriter(ChatWriter):
    """A ``ChatWriter`` (any room) that also notes when each message was acknowledged (monotonic clock)."""

    def __init__(self, base_url: str, session: str, *, room: str = ROOM, **kwargs):
        super().__init__(base_url, session, **kwargs)
        self.url = base_url.replace("http://", "ws://") + f"/ws/rooms/{room}/"
        self.acked_at: dict[str, float] = {}

    def _post(self, socket, text: str, client_id: str) -> bool:
        acknowledged = super()._post(socket, text, client_id)
        if acknowledged:
            self.acked_at.setdefault(client_id, time.monotonic())
        return acknowledged


async def _page_status(base_url: str, path: str) -> int:
    """GET ``path`` with a raw HTTP/1.1 request (cheaper than a client library for thousands); its status."""
    import asyncio

    address = urllib.parse.urlsplit(base_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        request = f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\nAccept-Language: zh-Hans\r\nConnection: close\r\n"
        writer.write(f"{request}\r\n".encode())
        head = await reader.readline()
        while await reader.read(65536):  # the body, to the end
            pass
        return int(head.split()[1])
    finally:
        writer.close()


async def _opening_viewers(plan: list[tuple[float, str]], marker: str, end_at: float) -> list[dict]:
    import asyncio
    import re

    import websockets
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    chat = re.compile(re.escape(marker) + r" ([0-9a-f]{32})")

    async def viewer(at: float, base_url: str) -> dict:
        record = {"page": 0, "page_s": None, "socket_status": None, "socket_s": None, "ready": None, "error": None}
        seen: list[str] = []
        record["seen"] = seen
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        began = time.monotonic()
        try:
            record["page"] = await asyncio.wait_for(_page_status(base_url, ROADSHOW_PAGE), REQUEST_TIMEOUT_SECONDS)
            record["page_s"] = time.monotonic() - began
        except (OSError, TimeoutError, ValueError, IndexError) as exc:
            record["error"] = f"page: {type(exc).__name__}"
        began = time.monotonic()
        url = base_url.replace("http://", "ws://") + ROADSHOW_SOCKET
        try:
            socket = await websockets.connect(
                url, additional_headers={"Origin": base_url}, max_queue=None, compression=None, open_timeout=60
            )
        except InvalidStatus as exc:
            record["socket_status"] = exc.response.status_code
            return record
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            record["error"] = f"socket: {type(exc).__name__}"
            return record
        try:
            async with asyncio.timeout(max(0.1, end_at - time.monotonic())):
                first = await socket.recv()
                if '"type":"room.state"' not in first[:40]:
                    record["error"] = "socket: no room.state"
                    return record
                record["ready"] = time.monotonic()
                record["socket_s"] = record["ready"] - began
                async for raw in socket:
                    match = chat.search(raw) if isinstance(raw, str) else None
                    if match:
                        seen.append(match[1])
        except TimeoutError:
            pass  # the end of the run
        except ConnectionClosed:
            record["dropped"] = time.monotonic()
        finally:
            await socket.close()
        return record

    return await asyncio.gather(*(viewer(at, base_url) for at, base_url in plan))


def _opening_process(plan: list[tuple[float, str]], marker: str, end_at: float, conn) -> None:
    import asyncio

    records = asyncio.run(_opening_viewers(plan, marker, end_at))
    conn.send((records, time.process_time()))


def run_roadshow_opening(
    base_urls: list[str],
    chat_sessions: list[str],
    *,
    viewers: int = 2000,
    spread: float = 60.0,
    hold: float = 10.0,
    chat_every: float = 2.5,
    client_processes: int = OPENING_CLIENT_PROCESSES,
) -> dict:
    """2,000 people open the room (page, then socket) over ``spread`` seconds while ``chat_sessions`` chat."""
    import multiprocessing

    viewers, spread = min(viewers, MAX_OPENING_VIEWERS), min(spread, 60.0)
    marker = f"opening-{uuid.uuid4().hex[:8]}"
    start_at = time.monotonic() + 2.0
    end_at = start_at + spread + hold
    plan = [(start_at + spread * index / viewers, base_urls[index % len(base_urls)]) for index in range(viewers)]
    writers = [
        TimedChatWriter(
            base_urls[index % len(base_urls)],
            session,
            marker=marker,
            every=chat_every,
            seconds=end_at - time.monotonic() - 3.0,
        )
        for index, session in enumerate(chat_sessions)
    ]
    context = multiprocessing.get_context("fork")
    workers = []
    for index in range(client_processes):
        parent, child = context.Pipe(duplex=False)
        process = context.Process(
            target=_opening_process, args=(plan[index::client_processes], marker, end_at, child), daemon=True
        )
        process.start()
        workers.append((process, parent))
    for writer in writers:
        writer.start()
    records, client_cpu = [], 0.0
    for process, parent in workers:
        if parent.poll(end_at - time.monotonic() + 120):
            mine, cpu = parent.recv()
            records += mine
            client_cpu += cpu
        process.join(10)
    for writer in writers:
        writer.join(30)

    acked_at = {client_id: at for writer in writers for client_id, at in writer.acked_at.items()}
    owed = delivered = 0
    for record in records:
        if record["ready"] is None:
            continue
        until = record.get("dropped", end_at)
        seen = set(record["seen"])
        due = [cid for cid, at in acked_at.items() if record["ready"] + 1.0 < at < until - 1.0]
        owed += len(due)
        delivered += sum(1 for cid in due if cid in seen)
    pages = [r["page_s"] for r in records if r["page_s"] is not None]
    sockets = [r["socket_s"] for r in records if r["socket_s"] is not None]
    errors = Counter(r["error"] for r in records if r["error"])
    return {
        "viewers": viewers,
        "spread_s": spread,
        "pages_ok": sum(1 for r in records if r["page"] == 200),
        "page_p50_ms": round(1000 * _pct(pages, 0.5)),
        "page_p99_ms": round(1000 * _pct(pages, 0.99)),
        "page_statuses": dict(Counter(r["page"] for r in records)),
        "sockets_ready": len(sockets),
        "socket_p50_ms": round(1000 * _pct(sockets, 0.5)),
        "socket_p99_ms": round(1000 * _pct(sockets, 0.99)),
        "socket_dropped": sum(1 for r in records if "dropped" in r),
        "5xx": sum(1 for r in records if r["page"] >= 500 or (r["socket_status"] or 0) >= 500),
        "errors": dict(errors),
        "chat_acked": len(acked_at),
        "chat_owed": owed,
        "chat_delivered": delivered,
        "chat_lost": owed - delivered,
        "chat_reconnects": sum(writer.reconnects for writer in writers),
        "client_cpu_s": round(client_cpu, 1),
    }


def run_join_storm(
    base_urls: list[str], server_pids: list[int], *, sockets: int = 5000, client_processes: int = 4
) -> dict:
    """``sockets`` anonymous room sockets at once over the daphne processes, then over a bare websockets server."""
    import multiprocessing

    from _room_common import stop_process
    from room_fanout import _start_bare_server, _viewers_process

    sockets = min(sockets, MAX_STORM_SOCKETS)
    context = multiprocessing.get_context("fork")

    def storm(urls: list[str], origins: list[str], first_frame: bool, pids: list[int]) -> dict:
        cpu_before = sum(_cpu_seconds(pid) for pid in pids)
        overflows_before = listen_overflows()
        started = time.monotonic()
        workers = []
        for index in range(client_processes):
            share = sockets // client_processes + (1 if index < sockets % client_processes else 0)
            parent, child = context.Pipe()
            process = context.Process(
                target=_viewers_process,
                args=(urls[index % len(urls)], origins[index % len(urls)], share, first_frame, 0, child),
                daemon=True,
            )
            process.start()
            workers.append((process, parent))
        connected = failed = 0
        failures: Counter = Counter()
        for _process, parent in workers:
            if not parent.poll(300):
                raise RuntimeError("a client process did not connect its sockets within 300 s")
            _, ok, bad, why = parent.recv()
            connected, failed = connected + ok, failed + bad
            failures.update(why)
        seconds = time.monotonic() - started
        server_cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu_before
        client_cpu = sum(_cpu_seconds(process.pid) for process, _parent in workers)
        for process, parent in workers:
            parent.send("stop")
            while parent.recv()[0] != "received":
                pass
            process.join(30)
        return {
            "connected": connected,
            "failed": failed,
            "connect_s": round(seconds, 2),
            "server_cpu_s": round(server_cpu, 1),
            "client_cpu_s": round(client_cpu, 1),
            "listen_overflows": listen_overflows() - overflows_before,  # the machine's: other work counts too
            "failures": dict(failures.most_common(3)),
        }

    project = storm(
        [url.replace("http://", "ws://") + ROADSHOW_SOCKET for url in base_urls], base_urls, True, server_pids
    )
    time.sleep(2)  # the servers see the sockets close
    bare_process, bare_url = _start_bare_server()
    try:
        bare = storm([bare_url.replace("http://", "ws://") + "/"], [bare_url], False, [bare_process.pid])
    finally:
        stop_process(bare_process)
    return {
        "sockets": sockets,
        "project": project,
        "bare": bare,
        "ratio": round(project["connect_s"] / max(1e-9, bare["connect_s"]), 2),
    }


@contextlib.contextmanager
def embedded_site(backlog: int | None = None):
    """The embedded shape: one daphne on a throw-away SQLite database (the demo programme), in-memory layer."""
    import subprocess
    import tempfile

    from _site import REPO_ROOT, daphne_listen

    from tests.e2e_server import _free_port, _run_manage, _stop, _wait_until_healthy

    with tempfile.TemporaryDirectory() as root:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "contest_site.settings",
                "DEBUG": "False",
                "SECRET_KEY": uuid.uuid4().hex * 2,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_COOKIES": "False",
                "EMAIL_URL": f"filemail:///{root}/emails",
                "MEDIA_ROOT": f"{root}/media",
                "STATIC_ROOT": f"{root}/static",
                "LOG_LEVEL": "WARNING",
                "DATABASE_URL": f"sqlite:///{root}/site.sqlite3",
            }
        )
        setup_env = {**env, "DEBUG": "True"}
        _run_manage(["migrate", "--noinput"], setup_env)
        _run_manage(["seed_demo", "--quiet-logins"], setup_env)
        _run_manage(["collectstatic", "--noinput", "-v", "0"], env)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        log_path = Path(root) / "daphne.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "daphne", *daphne_listen(port, backlog), "contest_site.asgi:application"],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_healthy(process, base_url, log_path)
            yield [base_url], [process.pid], log_path
        finally:
            _stop(process)


CHAT_ACCOUNTS = [
    "audience@haizhi.example",
    "enterprise@haizhi.example",
    "investor@haizhi.example",
    "park@haizhi.example",
]


def roadshow_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="contest_day.py roadshow", description="The final roadshow's opening and a join storm."
    )
    parser.add_argument("--mode", choices=["services", "embedded"], default="services")
    parser.add_argument("--processes", type=int, default=2, help="daphne processes (services mode)")
    parser.add_argument("--viewers", type=int, default=2000)
    parser.add_argument("--spread", type=float, default=60.0)
    parser.add_argument("--hold", type=float, default=10.0)
    parser.add_argument("--chat-writers", type=int, default=4)
    parser.add_argument("--storm", type=int, default=5000)
    parser.add_argument("--only", choices=["opening", "storm"])
    parser.add_argument("--max-connections", type=int, default=100)
    parser.add_argument("--backlog", type=int, help="daphne's listen queue (Twisted's default: 50)")
    args = parser.parse_args(argv)
    soft, hard = raise_open_files()
    uptime = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"roadshow ({args.mode}): open files soft {soft} hard {hard}; load average {' '.join(uptime)}; "
        f"{os.cpu_count()} cores shared by servers and clients",
        flush=True,
    )

    def scenarios(base_urls: list[str], pids: list[int], sampler=None) -> dict:
        results: dict = {}
        sessions = [login(base_urls[0], email) for email in CHAT_ACCOUNTS[: args.chat_writers]]
        if args.only != "storm":
            results["opening"] = run_roadshow_opening(
                base_urls, sessions, viewers=args.viewers, spread=args.spread, hold=args.hold
            )
            if sampler is not None:
                results["opening"]["peak_pg_connections"] = sampler.peak
            print("opening:", json.dumps(results["opening"]), flush=True)
            time.sleep(3)
        if args.only != "opening":
            results["storm"] = run_join_storm(base_urls, pids, sockets=args.storm)
            if sampler is not None:
                results["storm"]["peak_pg_connections"] = sampler.peak
            print("storm:", json.dumps(results["storm"]), flush=True)
        return results

    if args.mode == "embedded":
        with embedded_site(args.backlog) as (base_urls, pids, _log):
            scenarios(base_urls, pids)
        return 0

    from _private_postgres import PrivatePostgres, admin_url, postgres_bin_dir
    from _site import site_servers

    if postgres_bin_dir() is None or not os.environ.get("REDIS_URL"):
        print("skipped: the services mode needs PostgreSQL's server binaries and REDIS_URL")
        return 0
    with (
        PrivatePostgres(max_connections=args.max_connections) as server,
        site_servers(server.url(), processes=args.processes) as site,
    ):
        sampler = ConnectionSampler(admin_url(server.url()), site.database)
        sampler.start()
        try:
            scenarios(site.base_urls, site.pids, sampler)
        finally:
            peak = sampler.stop()
        pool_max = int(os.environ.get("DB_POOL_MAX_SIZE", "10"))
        print(f"peak PostgreSQL connections {peak}; bound {args.processes} × {pool_max} = {args.processes * pool_max}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["roadshow"]:
        sys.exit(roadshow_main(sys.argv[2:]))
    sys.exit(main())
