"""How long the ledger board and its API take at 1× and 10× the demo ledger, and how many queries.

Run: ``.venv/bin/python bench/bench_ledger.py`` (``--scales 1,10,...`` to change the volumes,
``--runs N`` for more samples). It builds a throwaway test database (SQLite in memory, or a
``test_…`` PostgreSQL database when DATABASE_URL points at PostgreSQL), seeds the demo programme
(``seed_demo --scale``) for each scale in turn, runs the daily cadence, and times, as the park
officer (a ledger editor) sees them: the board, the board filtered to overdue companies, a
company page, and the API list. It prints the median and slowest time and the number of SQL
queries, which must not grow with the number of companies.
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
from landing import demo, services  # noqa: E402
from landing.models import CadenceTask, LandedCompany  # noqa: E402


def measure(client: Client, path: str, params: dict, runs: int) -> tuple[float, float, int]:
    client.get(path, params)  # warm caches and the connection
    samples = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path, params)
            samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} {params} answered {response.status_code}")
    return statistics.median(samples), max(samples), len(queries.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help="demo scales, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per view")
    args = parser.parse_args()
    scales = sorted(int(scale) for scale in args.scales.split(","))

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"database: {connection.vendor}; runs per view: {args.runs}")
    print(f"{'companies':>9}  {'view':<22} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    query_counts: dict[str, set[int]] = {}
    try:
        for scale in scales:
            started = time.perf_counter()
            ctx = seed_demo(scale=scale)
            services.cadence_tasks_create()
            seconds = time.perf_counter() - started
            event = ctx.events[demo.CONTEST]
            companies = LandedCompany.objects.filter(event=event)
            count = companies.count()
            tasks = CadenceTask.objects.filter(company__event=event).count()
            print(f"{count:>9}  (scale {scale}: seeded in {seconds:.1f} s; {tasks} scheduled checks)")
            client = Client()
            client.force_login(ctx.users["park_officer"])
            board = reverse("landing:board", kwargs={"slug": event.slug})
            views = [
                ("board", board, {}),
                ("board, overdue only", board, {"overdue": "1"}),
                ("company page", companies.order_by("pk").first().get_absolute_url(), {}),
                ("API list", f"/api/v1/events/{event.slug}/ledger/", {}),
            ]
            for label, path, params in views:
                median, slowest, queries = measure(client, path, params, args.runs)
                query_counts.setdefault(label, set()).add(queries)
                print(f"{count:>9}  {label:<22} {median * 1000:>10.1f} {slowest * 1000:>8.1f} {queries:>8}")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    growing = sorted(label for label, counts in query_counts.items() if len(counts) > 1)
    print(f"query counts constant across scales: {'yes' if not growing else 'no: ' + ', '.join(growing)}")
    return 1 if growing else 0


if __name__ == "__main__":
    sys.exit(main())
