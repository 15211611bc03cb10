"""A real daphne server for end-to-end and browser tests.

``daphne_server`` (session-scoped) builds a throw-away database, migrates it, seeds the demo
programme and serves the site with daphne on a free port, exactly as ``make run`` does. The
database is a SQLite file in a temporary folder, or, when ``DATABASE_URL`` is set, a fresh
PostgreSQL database on the same server that is dropped again at the end. E-mails go to files
(``filemail://``) that ``DaphneServer.emails()`` reads back.

Import the fixture into a ``conftest.py`` to use it: ``from tests.e2e_server import daphne_server``.
"""

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
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
    """A database with a unique name on the server of ``DATABASE_URL``, created and dropped with psycopg."""

    def __init__(self, server_url: str):
        parts = urlsplit(server_url)
        self.name = f"e2e_{uuid.uuid4().hex[:16]}"
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        # Connect to the maintenance database: the one in DATABASE_URL may not exist yet.
        self._admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))

    def _execute(self, statement) -> None:
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def create(self) -> None:
        from psycopg import sql

        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

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


@pytest.fixture(scope="session")
def daphne_server(tmp_path_factory) -> Iterator[DaphneServer]:
    root = tmp_path_factory.mktemp("daphne-server")
    email_dir = root / "emails"
    email_dir.mkdir()
    log_path = root / "daphne.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contest_site.settings",
        "DEBUG": "True",
        "EMAIL_URL": f"filemail:///{email_dir}",
        "MEDIA_ROOT": str(root / "media"),
        "PYTHONUNBUFFERED": "1",
        # A prefix of its own keeps this server's cache and channel keys apart from other runs on the same Redis.
        "REDIS_PREFIX": f"e2e-{uuid.uuid4().hex[:12]}",
    }
    postgres = _PostgresDatabase(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else None
    if postgres:
        postgres.create()
        env["DATABASE_URL"] = postgres.url
    else:
        env["DATABASE_URL"] = f"sqlite:///{root / 'e2e.sqlite3'}"

    try:
        _run_manage(["migrate", "--noinput"], env)
        _run_manage(["seed_demo", "--quiet-logins"], env)
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
            yield DaphneServer(base_url=base_url, email_dir=email_dir, log_path=log_path)
        finally:
            _stop(process)
    finally:
        if postgres:
            postgres.drop()
