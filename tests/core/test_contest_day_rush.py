"""The registration deadline rush and the judging close, small, against a live daphne on PostgreSQL:
no 5xx, and every acknowledged write stored (issue 19, "the days that matter").

Twenty entrants at once start an entry, autosave it, upload a PDF deck and submit; then ten judges
submit their cards while the organiser reloads the results page. Afterwards the database (read by
``bench/_contest_data.py`` in a ``manage.py shell`` on the server's own database) must hold every
acknowledged entry, autosave, deck (with its file on disk), submit and scorecard.
bench/contest_day.py drives the same scenarios at full size (``--scenario rush|judging``).

Services mode only (DATABASE_URL on PostgreSQL); the load is bounded (a few hundred requests, loopback).
"""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench import contest_day

pytestmark = [
    pytest.mark.e2e,
    # A server of its own: the entries and cards made here stay out of the demo other tests see.
    pytest.mark.daphne_server("contest-day"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="the services-mode load test runs on PostgreSQL: set DATABASE_URL to a PostgreSQL server",
    ),
]

ENTRANTS = 20
JUDGES = 10
CLIENTS = 20


@pytest.fixture
def server_env(daphne_server):
    """The live server's environment for one-shot commands: its database (found from its connections)
    and its media folder (beside its log)."""
    server_url = os.environ["DATABASE_URL"]
    database = contest_day.server_database(urlsplit(daphne_server.base_url).port, server_url)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contest_site.settings",
        "DATABASE_URL": urlunsplit(urlsplit(server_url)._replace(path=f"/{database}")),
        "MEDIA_ROOT": str(daphne_server.log_path.parent / "media"),
        "DB_POOL": "False",
        "CONN_MAX_AGE": "0",
        "DEBUG": "True",
    }


def test_deadline_rush_loses_no_acknowledged_write_and_answers_no_5xx(daphne_server, server_env):
    data = contest_day.data_command(server_env, contest_day.prepare_code(entrants=ENTRANTS))
    results, runs = contest_day.run_rush([daphne_server.base_url], data, clients=CLIENTS, autosaves=2)

    summary = results.summary()
    assert (summary["5xx"], summary["no_answer"]) == (0, 0), (summary, results.by_page())
    stored = contest_day.data_command(server_env, contest_day.rush_check_code(runs))
    writes = contest_day.check_rush_writes(runs, stored)
    assert writes["lost_writes"] == 0, writes
    # Registration is open: every entrant got through, and each submitted entry has its deck on disk.
    assert writes["entries_created"] == writes["submits_acknowledged"] == writes["entries_submitted"] == ENTRANTS
    assert writes["autosaves_acknowledged"] == 2 * ENTRANTS
    assert all(entry["decks"] and all(deck["on_disk"] for deck in entry["decks"]) for entry in stored.values())


def test_judging_close_loses_no_acknowledged_card_and_answers_no_5xx(daphne_server, server_env):
    data = contest_day.data_command(server_env, contest_day.prepare_code(judges=JUDGES))
    results, cards = contest_day.run_judging_close([daphne_server.base_url], data, readers=2)

    summary = results.summary()
    assert (summary["5xx"], summary["no_answer"]) == (0, 0), (summary, results.by_page())
    assert any(sample.page == "organiser:results" and sample.status == 200 for sample in results.samples)
    writes = contest_day.check_judging_writes(
        cards, contest_day.data_command(server_env, contest_day.judging_check_code(cards))
    )
    assert writes["lost_writes"] == 0, writes
    assert writes["submits_acknowledged"] == writes["cards"] == len(cards) > 0, writes
