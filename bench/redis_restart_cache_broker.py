"""Redis stops and starts again under web traffic and Celery work: does any page answer 500, is
any task lost or run twice?

    .venv/bin/python bench/redis_restart_cache_broker.py               # 20 tasks a batch, Redis down 4 s
    .venv/bin/python bench/redis_restart_cache_broker.py --down 15     # longer than the publish retries
    .venv/bin/python bench/redis_restart_cache_broker.py --no-aof      # Redis keeps nothing on disk

It starts its own throw-away ``redis-server`` on a free loopback port (the machine's Redis is left
alone) with the append-only file on, as docker-compose.yml runs the broker, then a daphne and a
``celery -A contest_site worker`` on it (SQLite, or a throw-away PostgreSQL database when
DATABASE_URL is set), e-mail going to files that are counted.

All along, a client asks for the API's event list (the API throttles count in the cache) and
signs in with a wrong password (allauth's sign-in limits count in the cache).

1. The worker is stopped and a batch of tasks (one reminder e-mail each) is queued: they wait
   in Redis. Redis is stopped; while it is down, a second batch is queued (each ``delay()``
   retries until Redis is back, or raises to the caller after CELERY_PUBLISH_RETRY_SECONDS).
   Redis starts again, from its append-only file; a new worker starts.
2. Redis is restarted once more under the running worker, and a third batch is queued after.

Every task queued (not refused) must run, and every person get one e-mail; no request may answer
5xx. It prints what happened and exits 1 otherwise.
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import start_redis
from fault_worker_kill import Worker, count_emails, wait_for

from tests.e2e_server import REPO_ROOT, _free_port, _PostgresDatabase, _stop, _wait_until_healthy

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Traffic(threading.Thread):
    """Asks for the API's event list and posts a wrong sign-in, over and over, counting answers."""

    def __init__(self, base_url: str):
        super().__init__(daemon=True)
        self.base_url = base_url
        self.answers: Counter = Counter()
        self.answers_while_down: Counter = Counter()
        self.redis_down = threading.Event()
        self.failures: Counter = Counter()
        self.stopped = threading.Event()
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def _ask(self, path: str, data: dict | None = None) -> str:
        request = urllib.request.Request(
            self.base_url + path,
            data=urllib.parse.urlencode(data).encode() if data else None,
            headers={"Referer": self.base_url + path},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                self._count(response.status)
                return response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            self._count(error.code)
            return ""
        except OSError as error:
            self.failures[type(error).__name__] += 1
            return ""

    def _count(self, status: int) -> None:
        self.answers[status] += 1
        if self.redis_down.is_set():
            self.answers_while_down[status] += 1

    def run(self) -> None:
        while not self.stopped.is_set():
            self._ask("/api/v1/events/")
            page = self._ask("/accounts/login/")
            token = TOKEN.search(page)
            if token:
                self._ask(
                    "/accounts/login/",
                    {"csrfmiddlewaretoken": token.group(1), "login": "nobody@bench.example", "password": "wrong"},
                )
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=20, help="tasks in each batch")
    parser.add_argument("--down", type=float, default=4.0, help="seconds Redis stays down")
    parser.add_argument("--no-aof", action="store_true", help="run Redis without its append-only file")
    args = parser.parse_args()
    if not (1 <= args.tasks <= 500 and 0 < args.down <= 60):
        parser.error("bounded: 1–500 tasks a batch, Redis down at most 60 s")
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        print("redis_restart_cache_broker: skipped, redis-server/redis-cli are not installed")
        return 0
    root = Path(tempfile.mkdtemp(prefix="redis-restart-"))
    redis_port = _free_port()
    postgres = _PostgresDatabase(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else None
    if postgres:
        postgres.create()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "contest_site.settings",
            "DATABASE_URL": postgres.url if postgres else f"sqlite:///{root}/bench.sqlite3",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:12]}",
            "EMAIL_URL": f"filemail:///{root / 'mail'}",
            "MEDIA_ROOT": str(root / "media"),
            "PRIVATE_MEDIA_ROOT": str(root / "private"),
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "LOG_LEVEL": "WARNING",
        }
    )
    (root / "mail").mkdir()
    redis = [start_redis(redis_port, str(root), aof=not args.no_aof)]
    try:
        return _run(args, root, redis_port, redis)
    finally:
        _stop(redis[0])
        if postgres:
            postgres.drop()


