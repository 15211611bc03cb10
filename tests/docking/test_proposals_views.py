"""The proposals page: organisers generate, edit, discard and send; the investor sees the invitation."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from docking.models import MeetingProposal, MeetingRequest
from events.models import Role
from tests.docking.conftest import member
from tests.docking.meetings_setup import at
from tests.docking.proposals_setup import make_judged
from tests.factories import OrganisationFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and messages are compared in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def judged():
    return make_judged()


def url(judged, name="proposals", **kwargs):
    return reverse(
        f"docking:{name}", kwargs={"slug": judged.contest.event.slug, "number": judged.round.number, **kwargs}
    )


def moment(value) -> str:
    """How a datetime-local input sends ``value`` (in the site's time zone)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def proposal_for(judged, person, **kwargs):
    return MeetingProposal.objects.create(
        event=judged.contest.event,
        round=judged.round,
        entry=judged.contest.projects["battery"],
        person=person,
        created_by=judged.contest.organiser,
        **{"reasons": [{"kind": "interest", "source": "manual"}], **kwargs},
    )


def test_only_the_events_organisers_open_the_page(client, judged):
    contest = judged.contest
    for outsider in (contest.enterprise_user, contest.entrant, make_judged("other").contest.organiser):
        client.force_login(outsider)
        assert client.get(url(judged)).status_code == 403
        assert client.post(url(judged), {"top_n": 3, "per_entry": 2}).status_code == 403
    assert MeetingProposal.objects.count() == 0
    client.force_login(contest.organiser)
    assert client.get(url(judged)).status_code == 200
    missing = reverse("docking:proposals", kwargs={"slug": contest.event.slug, "number": 9})
    assert client.get(missing).status_code == 404


def test_generate_lists_the_proposals_and_the_results_page_links_here(client, judged):
    client.force_login(judged.contest.organiser)
    response = client.post(url(judged), {"top_n": 3, "per_entry": 2}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    proposal = MeetingProposal.objects.get()
    page = client.get(url(judged)).content.decode()
    assert f'id="proposal-{proposal.pk}"' in page
    results = client.get(reverse("judging:results", args=[judged.contest.event.slug, judged.round.number]))
    assert url(judged) in results.content.decode()
    event_page = client.get(judged.contest.event.get_absolute_url())
    assert url(judged) in event_page.content.decode()


def test_generate_without_results_shows_the_message(client, judged):
    empty = RoundFactory(event=judged.contest.event, number=2)
    client.force_login(judged.contest.organiser)
    with translation.override("en"):
        response = client.post(
            reverse("docking:proposals", kwargs={"slug": judged.contest.event.slug, "number": empty.number}),
            {"top_n": 3, "per_entry": 2},
        )
    assert response.status_code == 200
    assert response.context["generate"].non_field_errors() == [
        "The round has no results yet: proposals are made from submitted scores."
    ]


def test_page_queries_do_not_grow_with_the_proposals(client, judged, django_assert_num_queries):
    contest = judged.contest
    client.force_login(contest.organiser)
    people = [member(contest.event, Role.ENTERPRISE) for _ in range(3)]
    proposal_for(judged, people[0])
    with django_assert_num_queries(8):
        client.get(url(judged))
    proposal_for(judged, people[1], starts_at=at(1), ends_at=at(2))
    proposal_for(judged, people[2], status=MeetingProposal.Status.DISCARDED)
    with django_assert_num_queries(8):
        client.get(url(judged))


def test_edit_refuses_a_conflicting_contact_and_saves_a_time(client, judged):
    contest = judged.contest
    proposal = proposal_for(judged, contest.enterprise_user)
    shared = OrganisationFactory()
    colleague = member(contest.event, Role.ENTERPRISE, organisation=shared)
    contest.entrant.organisation = shared
    contest.entrant.save(update_fields=["organisation"])
    client.force_login(contest.organiser)
    prefix = f"p{proposal.pk}"
    with translation.override("en"):
        response = client.post(
            url(judged, "proposal_edit", pk=proposal.pk),
            {f"{prefix}-person": colleague.pk, f"{prefix}-starts_at": "", f"{prefix}-ends_at": ""},
        )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "person": ["This person has a conflict with the project (same person or organisation)."]
    }
    response = client.post(
        url(judged, "proposal_edit", pk=proposal.pk),
        {
            f"{prefix}-person": contest.enterprise_user.pk,
            f"{prefix}-starts_at": moment(at(2)),
            f"{prefix}-ends_at": moment(at(3)),
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.starts_at, proposal.ends_at) == (at(2), at(3))


def test_send_and_the_investor_sees_the_invitation_in_my_docking(client, judged):
    contest = judged.contest
    proposal = proposal_for(judged, contest.enterprise_user, starts_at=at(2), ends_at=at(3))
    discarded = proposal_for(judged, member(contest.event, Role.ENTERPRISE))
    client.force_login(contest.organiser)
    assert f'value="{moment(at(2))}"' in client.get(url(judged)).content.decode()
    assert client.post(url(judged, "proposal_send", pk=proposal.pk)).status_code == 302
    assert client.post(url(judged, "proposal_discard", pk=discarded.pk)).status_code == 302
    assert client.get(url(judged, "proposal_send", pk=proposal.pk)).status_code == 405

    proposal.refresh_from_db()
    discarded.refresh_from_db()
    assert (proposal.status, discarded.status) == ("sent", "discarded")
    request = MeetingRequest.objects.get()
    assert proposal.request == request
    client.force_login(contest.enterprise_user)
    page = client.get(reverse("docking:my_docking", args=[contest.event.slug]))
    assert list(page.context["received"]) == [request]
    assert reverse("docking:request_detail", args=[contest.event.slug, request.pk]) in page.content.decode()


def test_sending_without_a_time_says_so(client, judged):
    proposal = proposal_for(judged, judged.contest.enterprise_user)
    client.force_login(judged.contest.organiser)
    with translation.override("en"):
        response = client.post(url(judged, "proposal_send", pk=proposal.pk), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Propose a time before sending."]
    assert MeetingRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("generated_in", "read_in", "reason"),
    [
        ("zh-hans", "en", "Need “Solid-state battery cells”: Same field; shares: solid-state battery, BMS, 电池, 固态"),
        ("en", "zh-hans", "技术需求“固态电池电芯”：同一领域；共同关键词：solid-state battery, BMS, 电池, 固态"),
    ],
)
def test_the_page_shows_reasons_in_the_readers_language(client, judged, generated_in, read_in, reason):
    client.force_login(judged.contest.organiser)
    generate = {"top_n": 1, "per_entry": 3}
    assert client.post(url(judged), generate, HTTP_ACCEPT_LANGUAGE=generated_in).status_code == 302
    proposal = MeetingProposal.objects.get()
    older = proposal_for(judged, member(judged.contest.event, Role.ENTERPRISE), reasons=[], old_reason="<b>旧</b>")

    response = client.get(url(judged), HTTP_ACCEPT_LANGUAGE=read_in)

    page = response.content.decode()
    row = page.split(f'id="proposal-{proposal.pk}"')[1].split("</tr>")[0]
    assert reason in row
    older_row = page.split(f'id="proposal-{older.pk}"')[1].split("</tr>")[0]
    assert "&lt;b&gt;旧&lt;/b&gt;" in older_row
