"""100 submissions at once on PostgreSQL: nothing lost, no duplicate cards, an exact audit trail."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from judging import services
from judging.models import Round, Scorecard, ScorecardChange

from .conftest import assign, make_entry, make_judge, open_round

# At most this many connections at once: the shared server allows 100 in all, and other test runs use it too.
THREADS = 32

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every write with one database lock, so it cannot show concurrent submissions; "
        "this test runs in the services mode (DATABASE_URL set to PostgreSQL).",
    ),
]


def test_one_hundred_concurrent_submissions_lose_nothing_and_duplicate_nothing(event, organiser, tracks):
    judges = [make_judge(event) for _ in range(10)]
    entries = [make_entry(event, tracks[i % 2]) for i in range(5)]
    round_ = open_round(event, organiser, k=10)
    criteria = list(round_.criteria.order_by("position"))
    for entry in entries:
        assign(round_, entry, *judges)
    version_before = Round.objects.get(pk=round_.pk).results_version

    # 50 judge × entry pairs, each submitted twice at the same time: 100 submissions.
    jobs = [(judge, entry) for judge in judges for entry in entries] * 2
    expected = {
        (judge.pk, entry.pk): [Decimal(j % 11), Decimal(e), Decimal("7.25")]
        for j, judge in enumerate(judges)
        for e, entry in enumerate(entries)
    }
    start = threading.Event()
    errors: list[BaseException] = []

    def submit(job):
        judge, entry = job
        try:
            start.wait()
            values = expected[(judge.pk, entry.pk)]
            services.scorecard_submit(
                round=round_,
                entry=entry,
                judge=judge,
                scores={criterion.pk: str(value) for criterion, value in zip(criteria, values, strict=True)},
            )
        except BaseException as exc:  # reported below: a worker's error must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(submit, job) for job in jobs]
        start.set()  # the first THREADS submissions go at once; the rest follow as threads free up
        for future in futures:
            future.result()

    assert errors == []
    cards = Scorecard.objects.filter(round=round_)
    assert cards.count() == 50
    assert set(cards.values_list("status", flat=True)) == {"submitted"}
    stored = {}
    for card in cards.prefetch_related("scores"):
        stored[(card.judge_id, card.entry_id)] = [
            s.value for s in sorted(card.scores.all(), key=lambda s: s.criterion_id)
        ]
    assert stored == expected
    # Each card: three scores and one status change; the second, identical submission changed nothing.
    assert ScorecardChange.objects.filter(scorecard__round=round_).count() == 50 * 4
    assert Round.objects.get(pk=round_.pk).results_version == version_before + 50
    results = services.results_compute(round_).of("weighted_mean")
    assert sorted(result.card_count for result in results.entries.values()) == [10] * 5
