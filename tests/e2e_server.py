"""Real daphne servers for end-to-end and browser tests, all started from one template database.

The first server a pytest run needs builds the TEMPLATE: a throw-away database migrated and seeded
with the demo programme (``manage.py migrate`` and ``seed_demo`` in subprocesses, exactly as
``make run`` does) plus the media files the seed wrote. Every server then serves its own COPY: the
SQLite file copied (the default), or, when ``DATABASE_URL`` is set, ``CREATE DATABASE ... TEMPLATE``
on the same PostgreSQL server. Under pytest-xdist the workers build the template once between them
(under a file lock in the run's shared temporary folder); the process that leads the run drops the
PostgreSQL databases again at its end. E-mails go to files (``filemail://``) that
``DaphneServer.emails()`` reads back.

Tests ask for the ``daphne_server`` fixture (registered for the whole suite by ``tests/conftest.py``).
They share one server per pytest process, except tests marked ``@pytest.mark.daphne_server("name")``:
the tests of one name share a server of their own, on a fresh copy. Give a flow its own name when it
changes demo data that other flows read (a room's agenda, an advancement).
"""

import contextlib
import email
import email.policy
import fcntl
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_SECONDS = 60
SHUTDOWN_TIMEOUT_SECONDS = 10
# Django's file-based e-mail backend ends every message with this line.
EMAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@dataclass(frozen=True)
class DaphneServer:
    base_url: str
    email_dir: Path
    log_path: Path

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def emails(self) -> list[EmailMessage]:
        """Every e-mail the server has sent so far, newest first."""
        messages: list[tuple[float, int, EmailMessage]] = []
        for file in self.email_dir.glob("*.log"):
            mtime = file.stat().st_mtime
            for position, raw in enumerate(file.read_bytes().split(EMAIL_SEPARATOR)):
                if raw.strip():
                    messages.append((mtime, position, email.message_from_bytes(raw, policy=email.policy.default)))
        messages.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [message for _mtime, _position, message in messages]

    def newest_email(self, *, to: str) -> EmailMessage:
        """The newest e-mail sent to ``to``; fails the test with the list of recipients if there is none."""
        sent = self.emails()
        for message in sent:
            if to in message["To"]:
                return message
        recipients = [message["To"] for message in sent]
        pytest.fail(f"No e-mail to {to} in {self.email_dir}; e-mails were sent to: {recipients}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_manage(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"`manage.py {' '.join(args)}` failed with exit code {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )


class _PostgresDatabase:
    """A database on the server of ``DATABASE_URL``, created and dropped with psycopg.

    Its name is unique unless ``name`` is given; ``create(template=...)`` copies another database.
    """

    def __init__(self, server_url: str, name: str | None = None):
        parts = urlsplit(server_url)
        self.name = name or f"e2e_{uuid.uuid4().hex[:16]}"
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        # Connect to the maintenance database: the one in DATABASE_URL may not exist yet.
        self._admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))

    def _execute(self, statement) -> None:
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def create(self, template: str | None = None) -> None:
        import psycopg
        from psycopg import sql

        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name))
        if template is None:
            self._execute(statement)
            return
        statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        # A template must have no session: one that just closed may still be on its way out.
        for attempt in range(20):
            try:
                self._execute(statement)
                return
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.5)

    def drop(self) -> None:
        from psycopg import sql

        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


def _wait_until_healthy(process: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"daphne exited with code {process.returncode} before answering /healthz. Its log:\n"
                f"{log_path.read_text(errors='replace')}"
            )
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last_error = f"HTTP {exc.code}: {exc.read().decode(errors='replace')}"
        except OSError as exc:
            last_error = str(exc)
        time.sleep(0.2)
    raise RuntimeError(
        f"daphne did not answer 200 on {base_url}/healthz within {STARTUP_TIMEOUT_SECONDS} s "
        f"(last: {last_error}). Its log:\n{log_path.read_text(errors='replace')}"
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # daphne runs in its own session, so its process group holds it and only it (and its children).
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


TEMPLATE_FOLDER = "e2e-template"
DEFAULT_SERVER = "shared"


def _server_env(root: Path) -> dict[str, str]:
    """The environment of ``manage.py`` and daphne for a server (or the template) living in ``root``."""
    (root / "emails").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contest_site.settings",
        "DEBUG": "True",
        "EMAIL_URL": f"filemail:///{root / 'emails'}",
        "MEDIA_ROOT": str(root / "media"),
        "PYTHONUNBUFFERED": "1",
        # A prefix of its own keeps this server's cache and channel keys apart from other runs on the same Redis.
        "REDIS_PREFIX": f"e2e-{uuid.uuid4().hex[:12]}",
        # No connection kept between requests: each daphne thread would otherwise hold one to
        # PostgreSQL for a minute, and a few live servers at once use up the server's connections.
        "CONN_MAX_AGE": "0",
    }


