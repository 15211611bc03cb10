"""What the room benchmarks share: a throw-away daphne serving one live public room, and /proc readings.

``room_daphne()`` builds a throw-away SQLite database (or, with DATABASE_URL set, a throw-away
PostgreSQL database; with REDIS_URL set, daphne uses the Redis channel layer), migrates it,
creates one published event with the live public room ``bench-room`` and a signed-in sender,
starts daphne on a free loopback port and yields ``(base_url, sender_session, daphne_pid)``.
Everything is stopped and dropped again on exit. With ``BENCH_MIGRATED_TEMPLATE`` set to an
already migrated database (a SQLite file, or with DATABASE_URL a PostgreSQL database without
sessions), it copies that instead of migrating: the test suite passes its template this way.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.e2e_server import (  # noqa: E402  (needs the repository on the path)
    _copy_sqlite,
    _free_port,
    _PostgresDatabase,
    _run_manage,
    _stop,
    _wait_until_healthy,
)

__all__ = [
    "ROOM_PATH",
    "cpu_seconds",
    "free_port",
    "layer_name",
    "percentile",
    "room_daphne",
    "rss_kib",
    "stop_process",
    "wait_until_healthy",
]

ROOM_PATH = "/ws/rooms/bench-room/"
free_port = _free_port
stop_process = _stop
wait_until_healthy = _wait_until_healthy

SETUP = """
from django.test import Client
from accounts.models import User
from events.models import Event
from livestream.models import RoadshowRoom
import datetime as dt
event = Event.objects.create(slug="bench", title_en="Bench", starts_on=dt.date(2026, 1, 1),
                             ends_on=dt.date(2026, 12, 31), is_published=True)
RoadshowRoom.objects.create(event=event, slug="bench-room", title_en="Bench room", status="live")
sender = User.objects.create_user("sender@bench.example", "x", name_en="Sender")
client = Client()
client.force_login(sender)
print(client.cookies["sessionid"].value)
"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def layer_name() -> str:
    return "Redis pub/sub layer" if os.environ.get("REDIS_URL") else "in-memory layer"


@contextlib.contextmanager
def room_daphne() -> Iterator[tuple[str, str, int]]:
    """A daphne serving the live public room ``bench-room``: yields (base_url, sender session, daphne pid)."""
    with tempfile.TemporaryDirectory() as root:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "contest_site.settings",
            "DEBUG": "False",
            "SECRET_KEY": uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1",
            "LIVESTREAM_CHAT_PER_10S": "1000000",
            "REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:12]}",
            "LOG_LEVEL": "WARNING",
        }
        template = os.environ.get("BENCH_MIGRATED_TEMPLATE") or None
        postgres = _PostgresDatabase(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else None
        if postgres:
            postgres.create(template=template)
            env["DATABASE_URL"] = postgres.url
        else:
            if template:
                _copy_sqlite(template, Path(root) / "bench.sqlite3")
            env["DATABASE_URL"] = f"sqlite:///{root}/bench.sqlite3"
        log_path = Path(root) / "daphne.log"
        try:
            if not template:
                _run_manage(["migrate", "--noinput"], env)
            setup = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", SETUP],
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            session = setup.stdout.strip().splitlines()[-1]
            port = _free_port()
            base_url = f"http://127.0.0.1:{port}"
            with log_path.open("wb") as log:
                daphne = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "daphne",
                        "-b",
                        "127.0.0.1",
                        "-p",
                        str(port),
                        "contest_site.asgi:application",
                    ],
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                _wait_until_healthy(daphne, base_url, log_path)
                yield base_url, session, daphne.pid
            finally:
                _stop(daphne)
        finally:
            if postgres:
                postgres.drop()
