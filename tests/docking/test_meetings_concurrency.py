"""Concurrent bookings on PostgreSQL: of many answers and fair bookings for the same person or
table at the same time, exactly one wins; the rest get a clear refusal."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from docking.models import Meeting, MeetingRequest
from docking.services import meetings as services
from docking.services.meetings import Slot
from events.models import Role

from .meetings_setup import at, make_fair, person, project

THREADS = 8

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every write with one database lock, so it cannot show concurrent bookings; "
        "this test runs in the services mode (DATABASE_URL set to PostgreSQL).",
    ),
]


def _race(jobs) -> tuple[list, list[ValidationError]]:
    start = threading.Event()
    won, refused, errors = [], [], []

    def run(job):
        try:
            start.wait()
            won.append(job())
        except ValidationError as exc:
            refused.append(exc)
        except BaseException as exc:  # reported below: a worker's error must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        start.set()
        for future in futures:
            future.result()
    assert errors == []
    return won, refused


def test_one_person_accepting_overlapping_requests_at_once_gets_one_meeting():
    fair = make_fair()
    requests = []
    for _ in range(THREADS):
        requester = person(fair.event, Role.ENTERPRISE)
        requests.append(
            services.meeting_request_create(
                event=fair.event, entry=fair.entry, requested_by=requester, slots=[Slot(at(1), at(1, 30))]
            )
        )

    def accept(request):
        return lambda: services.meeting_request_accept(
            request=request, slot=request.slots.get(), answered_by=fair.talent
        )

    won, refused = _race([accept(request) for request in requests])
    assert (len(won), len(refused)) == (1, THREADS - 1)
    assert {exc.code for exc in refused} == {"person_busy"}
    assert Meeting.objects.count() == 1
    assert MeetingRequest.objects.filter(status="accepted").count() == 1
    assert MeetingRequest.objects.filter(status="pending").count() == THREADS - 1


def test_one_table_booked_by_many_organisers_at_once_hosts_one_meeting():
    fair = make_fair()
    pairs = [(project(fair.event), person(fair.event, Role.ENTERPRISE)) for _ in range(THREADS)]

    def book(entry, who):
        return lambda: services.fair_meeting_create(
            event=fair.event,
            entry=entry,
            person=who,
            table=fair.tables[0],
            starts_at=at(2),
            ends_at=at(2, 20),
            created_by=fair.organiser,
        )

    won, refused = _race([book(entry, who) for entry, who in pairs])
    assert (len(won), len(refused)) == (1, THREADS - 1)
    assert {tuple(exc.message_dict) for exc in refused} == {("table",)}
    assert Meeting.objects.filter(table=fair.tables[0]).count() == 1