def _note_postgres_database(folder: Path, name: str) -> None:
    """Remember a PostgreSQL database of this run, so the end of the run drops it even after a crash."""
    with (folder / "postgres-databases").open("a") as names:
        names.write(name + "\n")


def _copy_sqlite(source_path: str, target: Path) -> None:
    # SQLite's backup API copies a consistent database whatever its journal mode (WAL here).
    with (
        contextlib.closing(sqlite3.connect(source_path)) as source,
        contextlib.closing(sqlite3.connect(target)) as destination,
    ):
        source.backup(destination)


@dataclass(frozen=True)
class DemoTemplate:
    """The databases a run copies: one migrated and demo-seeded (with the media files and e-mails the
    seed wrote), and one only migrated. Each is a SQLite file, or a PostgreSQL database name."""

    folder: Path
    seeded: str
    migrated: str
    postgres: bool

    @contextlib.contextmanager
    def copy(self, root: Path, *, seeded: bool = True) -> Iterator[str]:
        """Copy a template database (and the seed's files) into ``root``; yield the copy's DATABASE_URL."""
        source = self.seeded if seeded else self.migrated
        if seeded:
            for part in ("media", "emails"):
                if (self.folder / part).exists():
                    shutil.copytree(self.folder / part, root / part, dirs_exist_ok=True)
        if not self.postgres:
            target = root / "e2e.sqlite3"
            _copy_sqlite(source, target)
            yield f"sqlite:///{target}"
            return
        database = _PostgresDatabase(os.environ["DATABASE_URL"])
        _note_postgres_database(self.folder, database.name)
        database.create(template=source)
        try:
            yield database.url
        finally:
            database.drop()


def _build_template(folder: Path) -> dict[str, str | bool]:
    """Migrate a database, keep it as the migrated template, and seed a copy of it with the demo."""
    env = _server_env(folder)
    if os.environ.get("DATABASE_URL"):
        tag = uuid.uuid4().hex[:12]
        migrated = _PostgresDatabase(os.environ["DATABASE_URL"], name=f"e2e_tpl_{tag}_migrated")
        seeded = _PostgresDatabase(os.environ["DATABASE_URL"], name=f"e2e_tpl_{tag}_demo")
        for database in (migrated, seeded):
            _note_postgres_database(folder, database.name)
        migrated.create()
        _run_manage(["migrate", "--noinput"], {**env, "DATABASE_URL": migrated.url})
        seeded.create(template=migrated.name)
        env["DATABASE_URL"] = seeded.url
        names = {"migrated": migrated.name, "seeded": seeded.name}
    else:
        names = {"migrated": str(folder / "migrated.sqlite3"), "seeded": str(folder / "demo.sqlite3")}
        _run_manage(["migrate", "--noinput"], {**env, "DATABASE_URL": f"sqlite:///{names['migrated']}"})
        _copy_sqlite(names["migrated"], Path(names["seeded"]))
        env["DATABASE_URL"] = f"sqlite:///{names['seeded']}"
    _run_manage(["seed_demo", "--quiet-logins"], env)
    return {**names, "postgres": bool(os.environ.get("DATABASE_URL"))}


