"""How long the organisers' screening page takes with 2,273 and 22,730 entries.

Run: ``.venv/bin/python bench/bench_screening.py`` (add ``--sizes 2273,22730,...`` to change the
volumes, ``--runs N`` for more samples). It builds a throwaway test database (SQLite in memory,
or a ``test_…`` PostgreSQL database when DATABASE_URL points at PostgreSQL), seeds the demo
programme (``seed_demo --scale``) topped up to each size, and times the page as the organiser
sees it: the default list, a search, a filter, a sort by title, and a later page. It prints the
median and the slowest time of each and the number of SQL queries, which must not grow with
the number of entries.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-media-")
os.environ.setdefault("DEBUG", "True")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from core.demo import seed_demo  # noqa: E402
from registration import demo  # noqa: E402
from registration.models import Entry  # noqa: E402

VIEWS = [
    ("default list", {}),
    ("search 'battery'", {"q": "battery"}),
    ("status submitted", {"status": "submitted"}),
    ("sort by title", {"sort": "title"}),
    ("page 20", {"page": "20"}),
]


def seed(size: int) -> tuple[object, float]:
    started = time.perf_counter()
    ctx = seed_demo(scale=max(1, size // demo.ENTRIES_PER_SCALE))
    event = ctx.events[demo.CONTEST]
    demo.seed_volume(
        event=event,
        tracks=list(event.tracks.order_by("position")),
        questions=list(event.questions.order_by("position")),
        owners=ctx.users["talents"],
        organiser=ctx.users["organiser"],
        target=size,
    )
    if connection.vendor == "postgresql":
        # Fresh bulk inserts have no planner statistics yet; autovacuum would gather them
        # within a minute on a live server.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ctx, time.perf_counter() - started


def measure(client: Client, path: str, params: dict, runs: int) -> tuple[float, float, int, int]:
    client.get(path, params)  # warm caches and the connection
    samples = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path, params)
            samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} {params} answered {response.status_code}")
    return statistics.median(samples), max(samples), len(queries.captured_queries), len(response.context["rows"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2273,22730", help="entry counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per view")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"database: {connection.vendor}; runs per view: {args.runs}")
    print(f"{'entries':>8}  {'view':<18} {'median ms':>10} {'max ms':>8} {'queries':>8} {'rows':>5}")
    try:
        for size in sizes:
            ctx, seconds = seed(size)
            event = ctx.events[demo.CONTEST]
            count = Entry.objects.filter(event=event).count()
            print(f"{count:>8}  (seeded in {seconds:.1f} s)")
            client = Client()
            client.force_login(ctx.users["organiser"])
            path = reverse("registration:screening", kwargs={"slug": event.slug})
            for label, params in VIEWS:
                median, slowest, queries, rows = measure(client, path, params, args.runs)
                print(f"{count:>8}  {label:<18} {median * 1000:>10.1f} {slowest * 1000:>8.1f} {queries:>8} {rows:>5}")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
