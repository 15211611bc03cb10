"""The site served by one or more daphne processes on a database of its own, for load and fault runs.

    with site_servers("postgres://postgres@127.0.0.1:5432/x", processes=2, env={...}) as site:
        site.base_urls   # ["http://127.0.0.1:<port>", ...], one per daphne process
        site.database    # the throw-away database's name on that server

A fresh database (a unique name on the server of the given URL) is created, migrated and seeded
(``seed_demo`` by default, or the Python code in ``setup`` run with ``manage.py shell``), then
``processes`` daphne processes serve it on free loopback ports, like the production shape's web
replicas, with DEBUG off (static files collected) unless ``debug``. With ``celery`` (and REDIS_URL)
a Celery worker and beat run beside them, on a queue of the site's own. A ``server_url`` starting
with ``sqlite`` gives the embedded mode's SQLite file instead of a PostgreSQL database. Everything is stopped and
the database dropped on exit.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.e2e_server import _free_port, _run_manage, _stop, _wait_until_healthy  # noqa: E402

ASGI_APPLICATION = "contest_site.asgi:application"
DEMO_PASSWORD = "haizhi-demo-2026"  # noqa: S105  (README: every demo account's password)


@dataclass
class Site:
    base_urls: list[str]
    database_url: str
    database: str
    pids: list[int]
    log_paths: list[Path]
    setup_output: str = ""
    env: dict[str, str] = field(default_factory=dict)  # the servers' environment, for one-shot commands

    @property
    def media_root(self) -> Path:
        return Path(self.env["MEDIA_ROOT"])

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in self.log_paths)


def daphne_listen(port: int, backlog: int | None = None) -> list[str]:
    """daphne's arguments to listen on 127.0.0.1:``port``; with ``backlog``, a listen queue that long
    (Twisted's default is 50: a crowd's handshakes beyond it wait for the client's SYN retry, 1 s or more)."""
    if backlog is None:
        return ["-b", "127.0.0.1", "-p", str(port)]
    return ["-e", f"tcp:port={port}:interface=127.0.0.1:backlog={backlog}"]


def _admin(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))


def _execute(url: str, statement) -> None:
    import psycopg

    with psycopg.connect(_admin(url), autocommit=True) as connection:
        connection.execute(statement)


@contextlib.contextmanager
def site_servers(
    server_url: str,
    *,
    processes: int = 1,
    env: dict[str, str] | None = None,
    setup: str | None = None,
    redis_url: str | None = None,
    debug: bool = False,
    celery: bool = False,
    backlog: int | None = None,
) -> Iterator[Site]:
    from psycopg import sql

    name = f"site_{uuid.uuid4().hex[:12]}"
    sqlite = server_url.startswith("sqlite")
    with tempfile.TemporaryDirectory() as root:
        database_url = (
            f"sqlite:///{root}/{name}.sqlite3" if sqlite else urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
        )
        base_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "contest_site.settings",
            "DEBUG": str(debug),
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "False",
            "EMAIL_URL": f"filemail:///{root}/emails",
            "MEDIA_ROOT": f"{root}/media",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "REDIS_PREFIX": f"site-{uuid.uuid4().hex[:12]}",
            "DATABASE_URL": database_url,
            **(env or {}),
        }
        if celery:  # a queue of this site's own: producers (daphne) and the worker must agree on it
            base_env.setdefault("CELERY_QUEUE", f"site-{uuid.uuid4().hex[:12]}")
        if redis_url is not None:
            base_env["REDIS_URL"] = redis_url
        if not base_env.get("REDIS_URL"):
            base_env.pop("REDIS_URL", None)
        if not sqlite:
            _execute(server_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        started: list[subprocess.Popen] = []
        try:
            # Set up with the pool off: a one-shot command needs one connection, not a pool's worth.
            setup_env = {**base_env, "DB_POOL": "False", "CONN_MAX_AGE": "0", "DEBUG": "True"}
            _run_manage(["migrate", "--noinput"], setup_env)
            setup_output = ""
            if setup is None:
                _run_manage(["seed_demo", "--quiet-logins"], setup_env)
            else:
                setup_output = subprocess.run(
                    [sys.executable, "manage.py", "shell", "-c", setup],
                    cwd=REPO_ROOT,
                    env=setup_env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            if not debug:  # DEBUG off: the hashed file names' manifest is written only then
                _run_manage(
                    ["collectstatic", "--noinput", "-v", "0"],
                    {**setup_env, "DEBUG": "False", "STATIC_ROOT": f"{root}/static"},
                )
            base_urls, log_paths = [], []
            for index in range(processes):
                port = _free_port()
                log_path = Path(root) / f"daphne-{index}.log"
                with log_path.open("wb") as log:
                    started.append(
                        subprocess.Popen(
                            [
                                sys.executable,
                                "-m",
                                "daphne",
                                *daphne_listen(port, backlog),
                                "contest_site.asgi:application",
                            ],
                            cwd=REPO_ROOT,
                            env={**base_env, "STATIC_ROOT": f"{root}/static"},
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            start_new_session=True,
                        )
                    )
                base_urls.append(f"http://127.0.0.1:{port}")
                log_paths.append(log_path)
            for process, base_url, log_path in zip(started, base_urls, log_paths, strict=True):
                _wait_until_healthy(process, base_url, log_path)
            if celery and base_env.get("REDIS_URL"):
                # The production shape's worker (one pool process, no pool of database connections)
                # and beat, on a queue of this site's own.
                celery_env = {**base_env, "DB_POOL": "False", "CONN_MAX_AGE": "0"}
                for role, extra in (
                    ("worker", ["--concurrency=1", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"]),
                    ("beat", ["--schedule", f"{root}/beat-schedule"]),
                ):
                    log_path = Path(root) / f"celery-{role}.log"
                    with log_path.open("wb") as log:
                        started.append(
                            subprocess.Popen(
                                [
                                    sys.executable,
                                    "-m",
                                    "celery",
                                    "-A",
                                    "contest_site",
                                    role,
                                    "--loglevel=WARNING",
                                    *extra,
                                ],
                                cwd=REPO_ROOT,
                                env=celery_env,
                                stdout=log,
                                stderr=subprocess.STDOUT,
                                start_new_session=True,
                            )
                        )
                    log_paths.append(log_path)
            yield Site(
                base_urls=base_urls,
                database_url=database_url,
                database=name,
                pids=[process.pid for process in started],
                env={**base_env, "STATIC_ROOT": f"{root}/static", "DB_POOL": "False", "CONN_MAX_AGE": "0"},
                log_paths=log_paths,
                setup_output=setup_output,
            )
        finally:
            for process in started:
                _stop(process)
            if not sqlite:
                _execute(server_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
