"""Production shape without a proxy: DEBUG off, collected static files, daphne alone serves everything."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BOOTSTRAP_CSS = "vendor/bootstrap-5.3.9/bootstrap.min.css"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(process: subprocess.Popen, port: int) -> None:
    """Poll until daphne listens. The deadline only keeps a broken start from hanging the suite."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"daphne exited with {process.returncode}: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("daphne did not start listening")


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]  # in the services run, daphne uses Redis too
    # Both preparation steps at once: they touch different files.
    steps = [
        subprocess.Popen(
            [sys.executable, "manage.py", *command, "--noinput"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in (["migrate"], ["collectstatic"])
    ]
    for step in steps:
        _stdout, stderr = step.communicate(timeout=300)
        assert step.returncode == 0, stderr
    return env


def test_daphne_alone_serves_pages_and_collected_static_files(production_env):
    port = free_port()
    daphne = subprocess.Popen(
        [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "contest_site.asgi:application"],
        cwd=ROOT,
        env=production_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(daphne, port)

        status, headers, body = get(port, f"/static/{BOOTSTRAP_CSS}")
        assert status == 200
        assert headers["Content-Type"] == 'text/css; charset="utf-8"'
        assert body == (ROOT / "static" / BOOTSTRAP_CSS).read_bytes()

        status, headers, body = get(port, "/")
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        # The page links the hashed copy from the manifest, which WhiteNoise serves as immutable.
        hashed = re.search(
            r'href="(/static/vendor/bootstrap-5\.3\.9/bootstrap\.min\.[0-9a-f]{12}\.css)"', body.decode()
        )
        assert hashed is not None
        status, headers, body = get(port, hashed.group(1))
        assert status == 200
        assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert body == (Path(production_env["STATIC_ROOT"]) / hashed.group(1).removeprefix("/static/")).read_bytes()

        # The favicon: /favicon.ico from the site's root files, the SVG the page links from the manifest.
        status, headers, body = get(port, "/favicon.ico")
        assert (status, headers["Content-Type"]) == (200, "image/x-icon")
        assert body == (ROOT / "static" / "root" / "favicon.ico").read_bytes()
        home = get(port, "/")[2].decode()
        svg = re.search(r'<link rel="icon" href="(/static/favicon\.[0-9a-f]{12}\.svg)" type="image/svg\+xml">', home)
        assert svg is not None
        status, headers, body = get(port, svg.group(1))
        assert (status, headers["Content-Type"]) == (200, "image/svg+xml")
        assert body == (ROOT / "static" / "favicon.svg").read_bytes()

        status, _headers, body = get(port, "/healthz")
        assert status == 200
        assert json.loads(body)["status"] == "ok"
    finally:
        daphne.terminate()
        try:
            daphne.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daphne.kill()
            daphne.wait()
        daphne.stderr.close()
