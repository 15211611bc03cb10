"""Shared set-up for the needs and matching tests: a contest with three submitted projects in
three fields (solid-state batteries, gene editing, surgical robots), an organiser, an enterprise
contact with a profile, an entrant and an audience member."""

from dataclasses import dataclass

import pytest
from django.utils import timezone

from events.models import Role
from tests.factories import (
    EnterpriseProfileFactory,
    EntryFactory,
    EventFactory,
    EventRoleFactory,
    TrackFactory,
    UserFactory,
)

PROJECTS = {
    "battery": (
        "new_energy",
        "高安全固态锂电池",
        "High-safety solid-state lithium battery",
        "基于硫化物固态电解质的动力电池，电池管理系统（BMS）实时监测热失控。"
        " A sulfide solid-electrolyte cell with a battery management system that watches for thermal runaway.",
    ),
    "gene": (
        "biomedicine",
        "CRISPR 精准基因编辑治疗平台",
        "CRISPR precision gene-editing therapy platform",
        "面向遗传性眼病的体内基因编辑疗法。 In-vivo gene editing for inherited eye disease.",
    ),
    "robot": (
        "manufacturing",
        "微创手术机器人",
        "Minimally invasive surgical robot",
        "五臂手术机器人，带力反馈。 A five-arm surgical robot with force feedback.",
    ),
}


@dataclass
class Contest:
    event: object
    organiser: object
    enterprise_user: object
    enterprise: object
    entrant: object
    audience: object
    projects: dict


def member(event, role, **kwargs):
    user = UserFactory(language="en", **kwargs)
    EventRoleFactory(event=event, user=user, role=role)
    return user


def make_contest(slug: str = "contest") -> Contest:
    event = EventFactory(slug=slug, is_published=True)
    entrant = member(event, Role.ENTRANT, name_en=f"Entrant {slug}")
    projects = {}
    for key, (field, title_zh, title_en, summary) in PROJECTS.items():
        projects[key] = EntryFactory(
            event=event,
            owner=entrant if key == "battery" else member(event, Role.ENTRANT),
            track=TrackFactory(event=event, field=field),
            title_zh=title_zh,
            title_en=title_en,
            summary=summary,
            technology="",
            status="submitted",
            submitted_at=timezone.now(),
        )
    enterprise_user = member(event, Role.ENTERPRISE, name_en=f"Buyer {slug}")
    enterprise = EnterpriseProfileFactory()
    enterprise.contacts.add(enterprise_user)
    return Contest(
        event=event,
        organiser=member(event, Role.ORGANISER),
        enterprise_user=enterprise_user,
        enterprise=enterprise,
        entrant=entrant,
        audience=member(event, Role.AUDIENCE),
        projects=projects,
    )


@pytest.fixture
def contest(db) -> Contest:
    return make_contest()