def _run(args, root: Path, redis_port: int, redis: list) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    from django.contrib.auth.hashers import make_password
    from kombu.exceptions import OperationalError

    from accounts.models import User
    from notifications.models import Delivery
    from registration import tasks
    from tests.factories import EntryFactory, EventFactory, TrackFactory

    event = EventFactory(slug="restart")
    track = TrackFactory(event=event)
    unusable = make_password(None)
    owners = User.objects.bulk_create(
        User(email=f"owner{n:04d}@bench.example", name_en=f"Owner {n}", language="en", password=unusable)
        for n in range(3 * args.tasks)
    )
    entries = [EntryFactory(event=event, track=track, owner=owner) for owner in owners]
    batches = {
        name: entries[i * args.tasks : (i + 1) * args.tasks] for i, name in enumerate(("before", "during", "after"))
    }
    env = dict(os.environ)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = root / "daphne.log"
    with log.open("wb") as out:
        daphne = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "contest_site.asgi:application"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    workers: list[Worker] = []
    traffic = Traffic(base_url)
    queued: dict[str, list] = {"before": [], "during": [], "after": []}
    refused: list[str] = []
    try:
        _wait_until_healthy(daphne, base_url, log)
        workers.append(Worker(env, root / "workers.log", "w1"))
        workers[-1].wait_ready()
        traffic.start()
        print(
            f"\nRedis restarted under traffic and Celery work: {args.tasks} tasks a batch, Redis down {args.down:g} s, "
            f"append-only file {'off' if args.no_aof else 'on'} (cache, broker and channel layer on it)"
        )

        def enqueue(name: str) -> None:
            for entry in batches[name]:
                try:
                    tasks.send_draft_reminder.delay(entry.pk)
                    queued[name].append(entry.owner.email)
                except OperationalError as error:
                    refused.append(f"{name}: {type(error).__name__}")

        def restart(during=None) -> float:
            _stop(redis[0])
            traffic.redis_down.set()
            started = time.monotonic()
            enqueuing = threading.Thread(target=during) if during else None
            if enqueuing:
                enqueuing.start()
            time.sleep(args.down)
            redis[0] = start_redis(redis_port, str(root), aof=not args.no_aof)
            traffic.redis_down.clear()
            if enqueuing:
                enqueuing.join()
            return time.monotonic() - started

        # 1. Tasks wait in Redis (worker stopped); Redis restarts; more are queued while it is down.
        workers[-1].stop()
        enqueue("before")
        took = restart(during=lambda: enqueue("during"))
        print(
            f"  1. worker stopped, {len(queued['before'])} tasks queued; Redis stopped and started again; "
            f"{len(queued['during'])} queued while it was down ({len(refused)} refused), all back after {took:.1f} s"
        )
        workers.append(Worker(env, root / "workers.log", "w2"))
        print(f"     a new worker ready after {workers[-1].wait_ready():.1f} s")
        # 2. Redis restarted under the running worker; a batch queued after.
        took = restart()
        enqueue("after")
        print(
            f"  2. Redis restarted under the running worker ({took:.1f} s); {len(queued['after'])} tasks queued after"
        )

        expected = [address for name in queued for address in queued[name]]
        try:
            wait_for(lambda: Delivery.objects.count() >= len(expected), "every queued task to run", seconds=60)
        except TimeoutError as error:
            print(f"  {error}")
        time.sleep(1.0)
    finally:
        traffic.stopped.set()
        for worker in workers:
            worker.stop()
        _stop(daphne)
        traffic.join(timeout=35)

    mails = count_emails(root / "mail")
    lost = {name: sum(1 for a in queued[name] if mails[a] == 0) for name in queued}
    twice = sum(1 for address in expected if mails[address] > 1)
    errors = sum(n for status, n in traffic.answers.items() if status >= 500)
    print(
        f"  tasks: {len(expected)} queued, {len(refused)} refused to the caller; lost: "
        + ", ".join(f"{n} of {len(queued[name])} queued {name}" for name, n in lost.items())
        + f"; {twice} run twice"
    )
    print(
        f"  traffic: {sum(traffic.answers.values())} answers "
        + ", ".join(f"{n}× {status}" for status, n in sorted(traffic.answers.items()))
        + f"; while Redis was down: {dict(traffic.answers_while_down)}"
        + (f"; connection failures {dict(traffic.failures)}" if traffic.failures else "")
    )
    ok = not any(lost.values()) and not twice and not errors and not traffic.failures
    print(f"  result: {'no 5xx, no task lost or run twice' if ok else 'PROBLEMS'}")
    if not ok:
        print((root / "workers.log").read_text(errors="replace")[-2000:])
        print(log.read_text(errors="replace")[-2000:])
    shutil.rmtree(root, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
