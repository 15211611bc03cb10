"""Run every benchmark in bench/ (bench_*.py, the room and the fault scripts) one after another.

Each benchmark prints its own figures and ratios; this runner only adds a header per script
and a summary of exit codes. Extra arguments are passed to `pytest -k`-style name filtering:
``python bench/run_all.py screening`` runs only the scripts whose name contains "screening".
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main() -> int:
    wanted = sys.argv[1:]
    candidates = [
        *BENCH_DIR.glob("bench_*.py"),
        *(BENCH_DIR / name for name in ("room_fanout.py", "room_redis_restart.py", "contest_day.py")),
        *(BENCH_DIR / name for name in ("fault_postgres_restart.py", "fault_worker_kill.py")),
        BENCH_DIR / "redis_restart_cache_broker.py",
    ]
    scripts = sorted(p for p in candidates if not wanted or any(w in p.stem for w in wanted))
    failures = []
    for script in scripts:
        print(f"\n=== {script.name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=BENCH_DIR.parent, check=False)
        print(f"=== {script.name}: exit {result.returncode} after {time.perf_counter() - started:.1f} s", flush=True)
        if result.returncode:
            failures.append(script.name)
    print(f"\n{len(scripts) - len(failures)} of {len(scripts)} benchmarks ran; failed: {', '.join(failures) or 'none'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
