"""A Celery worker is killed (SIGKILL) in the middle of a batch of e-mails and of an export: once
a new worker runs, did every person get each e-mail exactly once, and is there one export file?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_x REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/fault_worker_kill.py                   # 120 people, visibility timeout 4 s
    .venv/bin/python bench/fault_worker_kill.py --recipients 300 --visibility 8

It needs the services: a throw-away PostgreSQL database is made on the server of DATABASE_URL
(and dropped at the end) and the broker is REDIS_URL, on a queue of its own (``CELERY_QUEUE``).
Workers are real ``celery -A contest_site worker`` processes (prefork, one pool process), with
``EMAIL_URL=filemail://`` so every e-mail they send is a file that is counted here.

1. Draft reminders: the beat task queues one task per draft owner. When a third of the owners
   are recorded, the whole worker is killed (its process group, as when a container dies). Its
   unacknowledged task is handed out again after the broker's visibility timeout; a new worker
   finishes the batch.
2. An export: the worker is killed as soon as the build is under way; a new worker builds it.
3. Results released: one task e-mails every entrant in a loop. When a third are recorded, only
   the worker's pool process is killed; the worker sees it lost, rejects the task back to the
   queue (``task_reject_on_worker_lost``) and its new pool process runs it again.

It prints what happened and exits 1 when anyone got an e-mail twice or not at all (other than
the one whose send the kill cut: recorded, maybe sent, never sent again — at most once), or when
the export is missing or doubled.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.e2e_server import _PostgresDatabase  # noqa: E402

# The longest wait for one step (a worker starting, a batch being recorded): a bound, not a target. The
# suite runs beside two xdist workers and live servers on two cores, where 40 s was once too short.
SCENARIO_SECONDS = 150.0


def count_emails(folder: Path) -> Counter:
    """Recipients of every e-mail the file backend wrote (one ``To:`` header per message)."""
    recipients: Counter = Counter()
    for path in folder.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("To: "):
                recipients[line[4:].strip()] += 1
    return recipients


class Worker:
    """``celery -A contest_site worker`` in its own process group."""

    def __init__(self, env: dict[str, str], log: Path, name: str):
        self.log, self.name = log, name
        self.started = time.monotonic()
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    *("-m", "celery", "-A", "contest_site", "worker", "--concurrency=1", "--loglevel=INFO"),
                    *("-n", f"{name}@%h", "--without-gossip", "--without-mingle"),
                ],
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> float:
        """Seconds from start until the worker said it is ready (it consumes from then on)."""
        said = re.compile(rf"\b{self.name}@\S+ ready\.")
        wait_for(lambda: said.search(self.log.read_text(errors="replace")), f"worker {self.name} to start", step=0.1)
        return time.monotonic() - self.started

    def pool_pids(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill(self) -> None:
        """SIGKILL the whole worker: nothing is acknowledged, requeued or cleaned up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition, what: str, seconds: float = SCENARIO_SECONDS, step: float = 0.05) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    raise TimeoutError(f"gave up after {seconds:.0f} s waiting for {what}")


