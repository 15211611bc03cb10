"""Redis stopped and started again (a private redis-server, with its append-only file as in
docker-compose.yml) under web traffic and Celery work: no 5xx from the cache, and every task
queued before, during and after the outage runs once (bench/redis_restart_cache_broker.py)."""

import shutil
import subprocess
import sys

import pytest

from tests.e2e_server import REPO_ROOT

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_no_5xx_and_no_task_lost_or_doubled_across_a_redis_restart():
    result = subprocess.run(
        [sys.executable, "bench/redis_restart_cache_broker.py", "--tasks", "5", "--down", "3"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tasks: 15 queued, 0 refused to the caller; lost: 0 of 5 queued before, 0 of 5 queued during, " in (
        result.stdout
    )
    assert "0 run twice" in result.stdout
    assert "result: no 5xx, no task lost or run twice" in result.stdout
