"""PostgreSQL restarted under traffic (bench/fault_postgres_restart.py, on a private cluster of its own):
requests fail only while it is down, as 503 never 500, pages answer again within 5 s after it is back,
and no acknowledged chat message is lost or stored twice."""

import os
import subprocess
import sys

import pytest

from bench._private_postgres import postgres_bin_dir
from tests.e2e_server import REPO_ROOT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="services mode only (DATABASE_URL on PostgreSQL): the restart test runs a PostgreSQL cluster",
    ),
    pytest.mark.skipif(postgres_bin_dir() is None, reason="PostgreSQL's server binaries (initdb, pg_ctl) are missing"),
]


def test_a_postgres_restart_gives_503s_only_while_it_is_down_and_loses_no_write():
    result = subprocess.run(
        [
            sys.executable,
            "bench/fault_postgres_restart.py",
            *("--clients", "6", "--chat-writers", "2", "--seconds", "20", "--down", "3", "--recovery", "5"),
            "--debug",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=480,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert ", 500: 0, no answer: 0," in output
    assert "failures outside the outage: 0;" in output
    assert "0 acknowledged but missing, 0 stored twice" in output
    assert "OK" in result.stdout.splitlines()
