"""The meeting-proposals API: organisers list, generate, edit, send and discard a round's proposals."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from docking.models import MeetingProposal, MeetingRequest
from docking.services.proposal_reasons import proposal_reason
from events.models import Role
from tests.docking.conftest import member
from tests.docking.meetings_setup import at
from tests.docking.proposals_setup import make_judged
from tests.factories import MeetingFactory, MeetingParticipantFactory, OrganisationFactory, RoundFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are compared in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def judged():
    return make_judged()


def list_url(round_):
    return reverse("api-proposals", args=[round_.pk])


def generate_url(round_):
    return reverse("api-proposals-generate", args=[round_.pk])


def proposal_url(proposal, action=""):
    return reverse(f"api-proposal-{action}" if action else "api-proposal", args=[proposal.pk])


def proposal_for(judged, person, entry="battery", **kwargs):
    return MeetingProposal.objects.create(
        event=judged.contest.event,
        round=judged.round,
        entry=judged.contest.projects[entry],
        person=person,
        created_by=judged.contest.organiser,
        **{"reasons": [{"kind": "interest", "source": "manual"}], **kwargs},
    )


def test_only_the_events_organisers_reach_the_proposals(client, judged):
    contest = judged.contest
    proposal = proposal_for(judged, contest.enterprise_user)
    other_organiser = make_judged("other").contest.organiser
    requests = [
        ("get", list_url(judged.round)),
        ("post", generate_url(judged.round)),
        ("get", proposal_url(proposal)),
        ("patch", proposal_url(proposal)),
        ("post", proposal_url(proposal, "send")),
        ("post", proposal_url(proposal, "discard")),
    ]
    for method, url in requests:
        assert getattr(client, method)(url, {}, content_type="application/json").status_code in (401, 403), url
    for outsider in (contest.enterprise_user, contest.entrant, other_organiser):
        client.force_login(outsider)
        for method, url in requests:
            assert getattr(client, method)(url, {}, content_type="application/json").status_code == 403, url
    proposal.refresh_from_db()
    assert (proposal.status, MeetingProposal.objects.count()) == ("draft", 1)
    client.force_login(contest.organiser)
    assert client.get(reverse("api-proposals", args=[999999])).status_code == 404
    assert client.get(reverse("api-proposal", args=[999999])).status_code == 404


def test_generate_then_list(client, judged):
    contest = judged.contest
    client.force_login(contest.organiser)
    response = client.post(generate_url(judged.round), {"top_n": 3, "per_entry": 2}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    proposal = MeetingProposal.objects.get()
    assert body["created"] == 1
    assert [(p["id"], p["entry"]["id"], p["person"]["id"], p["status"]) for p in body["proposals"]] == [
        (proposal.pk, contest.projects["battery"].pk, contest.enterprise_user.pk, "draft")
    ]
    listed = client.get(list_url(judged.round)).json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["rank"], row["entry"]["title"], row["person"]["name"], row["enterprise"]) == (
        1,
        "High-safety solid-state lithium battery",
        "Buyer contest",
        contest.enterprise.name,
    )
    assert row["reason"] == proposal_reason(proposal)
    assert (row["starts_at"], row["ends_at"], row["request"], row["status_label"]) == (None, None, None, "Draft")


def test_generate_bad_input_says_why(client, judged):
    client.force_login(judged.contest.organiser)
    url = generate_url(judged.round)
    cases = [
        ({"top_n": 0}, {"top_n": ["Choose between 1 and 200 entries."]}),
        ({"per_entry": 21}, {"per_entry": ["Choose between 1 and 20 contacts per entry."]}),
        ({"top_n": "ten"}, {"top_n": ["A valid integer is required."]}),
    ]
    for payload, errors in cases:
        response = client.post(url, payload, content_type="application/json")
        assert (response.status_code, response.json()) == (400, {"errors": errors}), payload
    empty = RoundFactory(event=judged.contest.event, number=2)
    response = client.post(generate_url(empty), {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"non_field_errors": ["The round has no results yet: proposals are made from submitted scores."]}
    }
    assert MeetingProposal.objects.count() == 0


def test_patch_sets_a_time_and_refuses_double_booking(client, judged):
    contest = judged.contest
    proposal = proposal_for(judged, contest.enterprise_user)
    client.force_login(contest.organiser)
    response = client.patch(
        proposal_url(proposal),
        {"starts_at": at(2).isoformat(), "ends_at": at(3).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert (proposal.starts_at, proposal.ends_at) == (at(2), at(3))
    assert response.json()["starts_at"] == timezone.localtime(at(2)).isoformat()

    # The owner's other proposal cannot take an overlapping time.
    second = proposal_for(judged, member(contest.event, Role.ENTERPRISE, name_en="Other"))
    response = client.patch(
        proposal_url(second),
        {"starts_at": at(2, 30).isoformat(), "ends_at": at(3, 30).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    (message,) = response.json()["errors"]["starts_at"]
    assert message.startswith("Another proposal (High-safety solid-state lithium battery with Buyer contest) is from")

    # Nor a scheduled meeting of the contact.
    meeting = MeetingFactory(event=contest.event, entry=contest.projects["robot"], starts_at=at(5), ends_at=at(6))
    MeetingParticipantFactory(meeting=meeting, user=second.person)
    response = client.patch(
        proposal_url(second),
        {"starts_at": at(5, 30).isoformat(), "ends_at": at(6, 30).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"][0].startswith("Other already has a meeting from")
    second.refresh_from_db()
    assert second.starts_at is None


def test_patch_bad_input_says_why(client, judged):
    contest = judged.contest
    proposal = proposal_for(judged, contest.enterprise_user)
    shared = OrganisationFactory()
    colleague = member(contest.event, Role.ENTERPRISE, organisation=shared)
    contest.entrant.organisation = shared
    contest.entrant.save(update_fields=["organisation"])
    client.force_login(contest.organiser)
    cases = [
        (
            {"person": colleague.pk},
            {"person": ["This person has a conflict with the project (same person or organisation)."]},
        ),
        ({"person": UserFactory().pk}, {"person": ["Choose an enterprise or investor contact of this event."]}),
        ({"starts_at": at(2).isoformat()}, {"ends_at": ["Give both a start and an end, the end after the start."]}),
    ]
    for payload, errors in cases:
        response = client.patch(proposal_url(proposal), payload, content_type="application/json")
        assert (response.status_code, response.json()) == (400, {"errors": errors}), payload
    unreadable = client.patch(proposal_url(proposal), {"starts_at": "tomorrow"}, content_type="application/json")
    assert unreadable.status_code == 400
    assert list(unreadable.json()["errors"]) == ["starts_at"]
    proposal.refresh_from_db()
    assert (proposal.person, proposal.starts_at) == (contest.enterprise_user, None)


def test_send_and_discard(client, judged):
    contest = judged.contest
    proposal = proposal_for(judged, contest.enterprise_user)
    discarded = proposal_for(judged, member(contest.event, Role.ENTERPRISE))
    client.force_login(contest.organiser)
    response = client.post(proposal_url(proposal, "send"), {}, content_type="application/json")
    assert (response.status_code, response.json()) == (
        400,
        {"errors": {"starts_at": ["Propose a time before sending."]}},
    )
    proposal.starts_at, proposal.ends_at = at(2), at(3)
    proposal.save()
    response = client.post(proposal_url(proposal, "send"), {"message": "Please meet"}, content_type="application/json")
    assert response.status_code == 200
    request = MeetingRequest.objects.get()
    assert (response.json()["status"], response.json()["request"]) == ("sent", request.pk)
    assert (request.invitee, request.message) == (contest.enterprise_user, "Please meet")
    assert client.post(proposal_url(discarded, "discard")).json()["status"] == "discarded"
    again = client.post(proposal_url(discarded, "discard"))
    assert (again.status_code, again.json()) == (
        400,
        {"errors": {"non_field_errors": ["This proposal is no longer a draft (Discarded)."]}},
    )
    assert client.get(proposal_url(proposal, "send")).status_code == 405


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count(client, judged, count, django_assert_num_queries):
    contest = judged.contest
    for index in range(count):
        person = member(contest.event, Role.ENTERPRISE)
        proposal_for(judged, person, starts_at=at(index), ends_at=at(index, 30))
    client.force_login(contest.organiser)
    with django_assert_num_queries(6):
        response = client.get(list_url(judged.round))
    assert len(response.json()["results"]) == count


REASONS = {
    "en": "Need “Solid-state battery cells”: Same field; shares: solid-state battery, BMS, 电池, 固态",
    "zh-hans": "技术需求“固态电池电芯”：同一领域；共同关键词：solid-state battery, BMS, 电池, 固态",
}


@pytest.mark.parametrize(("generated_in", "read_in"), [("zh-hans", "en"), ("en", "zh-hans")])
def test_reasons_come_in_the_requests_language_and_as_parts(client, judged, generated_in, read_in):
    client.force_login(judged.contest.organiser)
    generated = client.post(
        generate_url(judged.round), {"top_n": 1}, content_type="application/json", HTTP_ACCEPT_LANGUAGE=generated_in
    )
    assert generated.json()["proposals"][0]["reason"] == REASONS[generated_in]

    row = client.get(list_url(judged.round), HTTP_ACCEPT_LANGUAGE=read_in).json()["results"][0]

    assert row["reason"] == REASONS[read_in]
    assert row["reasons"] == [
        {
            "kind": "need",
            "need_id": judged.need.pk,
            "title_zh": "固态电池电芯",
            "title_en": "Solid-state battery cells",
            "same_field": True,
            "shared_terms": ["solid-state battery", "BMS", "电池", "固态"],
        }
    ]


def test_a_proposal_sent_by_an_english_organiser_reaches_a_chinese_contact_in_chinese(client, judged):
    contest = judged.contest
    contest.enterprise_user.language = "zh-hans"
    contest.enterprise_user.save(update_fields=["language"])
    client.force_login(contest.organiser)
    client.post(generate_url(judged.round), {"top_n": 1}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    proposal = MeetingProposal.objects.get()
    proposal.starts_at, proposal.ends_at = at(2), at(3)
    proposal.save()

    response = client.post(
        proposal_url(proposal, "send"), {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert (response.status_code, response.json()["reason"]) == (200, REASONS["en"])
    request = MeetingRequest.objects.get()
    assert request.message == f"主办方根据第1轮的结果建议本次洽谈：{REASONS['zh-hans']}"