def setup_data(recipients: int):
    """An event with ``recipients`` draft owners (registration closing in two days), a round whose
    results go to all of them, and an organiser."""
    import datetime as dt

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from events.models import Role
    from tests.factories import (
        EntryFactory,
        EventFactory,
        EventRoleFactory,
        RegistrationSettingsFactory,
        RoundFactory,
        TrackFactory,
    )

    event = EventFactory(slug="fault")
    RegistrationSettingsFactory(event=event, closes_at=timezone.now() + dt.timedelta(days=2), reminder_days_before=3)
    track = TrackFactory(event=event)
    unusable = make_password(None)
    owners = User.objects.bulk_create(
        User(email=f"owner{n:04d}@bench.example", name_en=f"Owner {n}", language="en", password=unusable)
        for n in range(recipients)
    )
    for owner in owners:
        EntryFactory(event=event, owner=owner, track=track)
    organiser = User.objects.create(
        email="organiser@bench.example", name_en="Organiser", language="en", password=unusable
    )
    EventRoleFactory(event=event, user=organiser, role=Role.ORGANISER)
    return {
        "event": event,
        "organiser": organiser,
        "owners": [owner.email for owner in owners],
        "round": RoundFactory(event=event),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=120)
    parser.add_argument("--visibility", type=int, default=4, help="the broker's visibility timeout, seconds")
    args = parser.parse_args()
    if not (10 <= args.recipients <= 2000 and 2 <= args.visibility <= 60):
        parser.error("bounded: 10–2000 recipients, a visibility timeout of 2–60 s")
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        print("fault_worker_kill: skipped, it needs DATABASE_URL (PostgreSQL) and REDIS_URL (the services mode)")
        return 0
    postgres = _PostgresDatabase(database_url)
    postgres.create()
    root = Path(tempfile.mkdtemp(prefix="fault-worker-kill-"))
    queue = f"fault-{uuid.uuid4().hex[:12]}"
    mail_dir = root / "mail"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "contest_site.settings",
            "DATABASE_URL": postgres.url,
            "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
            "PRIVATE_MEDIA_ROOT": str(root / "private"),
            "MEDIA_ROOT": str(root / "media"),
            "CELERY_QUEUE": queue,
            "CELERY_VISIBILITY_TIMEOUT": str(args.visibility),
            "REDIS_PREFIX": queue,
        }
    )
    try:
        return _run(args, root)
    finally:
        drop_queue(redis_url, queue)
        postgres.drop()


