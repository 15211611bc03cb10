"""How long a judging round's leaderboard takes: 2,273 entries × 5 judges × 6 criteria, every method.

Run: ``.venv/bin/python bench/bench_leaderboard.py`` (``--entries N``, ``--judges-per-entry K``,
``--panel P`` judges in the event, ``--runs R``). It builds a throwaway test database (SQLite in
memory, or a ``test_…`` PostgreSQL database when DATABASE_URL points at PostgreSQL), bulk-creates
the entries, assignments and submitted cards, and times:

- the results under all four methods computed from the database (cache cleared first): what the
  first organiser to open the results after a card changed waits for;
- the same served from the results cache;
- the aggregation alone (no database), and the organisers' results page, cold and cached.

It prints the median and the slowest time and the number of SQL queries, which must not grow
with the number of entries. The target: well under one second, cold.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
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
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from events.models import Event, EventRole, Role  # noqa: E402
from judging import services  # noqa: E402
from judging.aggregation import Method, aggregate_all  # noqa: E402
from judging.models import Assignment, Criterion, Round, Score, Scorecard  # noqa: E402
from registration.models import Entry, Status, Track  # noqa: E402

WEIGHTS = [25, 20, 20, 15, 10, 10]


def build(entries: int, panel: int, per_entry: int) -> tuple[Round, User, float]:
    """The event, its judges and entries, a round with six criteria and every card submitted."""
    started = time.perf_counter()
    now = timezone.now()
    event = Event.objects.create(
        slug="bench-contest", title_en="Bench contest", starts_on=now.date(), ends_on=now.date(), is_published=True
    )
    organiser = User.objects.create_user("organiser@bench.example", name_en="Organiser")
    EventRole.objects.create(event=event, user=organiser, role=Role.ORGANISER)
    User.objects.bulk_create([User(email=f"judge{n}@bench.example", name_en=f"Judge {n}") for n in range(panel)])
    judges = list(User.objects.filter(email__endswith="@bench.example").exclude(pk=organiser.pk).order_by("pk"))
    EventRole.objects.bulk_create([EventRole(event=event, user=judge, role=Role.JUDGE) for judge in judges])
    owner = User.objects.create_user("owner@bench.example", name_en="Owner")
    Track.objects.bulk_create([Track(event=event, name_en=f"Track {n}", position=n) for n in range(1, 6)])
    tracks = list(Track.objects.filter(event=event).order_by("position"))
    Entry.objects.bulk_create(
        [
            Entry(
                event=event,
                owner=owner,
                track=tracks[n % len(tracks)],
                title_en=f"Project {n}",
                status=Status.SCREENED_IN,
                submitted_at=now,
            )
            for n in range(entries)
        ],
        batch_size=1000,
    )
    entry_ids = list(Entry.objects.filter(event=event).order_by("pk").values_list("pk", flat=True))
    round_ = services.round_create(
        event=event,
        created_by=organiser,
        name_en="Preliminary round",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        judges_per_entry=per_entry,
        advancement_rule="top_overall",
        advancement_count=100,
    )
    services.criteria_set(
        round=round_,
        changed_by=organiser,
        criteria=[services.CriterionInput(name_en=f"Criterion {n}", weight=w) for n, w in enumerate(WEIGHTS, 1)],
        tie_break=0,
    )
    criteria = list(Criterion.objects.filter(round=round_).order_by("position"))
    rng = random.Random(2273)
    pairs = [(judge.pk, entry_id) for entry_id in entry_ids for judge in rng.sample(judges, per_entry)]
    Assignment.objects.bulk_create(
        [Assignment(round=round_, entry_id=e, judge_id=j) for j, e in pairs], batch_size=2000
    )
    Scorecard.objects.bulk_create(
        [
            Scorecard(round=round_, entry_id=e, judge_id=j, status=Scorecard.Status.SUBMITTED, submitted_at=now)
            for j, e in pairs
        ],
        batch_size=2000,
    )
    cards = Scorecard.objects.filter(round=round_).values_list("pk", flat=True)
    Score.objects.bulk_create(
        [
            Score(scorecard_id=card_id, criterion=criterion, value=Decimal(rng.randint(0, 20)) / 2)
            for card_id in cards
            for criterion in criteria
        ],
        batch_size=5000,
    )
    services.round_update(round=round_, changed_by=organiser, name_en="Preliminary round")  # marks results stale
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Round.objects.get(pk=round_.pk), organiser, time.perf_counter() - started


def timed(function, runs: int, *, cold: bool) -> tuple[float, float, int]:
    function()  # warm the connection and imports
    samples, queries = [], 0
    for _ in range(runs):
        if cold:
            services.results_cache_clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            samples.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return statistics.median(samples), max(samples), queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2273)
    parser.add_argument("--judges-per-entry", type=int, default=5)
    parser.add_argument("--panel", type=int, default=25, help="judges in the event")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        round_, organiser, seconds = build(args.entries, args.panel, args.judges_per_entry)
        scores = Score.objects.filter(scorecard__round=round_).count()
        print(
            f"database: {connection.vendor}; {args.entries} entries × {args.judges_per_entry} judges × "
            f"{len(WEIGHTS)} criteria = {scores} scores (built in {seconds:.1f} s); runs: {args.runs}"
        )
        criteria = services.criterion_specs(round_, list(round_.criteria.order_by("position")))
        cards = services.submitted_cards(round_)
        results = services.results_compute(round_)
        assert set(results.by_method) == set(Method), results.error
        client = Client()
        client.force_login(organiser)
        page = reverse("judging:results", kwargs={"slug": round_.event.slug, "number": round_.number})

        def page_get():
            response = client.get(page)
            if response.status_code != 200:
                raise SystemExit(f"{page} answered {response.status_code}")

        rows = [
            ("all 4 methods, from the database", lambda: services.results_compute(round_), True),
            ("all 4 methods, cached", lambda: services.results_compute(round_), False),
            ("aggregation only (no database)", lambda: aggregate_all(criteria=criteria, cards=cards), False),
            ("results page, cold", page_get, True),
            ("results page, cached", page_get, False),
        ]
        print(f"{'measurement':<36} {'median s':>9} {'max s':>7} {'queries':>8}")
        for label, function, cold in rows:
            median, slowest, queries = timed(function, args.runs, cold=cold)
            print(f"{label:<36} {median:>9.3f} {slowest:>7.3f} {queries:>8}")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
