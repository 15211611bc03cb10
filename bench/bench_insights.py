"""How long the programme dashboard, the monthly report and an entry's history take at 1× and 10× demo scale.

Run: ``.venv/bin/python bench/bench_insights.py`` (``--scales 1,10`` to change the volumes, ``--runs N``
for more samples). It builds a throwaway test database (SQLite in memory, or a ``test_…``
PostgreSQL database when DATABASE_URL points at PostgreSQL), seeds the demo programme
(``seed_demo(scale=…)``) and tops the contest up with docking and landing rows in proportion
(held meetings, signed deals, landed companies in every colour, checks of which some are
overdue), so the figures are there whichever app seeders exist. It then times each page as its
organiser sees it and prints the median and the slowest time and the number of SQL queries,
which must not grow with the number of rows.
"""

import argparse
import datetime as dt
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
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.demo import seed_demo  # noqa: E402
from docking.models import Deal, Meeting  # noqa: E402
from landing.models import CadenceTask, LandedCompany, LedgerChange, LedgerStatus  # noqa: E402
from landing.validators import credit_code_complete  # noqa: E402
from registration import demo  # noqa: E402
from registration.models import Entry  # noqa: E402

COLOURS = LedgerStatus.values


def top_up(event) -> None:
    """Give the contest's submitted entries meetings, deals and ledgers in fixed proportions (idempotent)."""
    today = timezone.localdate()
    entries = list(
        Entry.objects.filter(event=event, submitted_at__isnull=False, landed_company__isnull=True)
        .exclude(meetings__isnull=False)
        .order_by("pk")
    )
    meetings, deals, companies = [], [], []
    start = timezone.now() - dt.timedelta(days=20)
    for number, entry in enumerate(entries):
        if number % 5 < 2:
            at = start + dt.timedelta(minutes=30 * number)
            meetings.append(
                Meeting(event=event, entry=entry, starts_at=at, ends_at=at + dt.timedelta(minutes=30), status="held")
            )
        if number % 4 == 0:
            deals.append(
                Deal(
                    event=event,
                    entry=entry,
                    kind=Deal.Kind.INVESTMENT,
                    stage=Deal.Stage.SIGNED if number % 8 == 0 else Deal.Stage.INTENT,
                    amount_cny=1_000_000 + 10_000 * number,
                    signed_on=today - dt.timedelta(days=number % 60) if number % 8 == 0 else None,
                )
            )
        if number % 10 < 3:
            companies.append(
                LandedCompany(
                    event=event,
                    entry=entry,
                    name_zh=f"海城基准科技有限公司{entry.pk}",
                    credit_code=credit_code_complete(f"91330200MB{entry.pk:06d}"),
                    incorporated_on=today - dt.timedelta(days=90),
                    status=COLOURS[number % 3],
                )
            )
    Meeting.objects.bulk_create(meetings)
    Deal.objects.bulk_create(deals)
    created = LandedCompany.objects.bulk_create(companies)
    tasks, changes = [], []
    for number, company in enumerate(created):
        for weeks in (1, 3, 5):
            due = today - dt.timedelta(days=7 * weeks - 10)
            done = number % 3 != 0 or weeks == 5
            tasks.append(
                CadenceTask(
                    company=company,
                    kind=CadenceTask.Kind.HALF_MONTHLY_CHECK,
                    period_start=due - dt.timedelta(days=14),
                    due_on=due,
                    done_at=timezone.now() if done else None,
                )
            )
        changes.append(LedgerChange(company=company, from_status="", to_status=company.status))
    CadenceTask.objects.bulk_create(tasks)
    LedgerChange.objects.bulk_create(changes)


def seed(scale: int):
    started = time.perf_counter()
    ctx = seed_demo(scale=scale)
    event = ctx.events[demo.CONTEST]
    top_up(event)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ctx, event, time.perf_counter() - started


def measure(client: Client, path: str, params: dict, runs: int) -> tuple[float, float, int]:
    client.get(path, params)  # warm caches (judging results) and the connection
    samples = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path, params)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} {params} answered {response.status_code}")
    return statistics.median(samples), max(samples), len(queries.captured_queries)


def busiest_entry(event) -> Entry:
    """The entry with a landed company and the most meetings and deals: the longest history page."""
    return (
        Entry.objects.filter(event=event, landed_company__isnull=False)
        .annotate(rows=Count("meetings", distinct=True) + Count("deals", distinct=True))
        .order_by("-rows", "pk")
        .first()
    ) or Entry.objects.filter(event=event, submitted_at__isnull=False).first()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help="demo scales, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page")
    args = parser.parse_args()
    scales = sorted(int(scale) for scale in args.scales.split(","))

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"database: {connection.vendor}; runs per page: {args.runs}")
    header = (
        f"{'scale':>5} {'entries':>8} {'companies':>9}  {'page':<22} {'median ms':>10} {'max ms':>8} {'queries':>8}"
    )
    print(header)
    try:
        for scale in scales:
            ctx, event, seconds = seed(scale)
            entries = Entry.objects.count()
            companies = LandedCompany.objects.count()
            print(
                f"{scale:>5} {entries:>8} {companies:>9}  (seeded in {seconds:.1f} s; "
                f"{Meeting.objects.count()} meetings, {Deal.objects.count()} deals, "
                f"{CadenceTask.objects.count()} checks)"
            )
            client = Client()
            client.force_login(ctx.users["organiser"])
            slug = {"slug": event.slug}
            entry = busiest_entry(event)
            pages = [
                ("event dashboard", reverse("insights:event_dashboard", kwargs=slug), {}),
                ("programme dashboard", reverse("insights:programme_dashboard"), {}),
                ("dashboard XLSX", reverse("insights:event_export", kwargs=slug), {}),
                ("monthly report", reverse("insights:monthly_report", kwargs=slug), {}),
                ("entry history", reverse("insights:entry_history", kwargs={**slug, "pk": entry.pk}), {}),
            ]
            for label, path, params in pages:
                median, slowest, queries = measure(client, path, params, args.runs)
                print(
                    f"{scale:>5} {entries:>8} {companies:>9}  {label:<22} "
                    f"{median * 1000:>10.1f} {slowest * 1000:>8.1f} {queries:>8}"
                )
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
