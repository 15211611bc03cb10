"""The environment for the outside servers the benchmarks and fault tests start (redis-server, PostgreSQL).

CI runs the suite once with the clock moved a year ahead by libfaketime, preloaded into every child
process through ``LD_PRELOAD``. The project's own processes (daphne, Celery) must see that clock; a
redis-server or PostgreSQL of ours keeps the machine's, as the shared ones do (and redis-server's
allocator recurses into the preloaded clock and never starts).
"""

import os
import subprocess
import time

FAKETIME_VARIABLES = (
    "LD_PRELOAD",
    "FAKETIME",
    "FAKETIME_DONT_FAKE_MONOTONIC",
    "FAKETIME_NO_CACHE",
    "DONT_FAKE_MONOTONIC",
)


def machine_clock_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) without libfaketime's variables."""
    env = dict(os.environ if base is None else base)
    for name in FAKETIME_VARIABLES:
        env.pop(name, None)
    return env


def start_redis(port: int, folder: str, *, aof: bool = False) -> subprocess.Popen:
    """A throw-away ``redis-server`` on ``port`` (loopback), its files in ``folder``; returns once it answers PING.

    With ``aof`` it keeps an append-only file, as the production broker does (queued tasks survive a
    restart); without, it keeps nothing, like the machine's Redis.
    """
    process = subprocess.Popen(
        [
            "redis-server",
            *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder),
            *("--appendonly", "yes" if aof else "no"),
        ],
        cwd=folder,
        env=machine_clock_env(),
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, check=False, env=machine_clock_env()
        )
        if probe.stdout.strip() == "PONG":
            return process
        time.sleep(0.1)
    raise RuntimeError("redis-server did not start")
