"""Pages for leads, meeting requests, meetings and the fair schedule: the flow through the forms,
errors shown on the form, who may open what, printable schedules, query counts, the dashboard."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.dashboard import dashboard_sections
from docking.models import Lead, Meeting, MeetingParticipant, MeetingRequest
from docking.services import meetings as services
from docking.services.meetings import Slot
from events.models import Role
from tests.factories import LeadFactory

from .meetings_setup import at, make_fair, person, project

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def fair():
    return make_fair()


def _url(name: str, fair, *args) -> str:
    return reverse(f"docking:{name}", args=[fair.event.slug, *args])


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_request_accept_flow_through_the_pages(client, fair):
    client.force_login(fair.enterprise_user)
    response = client.post(
        _url("request_create", fair, fair.entry.pk),
        {
            "message": "Pilot line?",
            "slot1_start": _local(at(1)),
            "slot1_end": _local(at(1, 30)),
            "slot2_start": _local(at(3)),
            "slot2_end": _local(at(3, 30)),
        },
    )
    request = MeetingRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("request_detail", fair, request.pk)
    assert request.invitee == fair.talent

    client.force_login(fair.talent)
    page = client.get(_url("request_detail", fair, request.pk))
    assert page.status_code == 200
    assert "Accept a time" in page.content.decode()
    slot = request.slots.order_by("starts_at").last()
    response = client.post(
        _url("request_detail", fair, request.pk),
        {"action": "accept", "accept-slot": slot.pk, "accept-mode": "table", "accept-table": fair.tables[0].pk},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.starts_at, meeting.table) == (at(3), fair.tables[0])

    page = client.get(_url("my_docking", fair)).content.decode()
    assert fair.entry.title in page
    assert _url("meeting_detail", fair, meeting.pk) in page


def test_a_time_in_the_past_is_shown_on_the_form_and_nothing_is_stored(client, fair):
    client.force_login(fair.enterprise_user)
    past = timezone.now() - dt.timedelta(days=1)
    response = client.post(
        _url("request_create", fair, fair.entry.pk),
        {"slot1_start": _local(past), "slot1_end": _local(past + dt.timedelta(minutes=30))},
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and errors[0].endswith("has already passed; choose a time in the future.")
    assert MeetingRequest.objects.count() == 0


def test_counter_and_decline_through_the_page(client, fair):
    request = services.meeting_request_create(
        event=fair.event, entry=fair.entry, requested_by=fair.enterprise_user, slots=[Slot(at(1), at(2))]
    )
    client.force_login(fair.talent)
    response = client.post(
        _url("request_detail", fair, request.pk),
        {"action": "counter", "counter-slot1_start": _local(at(4)), "counter-slot1_end": _local(at(5))},
    )
    counter = MeetingRequest.objects.get(counter_of=request)
    assert response["Location"] == _url("request_detail", fair, counter.pk)
    client.force_login(fair.enterprise_user)
    client.post(_url("request_detail", fair, counter.pk), {"action": "decline", "decline-note": "Too late."})
    counter.refresh_from_db()
    assert (counter.status, counter.response_note) == ("declined", "Too late.")


def test_requests_and_meetings_are_private_to_their_people_and_event(client, fair):
    request = services.meeting_request_create(
        event=fair.event, entry=fair.entry, requested_by=fair.enterprise_user, slots=[Slot(at(1), at(2))]
    )
    meeting = services.meeting_request_accept(request=request, slot=request.slots.get(), answered_by=fair.talent)
    other = make_fair("other")
    for outsider in (fair.investor, other.organiser, other.talent):
        client.force_login(outsider)
        assert client.get(_url("request_detail", fair, request.pk)).status_code == 404
        assert client.get(_url("meeting_detail", fair, meeting.pk)).status_code == 404
    client.force_login(fair.organiser)
    assert client.get(_url("meeting_detail", fair, meeting.pk)).status_code == 200
    client.force_login(other.organiser)
    for name in ("fair", "schedule_people", "schedule_tables", "lead_create"):
        assert client.get(_url(name, fair)).status_code == 403
    client.force_login(other.talent)
    assert client.get(_url("request_create", fair, fair.entry.pk)).status_code == 403


def test_organiser_builds_the_fair_schedule_and_checks_people_in(client, fair):
    client.force_login(fair.organiser)
    data = {
        "meeting-entry": fair.entry.pk,
        "meeting-person": fair.enterprise_user.pk,
        "meeting-table": fair.tables[0].pk,
        "meeting-starts_at": _local(at(1)),
        "meeting-ends_at": _local(at(1, 20)),
    }
    assert client.post(_url("fair", fair), data).status_code == 302
    other = project(fair.event)
    clash = {**data, "meeting-entry": other.pk, "meeting-person": fair.investor.pk}
    response = client.post(_url("fair", fair), clash)
    assert response.status_code == 200
    assert response.context["form"].errors["table"][0].startswith("Table A1 is taken from")
    assert Meeting.objects.count() == 1

    participant = MeetingParticipant.objects.get(user=fair.talent)
    response = client.post(
        _url("check_in", fair, participant.meeting_id, participant.pk), {"next": _url("schedule_people", fair)}
    )
    assert response["Location"] == _url("schedule_people", fair)
    assert MeetingParticipant.objects.get(pk=participant.pk).checked_in_at is not None

    by_person = client.get(_url("schedule_people", fair)).content.decode()
    assert "@media print" in by_person
    assert by_person.count('class="schedule-block') == 2
    by_table = client.get(_url("schedule_tables", fair)).content.decode()
    assert "@media print" in by_table and "Table A1" in by_table and "Table A2" in by_table

    assert client.post(_url("fair_table_create", fair), {"table-label": "C9"}).status_code == 302
    assert list(fair.event.fair_tables.values_list("label", flat=True)) == ["A1", "A2", "C9"]


def test_lead_pages(client, fair):
    client.force_login(fair.organiser)
    response = client.post(
        _url("lead_create", fair), {"entry": fair.entry.pk, "person": fair.enterprise_user.pk, "notes": "met at expo"}
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    client.post(_url("lead_status", fair, lead.pk), {"status": "contacted"})
    assert Lead.objects.get().status == "contacted"
    page = client.get(_url("leads", fair) + "?status=contacted").content.decode()
    assert fair.enterprise_user.display_name in page
    assert list(client.get(_url("leads", fair) + "?status=new").context["leads"]) == []

    client.force_login(fair.investor)
    assert list(client.get(_url("leads", fair)).context["leads"]) == []
    assert client.post(_url("lead_status", fair, lead.pk), {"status": "closed"}).status_code == 404
    client.force_login(fair.enterprise_user)
    assert list(client.get(_url("leads", fair)).context["leads"]) == [lead]


def _leads(fair, n):
    for _ in range(n):
        LeadFactory(event=fair.event, entry=project(fair.event), person=person(fair.event, Role.ENTERPRISE))


def _meetings(fair, n):
    first = Meeting.objects.count()
    for i in range(first, first + n):
        services.fair_meeting_create(
            event=fair.event,
            entry=project(fair.event),
            person=person(fair.event, Role.ENTERPRISE),
            table=fair.tables[0],
            starts_at=at(i),
            ends_at=at(i, 30),
            created_by=fair.organiser,
        )


@pytest.mark.parametrize(
    ("name", "make"),
    [("leads", _leads), ("fair", _meetings), ("schedule_people", _meetings), ("schedule_tables", _meetings)],
)
def test_list_pages_use_a_fixed_number_of_queries(client, fair, django_assert_num_queries, name, make):
    client.force_login(fair.organiser)
    make(fair, 1)
    client.get(_url(name, fair))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(_url(name, fair)).status_code == 200
    make(fair, 2)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(_url(name, fair)).status_code == 200


def test_my_docking_uses_a_fixed_number_of_queries(client, fair, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_request(i):
        entry = project(fair.event)
        request = services.meeting_request_create(
            event=fair.event, entry=entry, requested_by=fair.enterprise_user, slots=[Slot(at(i), at(i, 30))]
        )
        services.meeting_request_accept(request=request, slot=request.slots.get(), answered_by=entry.owner)

    client.force_login(fair.enterprise_user)
    add_request(1)
    with CaptureQueriesContext(connection) as one:
        client.get(_url("my_docking", fair))
    add_request(2)
    add_request(3)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(_url("my_docking", fair))


def test_dashboard_lists_requests_to_answer_and_upcoming_meetings(fair, django_assert_num_queries):
    request = services.meeting_request_create(
        event=fair.event, entry=fair.entry, requested_by=fair.enterprise_user, slots=[Slot(at(1), at(2))]
    )
    services.fair_meeting_create(
        event=fair.event,
        entry=fair.entry,
        person=fair.investor,
        table=fair.tables[1],
        starts_at=at(3),
        ends_at=at(4),
        created_by=fair.organiser,
    )
    from docking.dashboard import sections

    with django_assert_num_queries(2):
        found = sections(fair.talent)
    assert [section.title for section in found] == ["Meeting requests to answer", "My upcoming meetings"]
    assert found[0].tasks[0].label == f"Buyer fair: “{fair.entry.title}”"
    assert found[0].tasks[0].url == _url("request_detail", fair, request.pk)
    assert found[1].tasks[0].note == f"{fair.event.title} · Table A2"
    assert "My upcoming meetings" in [section.title for section in dashboard_sections(fair.talent)]


def test_event_page_links_each_role_to_its_docking_pages(client, fair):
    def links(user):
        client.force_login(user)
        page = client.get(fair.event.get_absolute_url()).content.decode()
        names = ("my_docking", "leads", "fair", "deals")
        return [name for name in names if f'href="{_url(name, fair)}"' in page]

    assert links(fair.organiser) == ["my_docking", "leads", "fair", "deals"]
    assert links(fair.enterprise_user) == ["my_docking"]
    assert links(fair.talent) == ["my_docking"]
    assert links(fair.ledger_editor) == ["deals"]
    assert links(person(fair.event, Role.AUDIENCE)) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render_in_both_languages(client, fair, language):
    request = services.meeting_request_create(
        event=fair.event, entry=fair.entry, requested_by=fair.enterprise_user, slots=[Slot(at(1), at(2))]
    )
    meeting = services.fair_meeting_create(
        event=fair.event,
        entry=fair.entry,
        person=fair.investor,
        table=fair.tables[0],
        starts_at=at(3),
        ends_at=at(4),
        created_by=fair.organiser,
    )
    client.force_login(fair.organiser)
    client.cookies["django_language"] = language
    for name, args in [
        ("leads", []),
        ("lead_create", []),
        ("my_docking", []),
        ("request_detail", [request.pk]),
        ("meeting_detail", [meeting.pk]),
        ("fair", []),
        ("schedule_people", []),
        ("schedule_tables", []),
        ("request_create", [fair.entry.pk]),
        ("deals", []),
        ("deal_create", []),
    ]:
        response = client.get(_url(name, fair, *args))
        assert response.status_code == 200, name
        assert response.content.decode().count(f'lang="{"zh-Hans" if language == "zh-hans" else "en"}"') >= 1


def test_following_a_match_up_as_a_lead(client, fair):
    from docking.models import CuratedMatch
    from tests.factories import NeedFactory

    need = NeedFactory(event=fair.event, enterprise=fair.enterprise, posted_by=fair.enterprise_user)
    match = CuratedMatch.objects.create(event=fair.event, need=need, entry=fair.entry, explanation="same field")
    client.force_login(fair.talent)
    assert client.post(_url("lead_from_match", fair, match.pk)).status_code == 403
    assert Lead.objects.count() == 0
    client.force_login(fair.enterprise_user)
    response = client.post(_url("lead_from_match", fair, match.pk))
    assert response["Location"] == _url("my_docking", fair)
    lead = Lead.objects.get()
    assert (lead.person, lead.source, lead.need) == (fair.enterprise_user, "match", need)
    other = make_fair("other")
    client.force_login(other.organiser)
    assert client.post(reverse("docking:lead_from_match", args=[other.event.slug, match.pk])).status_code == 404


def test_each_role_reaches_only_its_docking_pages(client, fair):
    client.force_login(fair.ledger_editor)
    for name in ("fair", "leads", "lead_create", "schedule_people"):
        assert client.get(_url(name, fair)).status_code == 403, name
    assert client.get(_url("deals", fair)).status_code == 200
    client.force_login(fair.enterprise_user)
    for name in ("fair", "lead_create", "deals", "deal_create"):
        assert client.get(_url(name, fair)).status_code == 403, name
    assert client.get(_url("leads", fair)).status_code == 200
