"""/metrics: refused without the token or an allowed address; the figures, with bounded labels, once allowed."""

import copy
import functools
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.test import override_settings
from prometheus_client import REGISTRY

from core import db, metrics

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-" + "0123456789abcdef"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def requests_counted(route: str, status: str = "2xx", method: str = "GET") -> float:
    labels = {"route": route, "method": method, "status": status}
    return REGISTRY.get_sample_value("haizhi_http_requests_total", labels) or 0.0


def scrape(client) -> str:
    response = client.get("/metrics", **BEARER)
    assert response.status_code == 200
    return response.content.decode()


def samples(text: str, name: str) -> dict[str, float]:
    """The samples of one metric in an exposition: {"{labels}": value}."""
    found = {}
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(\{{.*\}})? (\S+)", line)
        if match:
            found[match.group(1) or ""] = float(match.group(2))
    return found


# --- who may read them -----------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db
def test_nobody_reads_the_figures_while_neither_token_nor_addresses_are_set(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    settings.LANGUAGE_CODE = "en"
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.content.decode() == "Metrics are turned off: set METRICS_TOKEN or METRICS_ALLOWED_IPS."
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.mark.integration
@pytest.mark.django_db
def test_the_token_is_required_and_checked(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = TOKEN, []
    anonymous = client.get("/metrics", HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.status_code == 403
    assert anonymous.content.decode() == "Send the metrics token as “Authorization: Bearer <token>”."
    assert "haizhi_" not in anonymous.content.decode()
    wrong = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x", HTTP_ACCEPT_LANGUAGE="en")
    assert (wrong.status_code, wrong.content.decode()) == (403, "The metrics token is not valid.")
    chinese = client.get("/metrics", HTTP_AUTHORIZATION="Basic abc", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 403 and "令牌" in chinese.content.decode()

    allowed = client.get("/metrics", **BEARER)
    assert allowed.status_code == 200
    assert allowed["Content-Type"].startswith("text/plain; version=")
    assert "# TYPE haizhi_http_requests_total counter" in allowed.content.decode()


@pytest.mark.integration
@pytest.mark.django_db
def test_allowed_addresses_read_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "not-an-address", "192.0.2.7"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="192.0.2.8", HTTP_ACCEPT_LANGUAGE="en")
    assert (refused.status_code, refused.content.decode()) == (403, "This address may not read the metrics.")


def test_a_short_token_stops_the_settings(tmp_path):
    probe = (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('s', {str(ROOT / 'contest_site' / 'settings.py')!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
    )
    env = {"PATH": os.environ["PATH"], "METRICS_TOKEN": "short"}
    result = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0
    assert "METRICS_TOKEN is too short" in result.stderr


# --- HTTP figures ------------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db
def test_requests_are_counted_and_timed_under_their_url_name(client, settings):
    settings.METRICS_TOKEN = TOKEN
    before = requests_counted("core:healthz")
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert requests_counted("core:healthz") == before + 3
    text = scrape(client)
    assert samples(text, "haizhi_http_requests_total")['{method="GET",route="core:healthz",status="2xx"}'] == before + 3
    durations = samples(text, "haizhi_http_request_duration_seconds_count")
    assert durations['{method="GET",route="core:healthz"}'] >= 3


@pytest.mark.integration
@pytest.mark.django_db
def test_unknown_paths_and_methods_share_one_label(client, settings):
    settings.METRICS_TOKEN = TOKEN
    before = requests_counted(metrics.UNMATCHED_ROUTE, "4xx")
    for path in ("/no-such-page/", f"/probe/{uuid.uuid4().hex}/", "/wp-login.php?x=1"):
        assert client.get(path).status_code == 404
    assert requests_counted(metrics.UNMATCHED_ROUTE, "4xx") == before + 3
    brewed = requests_counted("core:healthz", "4xx", "OTHER")
    assert client.generic("BREW", "/healthz").status_code == 405
    assert requests_counted("core:healthz", "4xx", "OTHER") == brewed + 1

    text = scrape(client)
    assert "probe" not in text and "no-such-page" not in text and "BREW" not in text
    routes = {re.search(r'route="([^"]*)"', line).group(1) for line in text.splitlines() if 'route="' in line}
    assert metrics.UNMATCHED_ROUTE in routes
    assert not [route for route in routes if "/" in route]  # URL names, never paths


# --- figures read at scrape time -------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db
def test_pool_figures_are_those_core_db_reports(client, settings, monkeypatch):
    settings.METRICS_TOKEN = TOKEN
    figures = {
        "pool_size": 8,
        "pool_available": 3,
        "requests_waiting": 2,
        "requests_num": 120,
        "requests_wait_ms": 1500,
        "connections_errors": 1,
    }
    monkeypatch.setattr("core.db.pool_stats", lambda: figures)
    text = scrape(client)
    assert samples(text, "haizhi_db_pool_size") == {"": 8.0}
    assert samples(text, "haizhi_db_pool_available") == {"": 3.0}
    assert samples(text, "haizhi_db_pool_requests_waiting") == {"": 2.0}
    assert samples(text, "haizhi_db_pool_requests_total") == {"": 120.0}
    assert samples(text, "haizhi_db_pool_requests_wait_seconds_total") == {"": 1.5}
    assert samples(text, "haizhi_db_pool_connections_errors_total") == {"": 1.0}
    assert samples(text, "haizhi_db_pool_connections_lost_total") == {"": 0.0}  # not counted yet: 0

    monkeypatch.setattr("core.db.pool_stats", lambda: None)  # core.db says there is no pool
    assert "haizhi_db_pool" not in scrape(client)


@pytest.mark.integration
@pytest.mark.django_db
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="services mode: needs PostgreSQL")
def test_pool_figures_of_a_real_psycopg_pool(monkeypatch):
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper

    settings_dict = copy.deepcopy(connections["default"].settings_dict)  # the test database
    settings_dict["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 3, "timeout": 5}
    settings_dict["CONN_MAX_AGE"] = 0
    pooled = DatabaseWrapper(settings_dict, alias="metrics-test-pool")
    try:
        for _ in range(2):
            with pooled.cursor() as cursor:
                cursor.execute("SELECT 1")
            pooled.close()  # gives the connection back to the pool
        with monkeypatch.context() as patched:
            # core.db reads this process's pool by alias: here the test's own pool stands for it.
            patched.setattr("core.db.connections", {pooled.alias: pooled})
            patched.setattr("core.db.pool_stats", functools.partial(db.pool_stats, pooled.alias))
            text = metrics.exposition()[0].decode()
    finally:
        pooled.close_pool()
    assert samples(text, "haizhi_db_pool_max") == {"": 3.0}
    assert samples(text, "haizhi_db_pool_requests_waiting") == {"": 0.0}
    assert samples(text, "haizhi_db_pool_size")[""] >= 1
    assert samples(text, "haizhi_db_pool_requests_total")[""] >= 2


@pytest.mark.integration
@pytest.mark.django_db
def test_no_pool_figures_without_a_pool(client, settings):
    settings.METRICS_TOKEN = TOKEN
    if metrics.database_pool_stats() is not None:
        pytest.skip("this database has a pool")
    assert "haizhi_db_pool" not in scrape(client)


@pytest.mark.integration
@pytest.mark.django_db
def test_no_queue_figures_without_redis(client, settings):
    settings.METRICS_TOKEN, settings.REDIS_URL = TOKEN, ""
    text = scrape(client)
    assert "haizhi_celery_queue_length" not in text and "haizhi_celery_broker_up" not in text


@pytest.mark.integration
@pytest.mark.django_db
def test_an_unreachable_broker_is_reported_down(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.REDIS_URL = settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: refused
    settings.REDIS_TIMEOUT = 0.5
    text = scrape(client)
    assert samples(text, "haizhi_celery_broker_up") == {"": 0.0}
    assert "haizhi_celery_queue_length" not in text


@pytest.mark.integration
@pytest.mark.django_db
@pytest.mark.skipif(not settings.REDIS_URL, reason="services mode: needs REDIS_URL")
def test_queue_lengths_are_read_from_the_redis_broker(client, settings, monkeypatch):
    import redis

    settings.METRICS_TOKEN = TOKEN
    queue = f"metrics-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(current_app.conf, "task_default_queue", queue)
    keys = metrics.celery_queue_keys(queue, current_app.conf.broker_transport_options or {})
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        broker.rpush(keys[0], "a", "b")  # default priority
        broker.rpush(keys[1], "c")  # a higher priority step
        text = scrape(client)
    finally:
        broker.delete(*keys)
    assert samples(text, "haizhi_celery_broker_up") == {"": 1.0}
    lengths = samples(text, "haizhi_celery_queue_length")
    assert lengths[f'{{queue="{queue}"}}'] == 3.0


# --- Celery task outcomes -------------------------------------------------------------------------------


@current_app.task(name="tests.core.metrics_ok")
def metrics_ok():
    return "ok"


@current_app.task(name="tests.core.metrics_fails")
def metrics_fails():
    raise ValueError("planned failure")


def task_runs(task: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("haizhi_celery_tasks_total", {"task": task, "outcome": outcome}) or 0.0


@pytest.mark.unit
def test_task_outcomes_are_counted_by_task_name(settings):
    succeeded, failed = task_runs("tests.core.metrics_ok", "succeeded"), task_runs("tests.core.metrics_fails", "failed")
    metrics_ok.apply()
    metrics_ok.apply()
    # As a worker runs it: the error is stored, not raised (a propagating eager task skips the signal).
    assert isinstance(metrics_fails.apply(throw=False).result, ValueError)
    assert task_runs("tests.core.metrics_ok", "succeeded") == succeeded + 2
    assert task_runs("tests.core.metrics_fails", "failed") == failed + 1
    assert task_runs("tests.core.metrics_ok", "failed") == 0


# --- several processes -----------------------------------------------------------------------------

# A process of the site with PROMETHEUS_MULTIPROC_DIR set: answers some requests, runs a task, holds
# some room sockets, says so, and stays up until its standard input closes.
WORKER = """
import sys
import django
django.setup()
from django.test import Client
from core import db, metrics
requests, sockets = int(sys.argv[1]), int(sys.argv[2])
client = Client()
for _ in range(requests):
    assert client.get("/no-such-page/").status_code == 404
metrics.CELERY_TASKS.labels(task="tests.core.multiprocess", outcome="succeeded").inc()
metrics.room_sockets_report(rooms=1, sockets=sockets)
print(metrics.process_identifier(), flush=True)
sys.stdin.read()
"""


@pytest.mark.integration
@pytest.mark.django_db
def test_several_processes_add_their_figures_up(client, settings, tmp_path):
    settings.METRICS_TOKEN = TOKEN
    shared = tmp_path / "metrics"
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "contest_site.settings",
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "DATABASE_URL": "sqlite://:memory:",
        "LANG": "C.UTF-8",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(requests), str(sockets)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for requests, sockets in ((2, 5), (3, 7))
    ]
    try:
        identifiers = [process.stdout.readline().strip() for process in processes]
        assert all(identifiers), "a process of the site did not start"
        with override_settings(METRICS_MULTIPROC_DIR=str(shared)):
            text = scrape(client)
    finally:
        for process in processes:
            process.stdin.close()
            process.wait(timeout=60)
    unmatched = f'{{method="GET",route="{metrics.UNMATCHED_ROUTE}",status="4xx"}}'
    assert samples(text, "haizhi_http_requests_total")[unmatched] == 5.0
    assert samples(text, "haizhi_celery_tasks_total") == {'{outcome="succeeded",task="tests.core.multiprocess"}': 2.0}
    # Open sockets are per process, labelled with the process.
    sockets = samples(text, "haizhi_room_sockets")
    assert sockets == {f'{{pid="{identifiers[0]}"}}': 5.0, f'{{pid="{identifiers[1]}"}}': 7.0}

    # Once the processes have stopped their sockets are gone; what they counted stays.
    with override_settings(METRICS_MULTIPROC_DIR=str(shared)):
        after = scrape(client)
    assert samples(after, "haizhi_room_sockets") == {}
    assert samples(after, "haizhi_http_requests_total")[unmatched] == 5.0
