"""Shared set-up for the meeting-proposal tests: the needs-and-matching contest (three submitted
projects) with a judged round whose ranking is battery > robot > gene, and a need of the
enterprise that matches the battery project."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from events.models import Role
from judging.models import Score, Scorecard
from tests.docking.conftest import Contest, make_contest, member
from tests.factories import CriterionFactory, NeedFactory, RoundFactory

RANKING = {"battery": 9, "robot": 7, "gene": 5}


@dataclass
class Judged:
    contest: Contest
    round: object
    need: object


def judge_round(contest: Contest, totals: dict[str, int]):
    """A round of the contest with one criterion and one judge's submitted card per project."""
    round_ = RoundFactory(event=contest.event, number=1)
    criterion = CriterionFactory(round=round_, weight=100)
    judge = member(contest.event, Role.JUDGE)
    for key, total in totals.items():
        card = Scorecard.objects.create(
            round=round_,
            entry=contest.projects[key],
            judge=judge,
            status=Scorecard.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        Score.objects.create(scorecard=card, criterion=criterion, value=Decimal(total))
    return round_


def make_judged(slug: str = "contest") -> Judged:
    contest = make_contest(slug)
    need = NeedFactory(
        event=contest.event,
        enterprise=contest.enterprise,
        title_en="Solid-state battery cells",
        title_zh="固态电池电芯",
        field="new_energy",
        keywords="solid-state battery, BMS",
        description_en="We need solid-state lithium battery cells with a battery management system.",
        description_zh="寻找固态锂电池与电池管理系统",
    )
    return Judged(contest=contest, round=judge_round(contest, RANKING), need=need)
