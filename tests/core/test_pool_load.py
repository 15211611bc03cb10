"""Twenty people at once against a live daphne on PostgreSQL: no 5xx, every acknowledged chat message
stored exactly once, and never more connections than the pool allows (issue: "too many clients").

Services mode only (DATABASE_URL on PostgreSQL); the load is bounded (a few seconds, loopback).
bench/contest_day.py drives it and measures the same scenario at full size.
"""

import json
import os
import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from bench import contest_day

pytestmark = [
    pytest.mark.e2e,
    # A server of its own: its sign-ins and chat stay out of the rate limits and rooms other tests see.
    pytest.mark.daphne_server("pool-load"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="the connection pool is PostgreSQL's: set DATABASE_URL to a PostgreSQL server (services mode)",
    ),
]

CLIENTS = 20
SECONDS = 8.0
CHAT_WRITERS = 3
# Demo accounts: three chat (the demo's chat limit is 5 messages per 10 s each), the organiser reads
# the transcript; the readers share these sessions. Few logins: allauth allows 30 a minute per address.
ACCOUNTS = ["audience@haizhi.example", "judge1@haizhi.example", "entrant1@haizhi.example", contest_day.ORGANISER]
SETTLE_SECONDS = 10  # how long the idle server may take to finish its last requests (a wait, not an assertion)


def pool_after_load(base_url: str) -> dict:
    """The pool's figures once the server is idle again (every finished request has given its connection back)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        status, body = contest_day.get(f"{base_url}/healthz")
        pool = json.loads(body)["checks"]["database"]["pool"] if status == 200 else None
        if (pool and pool["in_use"] == 0) or time.monotonic() > deadline:
            return pool


def test_twenty_clients_reading_and_chatting_get_no_5xx_within_the_pool_bound(daphne_server):
    base_url = daphne_server.base_url
    bound = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]  # the server reads the same environment
    sessions = contest_day.sign_in_all(base_url, ACCOUNTS)
    database = contest_day.server_database(urlsplit(base_url).port, os.environ["DATABASE_URL"])
    from _private_postgres import admin_url

    sampler = contest_day.ConnectionSampler(admin_url(os.environ["DATABASE_URL"]), database)
    sampler.start()
    marker = f"load-{uuid.uuid4().hex[:8]}"
    writers = [
        contest_day.ChatWriter(base_url, sessions[email], marker=marker, every=2.5, seconds=SECONDS)
        for email in ACCOUNTS[:CHAT_WRITERS]
    ]
    for writer in writers:
        writer.start()
    results = contest_day.run_browsing([base_url], list(sessions.values()), clients=CLIENTS, seconds=SECONDS)
    for writer in writers:
        writer.join(60)
    peak = sampler.stop()

    summary = results.summary()
    assert summary["requests"] > CLIENTS
    assert (summary["5xx"], summary["no_answer"]) == (0, 0), summary
    assert set(summary["statuses"]) == {200}, summary

    stored = contest_day.transcript_counts(base_url, sessions[contest_day.ORGANISER], marker)
    writes = contest_day.check_writes(writers, stored)
    assert writes["acknowledged"] > 0, writes
    assert (writes["acknowledged_missing"], writes["stored_twice"], writes["stored_unknown"]) == (0, 0, 0), writes

    assert sampler.samples > 0
    assert 0 < peak <= bound, f"{peak} connections to {database}, the pool allows {bound}"
    # Every connection went back to the pool: the pages' and the room sockets' database threads'.
    pool = pool_after_load(base_url)
    assert pool["in_use"] == 0, pool
    assert pool["requests_waiting"] == 0, pool
    assert pool["pool_size"] <= bound, pool
