"""Rebalancing assignments prefers, like the first pass, experts of the entry's track field."""

import pytest

from core.fields import TechField
from events.models import Role
from experts import services as expert_services
from judging import services
from judging.models import Assignment
from tests.factories import EventRoleFactory, OrganisationFactory, TrackFactory, UserFactory

from .conftest import make_entry, open_round

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _judge(event, email, fields):
    judge = UserFactory(email=email, organisation=OrganisationFactory(), language="en")
    EventRoleFactory(event=event, user=judge, role=Role.JUDGE)
    if fields:
        expert_services.expert_profile_set(user=judge, changed_by=judge, fields=fields, languages=["en"])
    return judge


def test_moves_off_an_overloaded_judge_go_to_the_experts_of_each_field(event, organiser):
    materials = TrackFactory(event=event, name_en="New materials", field=TechField.NEW_MATERIALS, position=1)
    biomedicine = TrackFactory(event=event, name_en="Biomedicine", field=TechField.BIOMEDICINE, position=2)
    bio_entries = [make_entry(event, biomedicine) for _ in range(2)]
    materials_entry = make_entry(event, materials)
    # Judges are listed by e-mail: without the preference the chemist ("a…") would take the first
    # biomedicine entry, and the biologist ("b…") the second.
    chemist = _judge(event, "a-chemist@example.org", [TechField.NEW_MATERIALS])
    biologist = _judge(event, "b-biologist@example.org", [TechField.BIOMEDICINE])
    generalist = _judge(event, "c-generalist@example.org", None)
    round_ = open_round(event, organiser, k=1)
    for entry in (*bio_entries, materials_entry):  # all given to the generalist by hand
        Assignment.objects.create(round=round_, entry=entry, judge=generalist)

    report = services.assignment_auto(round=round_, assigned_by=organiser, seed=3)

    pairs = set(Assignment.objects.filter(round=round_).values_list("entry_id", "judge_id"))
    assert (report.created, report.moved) == (2, 2)
    assert (materials_entry.pk, chemist.pk) in pairs
    assert {judge for entry, judge in pairs if entry in {e.pk for e in bio_entries}} == {biologist.pk, generalist.pk}


def test_a_move_never_takes_an_entry_from_an_expert_when_another_entry_can_go(event, organiser):
    biomedicine = TrackFactory(event=event, name_en="Biomedicine", field=TechField.BIOMEDICINE, position=1)
    materials = TrackFactory(event=event, name_en="New materials", field=TechField.NEW_MATERIALS, position=2)
    bio_entries = [make_entry(event, biomedicine) for _ in range(2)]
    materials_entries = [make_entry(event, materials) for _ in range(2)]
    biologist = _judge(event, "a-biologist@example.org", [TechField.BIOMEDICINE])
    _judge(event, "b-generalist@example.org", None)  # the one idle judge: receives two entries
    round_ = open_round(event, organiser, k=1)
    for entry in (*bio_entries, *materials_entries):
        Assignment.objects.create(round=round_, entry=entry, judge=biologist)

    services.assignment_auto(round=round_, assigned_by=organiser, seed=3)

    kept = set(Assignment.objects.filter(round=round_, judge=biologist).values_list("entry_id", flat=True))
    assert kept == {entry.pk for entry in bio_entries}  # the materials entries moved, not the biomedicine ones
