"""Results feed docking: proposals from a round's ranking, their conflicts, times and sending."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from docking.models import Lead, MeetingProposal, MeetingRequest
from docking.selectors.meetings import requests_received
from docking.services import proposals as services
from docking.services.meetings import meeting_request_accept
from docking.services.proposal_reasons import proposal_reason
from events.models import Role
from tests.docking.conftest import member
from tests.docking.meetings_setup import at
from tests.docking.proposals_setup import make_judged
from tests.factories import (
    EnterpriseProfileFactory,
    EventRoleFactory,
    LeadFactory,
    MeetingFactory,
    MeetingParticipantFactory,
    OrganisationFactory,
    RoadshowRoomFactory,
    RoomInterestFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def judged():
    return make_judged()


def pairs(proposals):
    return [(p.entry.title_en, p.person.name_en, p.rank) for p in proposals]


def test_need_contacts_and_interested_people_are_proposed_for_the_top_entries(judged):
    contest = judged.contest
    investor = member(contest.event, Role.ENTERPRISE, name_en="Investor")
    LeadFactory(entry=contest.projects["robot"], event=contest.event, person=investor, source=Lead.Source.ROOM)
    LeadFactory(entry=contest.projects["gene"], event=contest.event, person=member(contest.event, Role.AUDIENCE))

    proposals = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=2)

    assert pairs(proposals) == [
        ("High-safety solid-state lithium battery", "Buyer contest", 1),
        ("Minimally invasive surgical robot", "Investor", 2),
    ]
    battery, robot = proposals
    assert battery.enterprise == contest.enterprise
    assert battery.reasons == [
        {
            "kind": "need",
            "need_id": judged.need.pk,
            "title_zh": "固态电池电芯",
            "title_en": "Solid-state battery cells",
            "same_field": True,
            "shared_terms": ["solid-state battery", "BMS", "电池", "固态"],
        }
    ]
    assert robot.score == 1.0
    assert robot.reasons == [{"kind": "interest", "source": "room"}]
    with translation.override("en"):
        assert (proposal_reason(battery), proposal_reason(robot)) == (BATTERY_REASON["en"], ROOM_REASON["en"])
    assert MeetingProposal.objects.filter(round=judged.round, status="draft").count() == 2


def test_per_entry_keeps_the_best_contacts_and_generating_again_replaces_drafts(judged):
    contest = judged.contest
    people = [member(contest.event, Role.ENTERPRISE, name_en=f"Fan {i}") for i in range(3)]
    for person in people:
        LeadFactory(entry=contest.projects["battery"], event=contest.event, person=person)

    first = services.meeting_proposals_generate(
        round=judged.round, generated_by=contest.organiser, top_n=1, per_entry=2
    )
    # Declared interest (score 1) outranks the need match; ties go by the person's id.
    assert [p.person.name_en for p in first] == ["Fan 0", "Fan 1"]
    services.meeting_proposal_discard(proposal=first[0], discarded_by=contest.organiser)

    again = services.meeting_proposals_generate(
        round=judged.round, generated_by=contest.organiser, top_n=1, per_entry=2
    )

    assert [p.person.name_en for p in again] == ["Fan 1", "Fan 2"]
    assert list(
        MeetingProposal.objects.filter(round=judged.round)
        .order_by("person__name_en")
        .values_list("person__name_en", "status")
    ) == [("Fan 0", "discarded"), ("Fan 1", "draft"), ("Fan 2", "draft")]


def test_no_proposal_when_the_contact_shares_an_organisation_with_the_project(judged):
    contest = judged.contest
    battery = contest.projects["battery"]
    shared = OrganisationFactory(name_en="Shared Labs", name_zh="共享实验室")
    # The enterprise's own organisation is a team member's: its contacts conflict with the project.
    TeamMemberFactory(entry=battery, organisation=contest.enterprise.organisation.name_en)
    owner_colleague = member(contest.event, Role.ENTERPRISE, name_en="Colleague", organisation=shared)
    battery.owner.organisation = shared
    battery.owner.save(update_fields=["organisation"])
    LeadFactory(entry=battery, event=contest.event, person=owner_colleague)
    clean = member(contest.event, Role.ENTERPRISE, name_en="Clean")
    LeadFactory(entry=battery, event=contest.event, person=clean)

    proposals = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)

    assert [p.person.name_en for p in proposals] == ["Clean"]
    with pytest.raises(ValidationError) as exc:
        services.meeting_proposal_update(proposal=proposals[0], changed_by=contest.organiser, person=owner_colleague)
    assert "person" in exc.value.message_dict


def test_a_judging_conflict_declared_by_the_person_blocks_the_proposal(judged):
    from judging.models import Conflict

    contest = judged.contest
    Conflict.objects.create(judge=contest.enterprise_user, entry=contest.projects["battery"], reason="Former advisor")

    assert services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1) == []


def test_times_never_double_book_a_person(judged):
    contest = judged.contest
    battery = contest.projects["battery"]
    (proposal,) = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)
    meeting = MeetingFactory(event=contest.event, entry=contest.projects["robot"], starts_at=at(0), ends_at=at(1))
    MeetingParticipantFactory(meeting=meeting, user=contest.enterprise_user)

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.meeting_proposal_update(
            proposal=proposal, changed_by=contest.organiser, starts_at=at(0, 30), ends_at=at(1, 30)
        )
    assert "Buyer contest already has a meeting" in exc.value.messages[0]

    updated = services.meeting_proposal_update(
        proposal=proposal, changed_by=contest.organiser, starts_at=at(1), ends_at=at(1, 30)
    )
    assert (updated.starts_at, updated.ends_at) == (at(1), at(1, 30))

    # A second proposal of the same owner cannot take an overlapping time either.
    other = member(contest.event, Role.ENTERPRISE, name_en="Other")
    second = MeetingProposal.objects.create(
        event=contest.event, round=judged.round, entry=battery, person=other, created_by=contest.organiser
    )
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.meeting_proposal_update(
            proposal=second, changed_by=contest.organiser, starts_at=at(1, 15), ends_at=at(2)
        )
    assert exc.value.message_dict["starts_at"][0].startswith("Another proposal (High-safety solid-state")


def test_sending_creates_a_request_the_investor_sees_and_can_accept(judged):
    contest = judged.contest
    (proposal,) = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)
    with pytest.raises(ValidationError) as exc:
        services.meeting_proposal_send(proposal=proposal, sent_by=contest.organiser)
    assert exc.value.message_dict == {"starts_at": [exc.value.message_dict["starts_at"][0]]}
    services.meeting_proposal_update(proposal=proposal, changed_by=contest.organiser, starts_at=at(2), ends_at=at(3))

    sent = services.meeting_proposal_send(proposal=proposal, sent_by=contest.organiser)

    request = sent.request
    assert sent.status == MeetingProposal.Status.SENT
    assert (request.requested_by, request.invitee, request.entry) == (
        contest.entrant,
        contest.enterprise_user,
        contest.projects["battery"],
    )
    assert list(request.slots.values_list("starts_at", "ends_at")) == [(at(2), at(3))]
    assert request.lead.person == contest.enterprise_user
    assert request.lead.source == Lead.Source.MATCH
    assert list(requests_received(contest.enterprise_user, contest.event)) == [request]
    meeting = meeting_request_accept(request=request, slot=request.slots.get(), answered_by=contest.enterprise_user)
    assert set(meeting.participants.values_list("user", flat=True)) == {contest.entrant.pk, contest.enterprise_user.pk}
    # Sent proposals are final, and the pair is not proposed again.
    with pytest.raises(ValidationError):
        services.meeting_proposal_discard(proposal=sent, discarded_by=contest.organiser)
    assert services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1) == []


def test_only_organisers(judged):
    contest = judged.contest
    (proposal,) = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)
    for outsider in (contest.enterprise_user, contest.entrant, member(contest.event, Role.JUDGE)):
        with pytest.raises(PermissionDenied):
            services.meeting_proposals_generate(round=judged.round, generated_by=outsider)
        with pytest.raises(PermissionDenied):
            services.meeting_proposal_send(proposal=proposal, sent_by=outsider)
        with pytest.raises(PermissionDenied):
            services.meeting_proposal_discard(proposal=proposal, discarded_by=outsider)
    other = make_judged("other")
    with pytest.raises(PermissionDenied):
        services.meeting_proposals_generate(round=judged.round, generated_by=other.contest.organiser)
    assert MeetingRequest.objects.count() == 0


def test_no_results_and_bad_numbers_are_clear_errors(judged):
    from tests.factories import RoundFactory

    contest = judged.contest
    empty = RoundFactory(event=contest.event, number=2)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.meeting_proposals_generate(round=empty, generated_by=contest.organiser)
    assert exc.value.messages == ["The round has no results yet: proposals are made from submitted scores."]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=0)
    assert exc.value.message_dict == {"top_n": ["Choose between 1 and 200 entries."]}


def test_enterprise_profile_of_another_contact_is_kept(judged):
    contest = judged.contest
    fund = EnterpriseProfileFactory()
    partner = member(contest.event, Role.ENTERPRISE, name_en="Partner")
    fund.contacts.add(partner)
    LeadFactory(entry=contest.projects["battery"], event=contest.event, person=partner, enterprise=fund)

    proposals = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)

    assert [(p.person.name_en, p.enterprise) for p in proposals] == [
        ("Partner", fund),
        ("Buyer contest", contest.enterprise),
    ]


def test_interest_marked_in_a_room_is_proposed_and_becomes_the_lead_on_sending(judged):
    contest = judged.contest
    robot = contest.projects["robot"]
    fan = member(contest.event, Role.AUDIENCE, name_en="Room fan")
    EnterpriseProfileFactory().contacts.add(fan)  # an investor who watched as audience
    room = RoadshowRoomFactory(event=contest.event)
    interest = RoomInterestFactory(slot=None, room=room, entry=robot, user=fan)

    proposals = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=2)

    assert pairs(proposals) == [
        ("High-safety solid-state lithium battery", "Buyer contest", 1),
        ("Minimally invasive surgical robot", "Room fan", 2),
    ]
    fan_proposal = proposals[1]
    services.meeting_proposal_update(
        proposal=fan_proposal, changed_by=contest.organiser, starts_at=at(4), ends_at=at(5)
    )
    sent = services.meeting_proposal_send(proposal=fan_proposal, sent_by=contest.organiser)
    assert sent.request.lead.room_interest == interest
    assert sent.request.lead.source == Lead.Source.ROOM


def test_generating_queries_do_not_grow_with_entries_and_candidates(judged):
    """Leads, room interests, tracks and enterprises are read once for all the top entries."""
    contest = judged.contest
    room = RoadshowRoomFactory(event=contest.event)

    def add_candidates(key):
        LeadFactory(entry=contest.projects[key], event=contest.event, person=member(contest.event, Role.ENTERPRISE))
        fan = member(contest.event, Role.AUDIENCE)
        EnterpriseProfileFactory().contacts.add(fan)
        RoomInterestFactory(slot=None, room=room, entry=contest.projects[key], user=fan)

    add_candidates("battery")
    services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)  # caches results
    with CaptureQueriesContext(connection) as one:
        services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)
    add_candidates("robot")
    add_candidates("gene")
    with CaptureQueriesContext(connection) as three:
        proposals = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=3)

    assert len(proposals) == 7
    assert len(three) == len(one)


BATTERY_REASON = {
    "en": "Need “Solid-state battery cells”: Same field; shares: solid-state battery, BMS, 电池, 固态",
    "zh-hans": "技术需求“固态电池电芯”：同一领域；共同关键词：solid-state battery, BMS, 电池, 固态",
}
ROOM_REASON = {
    "en": "Declared interest (Marked interest in a roadshow room)",
    "zh-hans": "已表达意向（在路演间标记了意向）",
}


@pytest.mark.parametrize(("generated_in", "read_in"), [("zh-hans", "en"), ("en", "zh-hans")])
def test_reasons_are_written_in_the_readers_language_not_the_generators(judged, generated_in, read_in):
    contest = judged.contest
    investor = member(contest.event, Role.ENTERPRISE, name_en="Investor")
    LeadFactory(entry=contest.projects["robot"], event=contest.event, person=investor, source=Lead.Source.ROOM)
    with translation.override(generated_in):
        services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=2)

    battery, robot = services.proposals_of_round(judged.round)
    with translation.override(read_in):
        assert (proposal_reason(battery), proposal_reason(robot)) == (BATTERY_REASON[read_in], ROOM_REASON[read_in])
    with translation.override(generated_in):
        assert (proposal_reason(battery), proposal_reason(robot)) == (
            BATTERY_REASON[generated_in],
            ROOM_REASON[generated_in],
        )


def test_a_need_deleted_after_generating_keeps_the_reason_it_was_proposed_for(judged):
    contest = judged.contest
    (proposal,) = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)
    judged.need.delete()
    proposal.refresh_from_db()
    with translation.override("en"):
        assert proposal_reason(proposal) == BATTERY_REASON["en"]


def test_text_stored_before_reasons_had_parts_is_shown_as_it_is(judged):
    contest = judged.contest
    proposal = MeetingProposal.objects.create(
        event=contest.event,
        round=judged.round,
        entry=contest.projects["battery"],
        person=contest.enterprise_user,
        old_reason="技术需求“已改名的需求”：同一领域",
        created_by=contest.organiser,
    )
    with translation.override("en"):
        assert proposal_reason(proposal) == "技术需求“已改名的需求”：同一领域"
    proposal.reasons = [{"kind": "unknown"}, "not a part"]
    with translation.override("en"):
        assert proposal_reason(proposal) == "技术需求“已改名的需求”：同一领域"


@pytest.mark.parametrize(("organiser_language", "contact_language"), [("en", "zh-hans"), ("zh-hans", "en")])
def test_the_sent_request_speaks_the_contacts_language(judged, organiser_language, contact_language):
    contest = judged.contest
    contest.enterprise_user.language = contact_language
    contest.enterprise_user.save(update_fields=["language"])
    with translation.override(organiser_language):
        (proposal,) = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)
        services.meeting_proposal_update(
            proposal=proposal, changed_by=contest.organiser, starts_at=at(2), ends_at=at(3)
        )
        sent = services.meeting_proposal_send(proposal=proposal, sent_by=contest.organiser)

    expected = {
        "en": f"The organisers propose this meeting after the results of Round 1: {BATTERY_REASON['en']}",
        "zh-hans": f"主办方根据第1轮的结果建议本次洽谈：{BATTERY_REASON['zh-hans']}",
    }
    assert sent.request.message == expected[contact_language]
    assert sent.request.lead.notes == BATTERY_REASON[contact_language]


def test_an_organisers_own_message_is_sent_as_written(judged):
    contest = judged.contest
    contest.enterprise_user.language = "zh-hans"
    contest.enterprise_user.save(update_fields=["language"])
    (proposal,) = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=1)
    services.meeting_proposal_update(proposal=proposal, changed_by=contest.organiser, starts_at=at(2), ends_at=at(3))

    sent = services.meeting_proposal_send(proposal=proposal, sent_by=contest.organiser, message=" Let's talk. ")

    assert sent.request.message == "Let's talk."


def test_interest_alone_does_not_make_an_audience_member_a_contact(judged):
    """Room interest and leads propose only the enterprise and investor side: an enterprise role in
    the event or an enterprise profile."""
    contest = judged.contest
    robot = contest.projects["robot"]
    room = RoadshowRoomFactory(event=contest.event)
    clicker = member(contest.event, Role.AUDIENCE, name_en="Clicker")
    RoomInterestFactory(slot=None, room=room, entry=robot, user=clicker)
    listed = member(contest.event, Role.AUDIENCE, name_en="Listed")
    LeadFactory(entry=robot, event=contest.event, person=listed, source=Lead.Source.MANUAL)

    proposals = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=2)

    assert pairs(proposals) == [("High-safety solid-state lithium battery", "Buyer contest", 1)]

    # Once on the enterprise side (a role in the event, or a contact of an enterprise), they are.
    EventRoleFactory(event=contest.event, user=clicker, role=Role.ENTERPRISE)
    EnterpriseProfileFactory().contacts.add(listed)
    proposals = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=2)

    assert pairs(proposals) == [
        ("High-safety solid-state lithium battery", "Buyer contest", 1),
        ("Minimally invasive surgical robot", "Clicker", 2),
        ("Minimally invasive surgical robot", "Listed", 2),
    ]


def test_an_enterprise_role_in_another_event_does_not_count(judged):
    contest = judged.contest
    other = make_judged("elsewhere").contest
    visitor = member(contest.event, Role.AUDIENCE, name_en="Visitor")
    EventRoleFactory(event=other.event, user=visitor, role=Role.ENTERPRISE)
    room = RoadshowRoomFactory(event=contest.event)
    RoomInterestFactory(slot=None, room=room, entry=contest.projects["robot"], user=visitor)

    proposals = services.meeting_proposals_generate(round=judged.round, generated_by=contest.organiser, top_n=2)

    assert "Visitor" not in [p.person.name_en for p in proposals]