def demo_template(folder: Path) -> DemoTemplate:
    """The run's template in ``folder``, built by whichever process asks first (the others wait for it)."""
    folder.mkdir(parents=True, exist_ok=True)
    ready, failed = folder / "template.json", folder / "failed.txt"
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if failed.exists():
            raise RuntimeError(f"Building the demo template failed earlier in this run:\n{failed.read_text()}")
        if not ready.exists():
            try:
                built = _build_template(folder)
            except Exception as exc:
                failed.write_text(str(exc))
                raise
            ready.write_text(json.dumps(built))
    return DemoTemplate(folder=folder, **json.loads(ready.read_text()))


@contextlib.contextmanager
def _serve(template: DemoTemplate, root: Path) -> Iterator[DaphneServer]:
    """Daphne on a free port, on a fresh copy of the template, exactly as ``make serve`` runs it."""
    env = _server_env(root)
    log_path = root / "daphne.log"
    with template.copy(root) as database_url:
        env["DATABASE_URL"] = database_url
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "contest_site.asgi:application"],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_healthy(process, base_url, log_path)
            yield DaphneServer(base_url=base_url, email_dir=root / "emails", log_path=log_path)
        finally:
            _stop(process)


def _run_folder(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole run: under pytest-xdist, the parent of every worker's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


class DaphneServers:
    """The servers of one pytest process, started on first use, by name, and stopped at its end."""

    def __init__(self, template_folder: Path, tmp_path_factory: pytest.TempPathFactory):
        self._template_folder = template_folder
        self._tmp_path_factory = tmp_path_factory
        self._template: DemoTemplate | None = None
        self._servers: dict[str, DaphneServer] = {}
        self._stack = contextlib.ExitStack()

    def template(self) -> DemoTemplate:
        if self._template is None:
            self._template = demo_template(self._template_folder)
        return self._template

    def get(self, name: str = DEFAULT_SERVER) -> DaphneServer:
        if name not in self._servers:
            root = self._tmp_path_factory.mktemp(f"daphne-{name}")
            self._servers[name] = self._stack.enter_context(_serve(self.template(), root))
        return self._servers[name]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def daphne_servers(request, tmp_path_factory) -> Iterator[DaphneServers]:
    servers = DaphneServers(_run_folder(request.config, tmp_path_factory) / TEMPLATE_FOLDER, tmp_path_factory)
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture(scope="session")
def e2e_template(daphne_servers) -> DemoTemplate:
    """The run's template databases, for a test that starts a server of its own making."""
    return daphne_servers.template()


@pytest.fixture
def daphne_server(request, daphne_servers) -> DaphneServer:
    """The shared live server, or the one named by the test's ``daphne_server`` marker."""
    marker = request.node.get_closest_marker("daphne_server")
    return daphne_servers.get(marker.args[0] if marker else DEFAULT_SERVER)


LIVE_FIXTURES = {"daphne_server", "daphne_servers", "e2e_template"}
_background_builds: list[threading.Thread] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    """When the run has tests on live servers, start building the template now, in the background:
    it overlaps the database tests instead of holding up the first live test (and, under xdist, the
    other worker waiting for it). ``DaphneServers.template()`` waits for it under the same lock."""
    if session.config.option.collectonly:
        return
    # (The pytest-xdist controller collects no items: only the workers get past this.)
    if not any(LIVE_FIXTURES & set(getattr(item, "fixturenames", ())) for item in session.items):
        return
    folder = _run_folder(session.config, session.config._tmp_path_factory) / TEMPLATE_FOLDER
    thread = threading.Thread(target=_build_quietly, args=(folder,), name="e2e-template", daemon=True)
    thread.start()
    _background_builds.append(thread)


def _build_quietly(folder: Path) -> None:
    with contextlib.suppress(Exception):  # a failure is recorded in failed.txt and raised by the test that needs it
        demo_template(folder)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A build still under way is finished (it holds the lock other workers wait on); then the
    process leading the run (not an xdist worker) drops the run's PostgreSQL databases."""
    for thread in _background_builds:
        thread.join()
    if hasattr(session.config, "workerinput") or not os.environ.get("DATABASE_URL"):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    names = factory.getbasetemp() / TEMPLATE_FOLDER / "postgres-databases" if factory else None
    if names is None or not names.exists():
        return
    for name in dict.fromkeys(names.read_text().split()):
        _PostgresDatabase(os.environ["DATABASE_URL"], name=name).drop()
