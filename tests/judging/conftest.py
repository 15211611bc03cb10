"""Fixtures for judging tests: an event with tracks, an organiser, judges from known
organisations, screened-in entries, and a round open for scoring with three criteria."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from events.models import Role
from judging import services
from judging.services import CriterionInput
from registration.models import Status
from tests.factories import (
    EntryFactory,
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    TeamMemberFactory,
    TrackFactory,
    UserFactory,
)

WEIGHTS = (Decimal(40), Decimal(30), Decimal(30))


def make_judge(event, *, email=None, organisation=None, language="en", name_en=None):
    kwargs = {"language": language, "organisation": organisation}
    if email:
        kwargs["email"] = email
    if name_en:
        kwargs["name_en"] = name_en
    judge = UserFactory(**kwargs)
    EventRoleFactory(event=event, user=judge, role=Role.JUDGE)
    return judge


def make_entry(event, track, *, status=Status.SCREENED_IN, member_organisation="Technische Universität München", **kw):
    """A submitted entry in ``status`` whose one extra team member works at ``member_organisation``."""
    entry = EntryFactory(event=event, track=track, status=status, submitted_at=timezone.now(), **kw)
    if status == Status.IN_ROUND and entry.round_number is None:
        entry.round_number = 1
        entry.save(update_fields=["round_number"])
    TeamMemberFactory(entry=entry, organisation=member_organisation)
    EventRoleFactory(event=event, user=entry.owner, role=Role.ENTRANT)
    return entry


def scores_for(round_, *values):
    """A ``scores`` mapping for the round's criteria in order."""
    return {criterion.pk: value for criterion, value in zip(round_.criteria.order_by("position"), values, strict=True)}


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


@pytest.fixture
def judges(event):
    return [
        make_judge(event, email=f"judge{i}@example.org", name_en=f"Judge {i}", organisation=OrganisationFactory())
        for i in range(1, 4)
    ]


@pytest.fixture
def entries(event, tracks):
    return [make_entry(event, tracks[i % 2]) for i in range(4)]


def open_round(event, organiser, *, k=2, weights=WEIGHTS, tie_break=0, **fields):
    now = timezone.now()
    defaults = {
        "name_zh": "初赛",
        "name_en": "First round",
        "opens_at": now - dt.timedelta(days=1),
        "closes_at": now + dt.timedelta(days=1),
        "scale_min": Decimal(0),
        "scale_max": Decimal(10),
        "judges_per_entry": k,
        "advancement_rule": "top_overall",
        "advancement_count": 2,
    }
    defaults.update(fields)
    round_ = services.round_create(event=event, created_by=organiser, **defaults)
    names = [("创新性", "Innovation"), ("市场", "Market"), ("团队", "Team"), ("落地", "Landing")]
    services.criteria_set(
        round=round_,
        changed_by=organiser,
        criteria=[
            CriterionInput(name_zh=zh, name_en=en, weight=weight, guidance_en=f"How strong is the {en.lower()}?")
            for (zh, en), weight in zip(names, weights, strict=False)
        ],
        tie_break=tie_break,
    )
    return round_


@pytest.fixture
def round_(event, organiser, judges, entries):
    return open_round(event, organiser)


def assign(round_, entry, *judges):
    from judging.models import Assignment

    for judge in judges:
        Assignment.objects.create(round=round_, entry=entry, judge=judge)
