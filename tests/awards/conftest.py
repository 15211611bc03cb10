"""Fixtures for award tests: a contest with two tracks, three judges, a scored round with
criteria Innovation 40 / Market 30 / Team 30, finalists led from abroad and from China, and
helpers for audience awards and voters."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from awards import services
from awards.models import Award
from events.models import Role
from judging import services as judging_services
from registration.models import Status
from tests.factories import EntryFactory, EventFactory, EventRoleFactory, TrackFactory, UserFactory
from tests.judging.conftest import assign, make_judge, open_round, scores_for


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def event():
    return EventFactory(is_published=True, slug="contest")


@pytest.fixture
def tracks(event):
    return [
        TrackFactory(event=event, name_zh="新材料", name_en="New materials", position=1),
        TrackFactory(event=event, name_zh="生物医药", name_en="Biomedicine", position=2),
    ]


@pytest.fixture
def organiser(event):
    user = UserFactory(email="organiser@example.org", language="en")
    EventRoleFactory(event=event, user=user, role=Role.ORGANISER)
    return user


def make_entry(event, track, *, country="DE", status=Status.FINALIST, **kw):
    entry = EntryFactory(
        event=event, track=track, status=status, submitted_at=timezone.now(), lead__country=country, **kw
    )
    EventRoleFactory(event=event, user=entry.owner, role=Role.ENTRANT)
    return entry


@pytest.fixture
def entries(event, tracks):
    """Four entries: three finalists (led from the US, China, Germany) and one screened-in (US)."""
    return [
        make_entry(event, tracks[0], country="US", title_en="Alpha"),
        make_entry(event, tracks[1], country="CN", title_en="Beta"),
        make_entry(event, tracks[0], country="DE", title_en="Gamma"),
        make_entry(event, tracks[1], country="US", status=Status.SCREENED_IN, title_en="Delta"),
    ]


# Per entry (innovation, market, team) from each of the three judges. On all criteria Beta leads
# (40/30/30: 8.2, then Delta 8.0, Alpha 5.4, Gamma 5.0); on innovation alone Alpha leads; Gamma is lowest everywhere.
SCORES = {
    "Alpha": [(9, 3, 3), (9, 3, 3), (9, 3, 3)],
    "Beta": [(7, 9, 9), (7, 9, 9), (7, 9, 9)],
    "Gamma": [(5, 5, 5), (5, 5, 5), (5, 5, 5)],
    "Delta": [(8, 8, 8), (8, 8, 8), (8, 8, 8)],
}


@pytest.fixture
def judges(event):
    return [make_judge(event, email=f"judge{i}@example.org") for i in range(1, 4)]


@pytest.fixture
def scored_round(event, organiser, judges, entries):
    round_ = open_round(event, organiser, k=3, weights=(Decimal(40), Decimal(30), Decimal(30)))
    for entry in entries:
        assign(round_, entry, *judges)
        for judge, values in zip(judges, SCORES[entry.title_en], strict=True):
            judging_services.scorecard_submit(
                round=round_, entry=entry, judge=judge, scores=scores_for(round_, *values)
            )
    return round_


def criteria(round_, *names):
    by_name = {c.name_en: c for c in round_.criteria.select_related("round")}
    return [by_name[name] for name in names]


@pytest.fixture
def audience_award(event, organiser, entries):
    award = services.award_create(
        event=event, created_by=organiser, name_en="People's choice", kind=Award.Kind.AUDIENCE
    )
    return services.vote_open(award=award, opened_by=organiser)


def make_voter(**kw):
    return UserFactory(language="en", **kw)
