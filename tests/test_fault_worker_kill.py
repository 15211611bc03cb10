"""A real Celery worker killed (SIGKILL) in the middle of a batch of e-mails, and one killed in the
middle of an export: once a worker runs again, each person has each e-mail exactly once and the
export exists once (bench/fault_worker_kill.py prints the same and a third case).

The workers are ``celery -A contest_site worker`` processes on the test database and the Redis of
REDIS_URL (a queue of their own), sending e-mail to files that are counted.
"""

import os
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from contest_site.celery import app
from tests.e2e_server import REPO_ROOT

SERVICES = os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(os.environ.get("REDIS_URL"))

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not SERVICES,
        reason="services mode only: real worker processes share the database and the broker with the test, "
        "so it needs DATABASE_URL (PostgreSQL) and REDIS_URL",
    ),
]


@pytest.fixture
def faults(settings, tmp_path):
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    try:
        from fault_worker_kill import Faults, drop_queue, setup_data
    finally:
        sys.path.remove(str(REPO_ROOT / "bench"))
    queue = f"test-fault-{uuid.uuid4().hex[:12]}"
    database = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contest_site.settings",
        "DATABASE_URL": urlunsplit(database),
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "CELERY_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "LOG_LEVEL": "WARNING",
    }
    settings.PRIVATE_MEDIA_ROOT = env["PRIVATE_MEDIA_ROOT"]
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the test's own tasks go to the broker, for the workers
    faults = Faults(env=env, root=tmp_path, queue=queue, visibility=3, data=setup_data(30))
    yield faults
    faults.stop()
    app.conf.task_always_eager = eager
    drop_queue(os.environ["REDIS_URL"], queue)


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_batch_and_export_are_done_once_after_it(faults):
    faults.start_worker()
    # The whole worker dies a third of the way through the reminders; a new one takes over.
    faults.draft_reminders(kill="worker")
    # The pool process dies while it builds the export; the worker requeues the task for its new one.
    faults.export(kill="pool")

    assert faults.problems == []
