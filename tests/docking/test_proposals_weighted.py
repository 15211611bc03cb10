"""Meeting proposals follow the round's standing: the audience vote and a live signal count only
when the round gives them a weight, in the same order the organiser sees on the results page.

The judged contest ranks battery 9 > robot 7 > gene 5 (scale 0–10). With the audience vote at
50 % and all votes for gene: gene = 0.5 × 5 + 0.5 × 10 = 7.5, battery = 4.5, robot = 3.5.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from awards.models import AudienceVote, Award
from docking.models import MeetingProposal
from docking.services import proposals as services
from events.models import Role
from judging import services as judging_services
from judging.models import Round
from tests.docking.conftest import member
from tests.docking.proposals_setup import make_judged
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def judged():
    made = make_judged()
    contest = made.contest
    for key in ("robot", "gene"):
        LeadFactory(entry=contest.projects[key], event=contest.event, person=member(contest.event, Role.ENTERPRISE))
    return made


def _audience_award(judged, votes_for_gene: int) -> Award:
    award = Award.objects.create(
        event=judged.contest.event, name_en="Audience favourite", kind=Award.Kind.AUDIENCE, eligible_statuses=[]
    )
    for _ in range(votes_for_gene):
        AudienceVote.objects.create(
            award=award, entry=judged.contest.projects["gene"], voter=UserFactory(), created_at=timezone.now()
        )
    return award


def _weigh(judged, award, weight) -> Round:
    return judging_services.round_update(
        round=Round.objects.get(pk=judged.round.pk),
        changed_by=judged.contest.organiser,
        audience_weight=Decimal(weight),
        audience_award=award,
    )


def _ranked(proposals) -> list[tuple[str, int]]:
    return sorted({(proposal.entry.title_en, proposal.rank) for proposal in proposals}, key=lambda pair: pair[1])


def test_unweighted_round_keeps_the_judges_order(judged):
    _audience_award(judged, 5)  # votes exist, but the round does not count them
    proposals = services.meeting_proposals_generate(round=judged.round, generated_by=judged.contest.organiser, top_n=1)
    assert _ranked(proposals) == [("High-safety solid-state lithium battery", 1)]


def test_weighted_round_proposes_the_weighted_top_entries_in_the_results_page_order(client, judged):
    contest = judged.contest
    award = _audience_award(judged, 5)
    round_ = _weigh(judged, award, 50)

    proposals = services.meeting_proposals_generate(round=round_, generated_by=contest.organiser, top_n=2)

    assert _ranked(proposals) == [
        ("CRISPR precision gene-editing therapy platform", 1),
        ("High-safety solid-state lithium battery", 2),
    ]
    # The same order and ranks the organiser sees on the results page.
    client.force_login(contest.organiser)
    url = reverse("judging:results", kwargs={"slug": contest.event.slug, "number": round_.number})
    rows = client.get(url).context["rows"]
    assert [(row["entry"].title_en, row["rank"], row["line"].value) for row in rows[:2]] == [
        ("CRISPR precision gene-editing therapy platform", 1, 7.5),
        ("High-safety solid-state lithium battery", 2, 4.5),
    ]


def test_zero_weight_with_a_chosen_award_changes_nothing(judged):
    round_ = _weigh(judged, _audience_award(judged, 5), 0)
    proposals = services.meeting_proposals_generate(round=round_, generated_by=judged.contest.organiser, top_n=2)
    assert _ranked(proposals) == [
        ("High-safety solid-state lithium battery", 1),
        ("Minimally invasive surgical robot", 2),
    ]


def test_a_weighted_award_that_is_gone_refuses_with_the_reason(judged):
    award = _audience_award(judged, 5)
    round_ = _weigh(judged, award, 30)
    Award.objects.filter(pk=award.pk).update(kind=Award.Kind.SPONSOR)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.meeting_proposals_generate(round=round_, generated_by=judged.contest.organiser, top_n=2)
    assert caught.value.code == "no_audience_award"
    assert "its audience award is gone or is no longer an audience vote" in caught.value.messages[0]
    assert not MeetingProposal.objects.filter(round=round_).exists()


def test_weighted_generating_queries_do_not_grow_with_the_top_entries(judged):
    round_ = _weigh(judged, _audience_award(judged, 5), 50)
    organiser = judged.contest.organiser
    services.meeting_proposals_generate(round=round_, generated_by=organiser, top_n=1)  # caches the judges' results
    with CaptureQueriesContext(connection) as one:
        services.meeting_proposals_generate(round=round_, generated_by=organiser, top_n=1)
    with CaptureQueriesContext(connection) as three:
        services.meeting_proposals_generate(round=round_, generated_by=organiser, top_n=3)
    assert len(three) == len(one)