def drop_queue(redis_url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(queue)
    client.close()


class Faults:
    """Workers to start and kill, and the checks after each fault (also used by
    tests/test_fault_worker_kill.py, inside its test database)."""

    def __init__(self, *, env: dict[str, str], root: Path, queue: str, visibility: int, data: dict):
        self.env, self.queue, self.visibility = env, queue, visibility
        self.mail_dir, self.log = Path(env["EMAIL_URL"].removeprefix("filemail:///")), root / "workers.log"
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.event, self.organiser, self.round = data["event"], data["organiser"], data["round"]
        self.owners: list[str] = data["owners"]
        self.workers: list[Worker] = []
        self.problems: list[str] = []

    def start_worker(self) -> Worker:
        worker = Worker(self.env, self.log, f"w{len(self.workers) + 1}")
        self.workers.append(worker)
        print(f"  worker {len(self.workers)} ready after {worker.wait_ready():.1f} s", flush=True)
        return worker

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()

    def recorded(self, prefix: str) -> int:
        from notifications.models import Delivery

        return Delivery.objects.filter(key__startswith=prefix).count()

    def check_batch(self, name: str, prefix: str, killed_at: int) -> None:
        from notifications.models import Delivery

        wait_for(lambda: self.recorded(prefix) == len(self.owners), f"every {name} to be recorded")
        time.sleep(1.0)  # anything sent twice would land now
        mails = count_emails(self.mail_dir)
        got = {address: mails[address] for address in self.owners}
        twice = sorted(a for a, n in got.items() if n > 1)
        unconfirmed = Delivery.objects.filter(key__startswith=prefix, sent_at__isnull=True).count()
        missing = sorted(a for a, n in got.items() if n == 0)
        print(
            f"  {name}: killed after {killed_at} of {len(self.owners)} were recorded; now "
            f"{sum(1 for n in got.values() if n == 1)} people got it once, {len(twice)} twice, {len(missing)} "
            f"not at all; {unconfirmed} send(s) cut by the kill (recorded, not confirmed, not repeated)"
        )
        if twice or len(missing) > unconfirmed:
            self.problems.append(f"{name}: {len(twice)} twice, {len(missing)} missing")
        for path in self.mail_dir.glob("*.log"):
            path.unlink()

    def kill(self, what: str) -> str:
        worker = self.workers[-1]
        if what == "worker":
            worker.kill()
            return "the worker killed (SIGKILL to its process group)"
        pool = worker.pool_pids()
        for pid in pool:
            os.kill(pid, signal.SIGKILL)
        return f"its pool process {pool} killed (SIGKILL), the worker lives on"

    def recover(self, what: str) -> None:
        """After a whole worker died, its task waits out the visibility timeout; a new worker takes it."""
        if what == "worker":
            time.sleep(self.visibility)
            self.start_worker()

    def draft_reminders(self, kill: str = "worker") -> None:
        """The beat task queues one reminder task per draft owner; killed when a third are recorded."""
        from registration import tasks

        t0 = time.monotonic()
        tasks.send_draft_reminders.apply_async(queue=self.queue)
        wait_for(lambda: self.recorded("entry.reminder") >= len(self.owners) // 3, "a third of the reminders")
        how = self.kill(kill)
        killed_at = self.recorded("entry.reminder")
        print(f"  draft reminders: {how} at t={time.monotonic() - t0:.1f} s", flush=True)
        self.recover(kill)
        self.check_batch("draft reminders", "entry.reminder", killed_at)
        print(f"  draft reminders: all recorded {time.monotonic() - t0:.1f} s after they were queued", flush=True)

    def export(self, kill: str = "worker") -> None:
        """An export, killed as soon as its build is under way; tried again if it was done first."""
        from registration import tasks
        from registration.models import ExportJob, export_folder

        attempt = 0
        while True:
            attempt += 1
            job = ExportJob.objects.create(event=self.event, requested_by=self.organiser, format="xlsx")
            tasks.build_export.apply_async(args=[job.pk], queue=self.queue)
            t0 = time.monotonic()
            under_way = ExportJob.objects.filter(pk=job.pk).exclude(state=ExportJob.State.PENDING)
            wait_for(under_way.exists, "the export to start", step=0.005)
            how = self.kill(kill)
            state = ExportJob.objects.get(pk=job.pk).state
            if state == ExportJob.State.RUNNING or attempt == 3:
                break
            print(f"  export: done before the kill landed ({state}); again with a new job")
            self.recover(kill)
        print(f"  export: {how} while the job was {state} (attempt {attempt}), {time.monotonic() - t0:.2f} s in")
        self.recover(kill)
        wait_for(lambda: ExportJob.objects.get(pk=job.pk).is_finished, "the export to finish")
        job.refresh_from_db()
        files = job.file.storage.listdir(export_folder(job))[1]
        jobs = ExportJob.objects.filter(event=self.event).count()
        print(
            f"  export: {job.state}, {job.processed}/{job.total} entries; {len(files)} file(s) in its folder; "
            f"{jobs} export record(s) for {attempt} request(s)"
        )
        if job.state != ExportJob.State.DONE or len(files) != 1 or jobs != attempt:
            self.problems.append(f"export: state {job.state}, {len(files)} files, {jobs} records")

    def results_released(self, kill: str = "pool") -> None:
        """One task e-mails every entrant in a loop; killed when a third are recorded."""
        from django.utils import timezone

        from judging import tasks
        from registration.models import Entry, Status

        worker = self.workers[-1]
        wait_for(lambda: bool(worker.pool_pids()), "the worker's pool process")
        Entry.objects.filter(event=self.event).update(status=Status.SCREENED_IN, submitted_at=timezone.now())
        t0 = time.monotonic()
        tasks.notify_results_released.apply_async(args=[self.round.pk], queue=self.queue)
        prefix = tasks.notify_results_released.name
        wait_for(lambda: self.recorded(prefix) >= len(self.owners) // 3, "a third of the results")
        how = self.kill(kill)
        killed_at = self.recorded(prefix)
        print(f"  results released: {how} at t={time.monotonic() - t0:.1f} s", flush=True)
        self.recover(kill)
        self.check_batch("results released", prefix, killed_at)
        print(f"  results released: all recorded {time.monotonic() - t0:.1f} s after the task was queued")


def _run(args, root: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", "--noinput", verbosity=0)
    migrated = time.monotonic() - started
    data = setup_data(args.recipients)
    faults = Faults(
        env=dict(os.environ), root=root, queue=os.environ["CELERY_QUEUE"], visibility=args.visibility, data=data
    )
    print(
        f"\nCelery worker killed mid-task: {args.recipients} people, visibility timeout {args.visibility} s, "
        f"queue {faults.queue} on {os.environ['REDIS_URL']} (migrate {migrated:.1f} s, "
        f"set-up {time.monotonic() - started - migrated:.1f} s)"
    )
    try:
        faults.start_worker()
        faults.draft_reminders(kill="worker")
        faults.export(kill="worker")
        faults.results_released(kill="pool")
    finally:
        faults.stop()
    problems = faults.problems
    print(f"  result: {'every e-mail once, one export' if not problems else 'PROBLEMS: ' + '; '.join(problems)}")
    if problems:
        print(faults.log.read_text(errors="replace")[-3000:])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
