"""The environment for the outside servers the benchmarks and fault tests start (redis-server, PostgreSQL).

CI runs the suite once with the clock moved a year ahead by libfaketime, preloaded into every child
process through ``LD_PRELOAD``. The project's own processes (daphne, Celery) must see that clock; a
redis-server or PostgreSQL of ours keeps the machine's, as the shared ones do (and redis-server's
allocator recurses into the preloaded clock and never starts).
"""

import os

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
