"""Automatic assignment prefers, among equally loaded judges, experts of the entry's track field."""

import pytest

from core.fields import TechField
from events.models import Role
from experts import services as expert_services
from judging import services
from judging.models import Assignment
from tests.factories import EventRoleFactory, OrganisationFactory, UserFactory
from tests.judging.conftest import make_entry, open_round

pytestmark = pytest.mark.django_db


def judge_with_fields(event, email, fields):
    judge = UserFactory(email=email, organisation=OrganisationFactory(), language="en")
    EventRoleFactory(event=event, user=judge, role=Role.JUDGE)
    if fields:
        expert_services.expert_profile_set(user=judge, changed_by=judge, fields=fields, languages=["en"])
    return judge


@pytest.mark.parametrize("seed", range(8))
def test_equal_loads_go_to_the_expert_of_the_tracks_field(event, organiser, tracks, seed):
    materials_entry = make_entry(event, tracks[0])
    bio_entry = make_entry(event, tracks[1])
    generalist = judge_with_fields(event, "generalist@example.org", None)
    chemist = judge_with_fields(event, "chemist@example.org", [TechField.NEW_MATERIALS])
    biologist = judge_with_fields(event, "biologist@example.org", [TechField.BIOMEDICINE, TechField.MARINE])
    round_ = open_round(event, organiser, k=1)
    report = services.assignment_auto(round=round_, assigned_by=organiser, seed=seed)
    pairs = set(Assignment.objects.filter(round=round_).values_list("entry_id", "judge_id"))
    assert pairs == {(materials_entry.pk, chemist.pk), (bio_entry.pk, biologist.pk)}
    assert (report.created, report.short) == (2, [])
    assert generalist.pk not in {judge for _entry, judge in pairs}


@pytest.mark.parametrize("seed", range(4))
def test_balance_still_comes_before_the_field(event, organiser, tracks, seed):
    bio_entries = [make_entry(event, tracks[1]) for _ in range(4)]
    biologist = judge_with_fields(event, "biologist@example.org", [TechField.BIOMEDICINE])
    others = [judge_with_fields(event, f"other{i}@example.org", None) for i in range(3)]
    round_ = open_round(event, organiser, k=1)
    services.assignment_auto(round=round_, assigned_by=organiser, seed=seed)
    loads = {judge.pk: Assignment.objects.filter(round=round_, judge=judge).count() for judge in [biologist, *others]}
    assert sorted(loads.values()) == [1, 1, 1, 1]
    assert Assignment.objects.filter(round=round_, entry__in=bio_entries).count() == 4


def test_a_conflicted_expert_is_never_preferred(event, organiser, tracks):
    entry = make_entry(event, tracks[1], member_organisation="Charité Berlin")
    biologist = UserFactory(organisation=OrganisationFactory(name_en="Charité Berlin"), language="en")
    EventRoleFactory(event=event, user=biologist, role=Role.JUDGE)
    expert_services.expert_profile_set(user=biologist, changed_by=biologist, fields=["biomedicine"], languages=["en"])
    generalist = judge_with_fields(event, "generalist@example.org", None)
    round_ = open_round(event, organiser, k=1)
    services.assignment_auto(round=round_, assigned_by=organiser, seed=1)
    assert list(Assignment.objects.filter(round=round_).values_list("entry_id", "judge_id")) == [
        (entry.pk, generalist.pk)
    ]
