"""A finished edition with a known answer: ten scored projects, criterion A perfectly predicts
signing (the five best on A signed), criterion B is reversed (the five best on B did not sign);
the two best on A landed, the best is in production. A future round of the next edition has
the same criteria at 50/50."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from events.models import Role
from judging.models import Score, Scorecard
from tests.factories import (
    CriterionFactory,
    DealFactory,
    EntryFactory,
    EventFactory,
    EventRoleFactory,
    LandedCompanyFactory,
    RoundFactory,
    UserFactory,
)


@dataclass
class Edition:
    event: object
    round: object
    criterion_a: object
    criterion_b: object
    judges: list
    entries: list
    organiser: object
    next_round: object
    next_organiser: object


def person(event, role, **kwargs):
    user = UserFactory(language="en", **kwargs)
    EventRoleFactory(event=event, user=user, role=role)
    return user


def make_edition(projects: int = 10, slug: str = "edition-2025") -> Edition:
    event = EventFactory(slug=slug, is_published=True)
    organiser = person(event, Role.ORGANISER)
    round_ = RoundFactory(event=event, number=1, results_released_at=timezone.now())
    criterion_a = CriterionFactory(round=round_, name_en="Technology", name_zh="技术", weight=50, position=1)
    criterion_b = CriterionFactory(round=round_, name_en="Market", name_zh="市场", weight=50, position=2)
    judges = [person(event, Role.JUDGE, name_en=f"Judge {name}") for name in ("Alpha", "Beta")]
    entries = []
    for index in range(projects):
        entry = EntryFactory(event=event, status="finalist", submitted_at=timezone.now())
        entries.append(entry)
        for judge in judges:
            card = Scorecard.objects.create(
                round=round_, entry=entry, judge=judge, status=Scorecard.Status.SUBMITTED, submitted_at=timezone.now()
            )
            Score.objects.create(scorecard=card, criterion=criterion_a, value=Decimal(index % 11))
            Score.objects.create(scorecard=card, criterion=criterion_b, value=Decimal(10 - index % 11))
        if index >= projects // 2:
            DealFactory(entry=entry, stage="signed", signed_on=dt.date(2026, 10, 1))
        elif index == 0:
            DealFactory(entry=entry, stage="intent")  # an intent is not a signing
    LandedCompanyFactory(entry=entries[-2], status="yellow")
    LandedCompanyFactory(entry=entries[-1], status="blue")
    next_event = EventFactory(slug=f"{slug}-next", is_published=True)
    next_round = RoundFactory(
        event=next_event,
        number=1,
        opens_at=timezone.now() + dt.timedelta(days=30),
        closes_at=timezone.now() + dt.timedelta(days=40),
    )
    CriterionFactory(round=next_round, name_en="Technology", name_zh="技术", weight=50, position=1)
    CriterionFactory(round=next_round, name_en="Market", name_zh="市场", weight=50, position=2)
    return Edition(
        event=event,
        round=round_,
        criterion_a=criterion_a,
        criterion_b=criterion_b,
        judges=judges,
        entries=entries,
        organiser=organiser,
        next_round=next_round,
        next_organiser=person(next_event, Role.ORGANISER),
    )
