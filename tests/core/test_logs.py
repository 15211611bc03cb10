"""Request ids in every log record of a request (sync and async chains, threads too); JSON lines on request."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from celery import current_app
from django.test import AsyncClient

from core.logs import JsonFormatter, RequestIdFilter, request_id_from, request_id_var

ROOT = Path(__file__).resolve().parents[2]
GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_lines():
    """What the ``django.request`` logger writes during the test, as JSON objects (one per record)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("3f2a9c1e-77b0-4d5e-9a1b-0c2d3e4f5a6b", True),
        ("req.42:edge_a", True),
        (None, False),
        ("", False),
        ("has spaces", False),
        ("x" * 129, False),
        ("line\nbreak", False),
        ('quote"', False),
    ],
)
def test_an_incoming_request_id_is_kept_only_if_it_is_plain(header, kept):
    request_id = request_id_from(header)
    assert (request_id == header) is kept
    if not kept:
        assert GENERATED.fullmatch(request_id)


@pytest.mark.integration
@pytest.mark.django_db
def test_the_id_is_returned_and_in_the_records_of_a_sync_request(client, json_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="edge-7f3a")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "edge-7f3a"
    [line] = json_lines()
    assert (line["message"], line["level"], line["request_id"]) == ("Not Found: /no-such-page/", "WARNING", "edge-7f3a")


@pytest.mark.integration
@pytest.mark.django_db
def test_the_id_reaches_records_written_in_sync_to_async_threads(json_lines):
    # Under ASGI, Django logs a 4xx answer from a worker thread (sync_to_async): the id must follow.
    client = AsyncClient()
    given = async_to_sync(client.get)("/no-such-page/", headers={"X-Request-ID": "edge-async-1"})
    made = async_to_sync(client.get)("/no-such-page/", headers={"X-Request-ID": "not plain!"})
    assert given["X-Request-ID"] == "edge-async-1"
    assert GENERATED.fullmatch(made["X-Request-ID"])
    assert [line["request_id"] for line in json_lines()] == ["edge-async-1", made["X-Request-ID"]]
    assert request_id_var.get() is None  # nothing leaks out of a request


@pytest.mark.unit
def test_a_json_line_holds_the_record_its_extras_and_its_exception():
    record = logging.LogRecord("haizhi.test", logging.ERROR, __file__, 1, "failed %s", ("twice",), None)
    record.room_id = 12
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    token = request_id_var.set("abc")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed twice"
    assert (line["level"], line["logger"], line["request_id"], line["room_id"]) == ("ERROR", "haizhi.test", "abc", 12)
    assert line["exception"].startswith("Traceback") and "RuntimeError: boom" in line["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


# Configures logging from settings.py as Django would, then logs one record outside any request.
PROBE = f"""
import importlib.util, logging.config, logging
spec = importlib.util.spec_from_file_location("s", {str(ROOT / "contest_site" / "settings.py")!r})
s = importlib.util.module_from_spec(spec)
spec.loader.exec_module(s)
logging.config.dictConfig(s.LOGGING)
logging.getLogger("haizhi.probe").warning("hello %s", "operator")
"""


def run_probe(**env) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **env}
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.unit
def test_log_format_json_writes_json_lines_and_the_default_stays_plain():
    as_json, plain, wrong = run_probe(LOG_FORMAT="json"), run_probe(), run_probe(LOG_FORMAT="xml")
    assert as_json.returncode == 0, as_json.stderr
    line = json.loads(as_json.stderr)
    assert (line["message"], line["request_id"], line["logger"]) == ("hello operator", "-", "haizhi.probe")
    assert plain.stderr == "hello operator\n"
    assert wrong.returncode != 0 and "LOG_FORMAT is 'xml'" in wrong.stderr


@current_app.task(name="tests.core.logs_task")
def logs_task():
    logging.getLogger("django.request").warning("inside a task")


@pytest.mark.unit
def test_a_task_logs_under_its_task_id_and_an_eager_one_under_its_request(json_lines):
    request_id_var.set(None)  # outside any request, whatever an earlier test in this thread left behind
    result = logs_task.apply()
    token = request_id_var.set("edge-9")
    try:
        logs_task.apply()
    finally:
        request_id_var.reset(token)
    assert [line["request_id"] for line in json_lines()] == [result.id, "edge-9"]
    assert request_id_var.get() is None


# A worker process sets up logging as `celery worker` does, after django.setup(), then logs.
WORKER_PROBE = """
import logging
import django
django.setup()
from contest_site.celery import app
app.log.setup(logging.INFO)
logging.getLogger("celery.worker").warning("worker ready")
"""


@pytest.mark.unit
def test_the_worker_keeps_json_logs_and_its_own_format_otherwise():
    def worker(**env):
        environment = {
            "PATH": os.environ["PATH"],
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "contest_site.settings",
            "DATABASE_URL": "sqlite://:memory:",
            **env,
        }
        result = subprocess.run(
            [sys.executable, "-c", WORKER_PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stderr.strip().splitlines()[-1]

    as_json, plain = worker(LOG_FORMAT="json"), worker()
    assert json.loads(as_json)["message"] == "worker ready"
    assert plain.endswith("worker ready") and plain.startswith("[")  # Celery's "[time: LEVEL/process] ..."
