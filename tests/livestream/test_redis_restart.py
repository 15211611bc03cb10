"""Redis stopped and started again under a live room loses no stored chat message (bench/room_redis_restart.py)."""

import os
import shutil
import subprocess
import sys

import pytest

from tests.e2e_server import REPO_ROOT

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_viewers_get_every_stored_message_across_a_redis_restart(e2e_template):
    result = subprocess.run(
        [
            sys.executable,
            "bench/room_redis_restart.py",
            *("--viewers", "8", "--rate", "4", "--seconds", "9", "--down", "3"),
        ],
        cwd=REPO_ROOT,
        # The run's migrated template database, copied instead of migrating one more.
        env={**os.environ, "BENCH_MIGRATED_TEMPLATE": e2e_template.migrated},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stored: 36 chat messages, 0 posted but not stored, 0 twice" in result.stdout
    assert "viewers: 8/8 received every stored message; 0 deliveries missing" in result.stdout
