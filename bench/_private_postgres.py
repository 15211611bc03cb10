"""A throw-away PostgreSQL cluster of our own, for benchmarks and fault tests that must not touch
the machine's shared server (which other people's tests use, and which must never be restarted).

    with PrivatePostgres(max_connections=100) as server:
        url = server.url("mydb")       # postgres://postgres@127.0.0.1:<port>/mydb
        server.stop(); server.start()  # a restart under traffic

``initdb`` makes the cluster in a temporary folder, ``pg_ctl`` runs it on a free loopback port;
everything is deleted on exit. As root (CI, these machines) the server runs as the ``postgres``
user, since PostgreSQL refuses to run as root. Durability is switched off (fsync, full page
writes): the cluster lives for one run and speed matters more than surviving a power cut.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

try:  # run as a script from bench/, or imported as bench._private_postgres by the tests
    from _servers import machine_clock_env
except ImportError:
    from bench._servers import machine_clock_env

BIN_DIRS = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15", "14")]
START_TIMEOUT_SECONDS = 30


def postgres_bin_dir() -> Path | None:
    """The folder with initdb and pg_ctl, or None when PostgreSQL's server binaries are not installed."""
    for candidate in BIN_DIRS:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_url(url: str) -> str:
    """The same server's maintenance database (``postgres``) for CREATE/DROP DATABASE and pg_stat_activity."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))


class PrivatePostgres:
    def __init__(self, *, max_connections: int = 100, port: int | None = None):
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        self.bin_dir = bin_dir
        self.max_connections = max_connections
        self.port = port or _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="private-pg-"))
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self._as_user = os.geteuid() == 0
        if self._as_user:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    # --- running commands as the cluster's owner --------------------------------------------
    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_user:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=self.root, env=machine_clock_env()
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{self.log()}"
            )
        return result

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    # --- life cycle ----------------------------------------------------------------------------
    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": str(self.max_connections),
            "shared_buffers": "'64MB'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", str(START_TIMEOUT_SECONDS), "start"
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``fast`` ends every session at once, as a restart by an operator does."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", str(START_TIMEOUT_SECONDS), "stop")

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(admin_url(self.url()), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def cleanup(self) -> None:
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PrivatePostgres":
        try:
            self.init()
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.cleanup()
