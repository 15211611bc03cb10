"""Assignment: K judges per entry, balanced loads, never a conflict; by hand; declared conflicts."""

import random
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from judging import services
from judging.models import Assignment, Conflict, Scorecard
from registration.models import Status
from tests.factories import OrganisationFactory, UserFactory

from .conftest import assign, make_entry, make_judge, open_round, scores_for

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ORGANISATIONS = [
    ("清华大学", "Tsinghua University"),
    ("慕尼黑工业大学", "TU Munich"),
    ("海城研究院", "Haicheng Institute"),
]


def pairs(round_) -> set[tuple[int, int]]:
    return set(Assignment.objects.filter(round=round_).values_list("judge_id", "entry_id"))


def expected_conflicts(judges, entries, declared) -> set[tuple[int, int]]:
    """The conflict rule written out independently of the service: declared, own team, same organisation."""
    result = set(declared)
    for entry in entries:
        members = list(entry.team.all())
        for judge in judges:
            names = set()
            if judge.organisation:
                names = {judge.organisation.name_zh.strip().casefold(), judge.organisation.name_en.strip().casefold()}
            if entry.owner_id == judge.pk or any(m.email.casefold() == judge.email.casefold() for m in members):
                result.add((judge.pk, entry.pk))
            if any(m.organisation.strip().casefold() in names for m in members if m.organisation.strip()):
                result.add((judge.pk, entry.pk))
    return result


@pytest.mark.parametrize("seed", range(12))
def test_automatic_assignment_invariants_on_random_data(seed, event, organiser, tracks):
    rng = random.Random(seed)
    organisations = [OrganisationFactory(name_zh=zh, name_en=en) for zh, en in ORGANISATIONS]
    judges = [make_judge(event, organisation=rng.choice([*organisations, None])) for _ in range(rng.randint(4, 9))]
    spellings = ["  TSINGHUA university ", "tu munich", "海城研究院", "Other Lab", ""]
    entries = [
        make_entry(event, rng.choice(tracks), member_organisation=rng.choice(spellings))
        for _ in range(rng.randint(6, 25))
    ]
    declared = set()
    for _ in range(rng.randint(0, 6)):
        judge, entry = rng.choice(judges), rng.choice(entries)
        Conflict.objects.get_or_create(judge=judge, entry=entry, defaults={"reason": "Co-author"})
        declared.add((judge.pk, entry.pk))
    make_entry(event, tracks[0], status=Status.SUBMITTED)  # not screened in: not in the round
    k = rng.randint(1, 3)
    round_ = open_round(event, organiser, k=k)

    report = services.assignment_auto(round=round_, assigned_by=organiser, seed=seed)

    conflicts = expected_conflicts(judges, entries, declared)
    assigned = pairs(round_)
    assert not assigned & conflicts
    assert {entry_id for _judge, entry_id in assigned} <= {e.pk for e in entries}
    per_entry = Counter(entry_id for _judge, entry_id in assigned)
    short = []
    for entry in entries:
        eligible = sum(1 for judge in judges if (judge.pk, entry.pk) not in conflicts)
        assert per_entry[entry.pk] == min(k, eligible)
        if eligible < k:
            short.append((entry.pk, eligible))
    assert sorted(report.short) == sorted(short)
    loads = Counter(judge_id for judge_id, _entry in assigned)
    all_loads = [loads[judge.pk] for judge in judges]
    # Balanced "where possible": if loads differ by more than one, no busiest judge can hand an
    # entry to an idlest judge without a conflict.
    assert max(all_loads) - min(all_loads) <= 1 or not _move_possible(judges, loads, assigned, conflicts)
    assert report.created == len(assigned)

    again = services.assignment_auto(round=round_, assigned_by=organiser, seed=seed + 100)
    assert (again.created, again.removed, again.moved) == (0, 0, 0)
    assert pairs(round_) == assigned


def _move_possible(judges, loads, assigned, conflicts) -> bool:
    low, high = min(loads[j.pk] for j in judges), max(loads[j.pk] for j in judges)
    return any(
        (receiver.pk, entry_id) not in conflicts and (receiver.pk, entry_id) not in assigned
        for donor in judges
        if loads[donor.pk] == high
        for receiver in judges
        if loads[receiver.pk] == low
        for donor_id, entry_id in assigned
        if donor_id == donor.pk
    )


def test_same_organisation_is_matched_ignoring_case_and_spaces(event, organiser, tracks):
    tsinghua = OrganisationFactory(name_zh="清华大学", name_en="Tsinghua University")
    judge_a = make_judge(event, organisation=tsinghua)
    judge_b = make_judge(event)
    entry = make_entry(event, tracks[0], member_organisation="  tsinghua UNIVERSITY ")
    round_ = open_round(event, organiser, k=2)
    report = services.assignment_auto(round=round_, assigned_by=organiser)
    assert pairs(round_) == {(judge_b.pk, entry.pk)}
    assert report.short == [(entry.pk, 1)]
    assert Conflict.objects.get(judge=judge_a, entry=entry).kind == Conflict.Kind.SAME_ORGANISATION


def test_a_judge_never_gets_their_own_entry(event, organiser, tracks):
    owner_judge = make_judge(event)
    member_judge = make_judge(event, email="member@example.org")
    other = make_judge(event)
    own = make_entry(event, tracks[0], owner=owner_judge)
    with_member = make_entry(event, tracks[0])
    with_member.team.update(email="MEMBER@example.org")
    round_ = open_round(event, organiser, k=3)
    services.assignment_auto(round=round_, assigned_by=organiser)
    assert pairs(round_) == {
        (member_judge.pk, own.pk),
        (other.pk, own.pk),
        (owner_judge.pk, with_member.pk),
        (other.pk, with_member.pk),
    }


def test_balanced_loads_without_conflicts(event, organiser, tracks):
    judges = [make_judge(event) for _ in range(4)]
    for _ in range(7):
        make_entry(event, tracks[0])
    round_ = open_round(event, organiser, k=3)
    services.assignment_auto(round=round_, assigned_by=organiser, seed=1)
    loads = Counter(judge_id for judge_id, _entry in pairs(round_))
    assert sorted(loads[j.pk] for j in judges) == [5, 5, 5, 6]


def test_automatic_assignment_keeps_started_cards_and_drops_new_conflicts(round_, organiser, judges, entries):
    assign(round_, entries[0], judges[0], judges[1])
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[0], scores=scores_for(round_, 5, 5, 5))
    Conflict.objects.create(judge=judges[1], entry=entries[0], reason="Former colleague")
    services.assignment_auto(round=round_, assigned_by=organiser, seed=3)
    on_first = {judge_id for judge_id, entry_id in pairs(round_) if entry_id == entries[0].pk}
    assert on_first == {judges[0].pk, judges[2].pk}


def test_only_organisers_assign_and_live_rounds_need_no_assignment(event, organiser, judges, entries):
    round_ = open_round(event, organiser)
    with pytest.raises(PermissionDenied):
        services.assignment_auto(round=round_, assigned_by=judges[0])
    live = open_round(event, organiser, live=True)
    with pytest.raises(ValidationError) as exc_info:
        services.assignment_auto(round=live, assigned_by=organiser)
    assert exc_info.value.messages == ["A live round needs no assignment: every judge scores each pitch."]


def test_assignment_by_hand_refuses_conflicts_non_judges_and_losing_scores(round_, organiser, judges, entries):
    entry = entries[0]
    Conflict.objects.create(judge=judges[2], entry=entry, reason="Shareholder")
    services.assignment_set(round=round_, entry=entry, judges=judges[:2], assigned_by=organiser)
    assert {a.judge for a in Assignment.objects.filter(round=round_, entry=entry)} == set(judges[:2])

    with pytest.raises(ValidationError) as exc_info:
        services.assignment_set(round=round_, entry=entry, judges=judges, assigned_by=organiser)
    assert exc_info.value.messages == ["These judges have a conflict of interest with the entry: Judge 3."]
    stranger = UserFactory(name_en="Stranger", name_zh="")
    with pytest.raises(ValidationError) as exc_info:
        services.assignment_set(round=round_, entry=entry, judges=[stranger], assigned_by=organiser)
    assert exc_info.value.messages == ["Not judges of this event: Stranger."]

    services.scorecard_save_draft(round=round_, entry=entry, judge=judges[0], scores=scores_for(round_, 5, "", ""))
    with pytest.raises(ValidationError) as exc_info:
        services.assignment_set(round=round_, entry=entry, judges=[judges[1]], assigned_by=organiser)
    assert exc_info.value.messages == ["These judges have already scored the entry and stay on it: Judge 1."]
    assert Scorecard.objects.filter(round=round_, entry=entry).count() == 1
    with pytest.raises(PermissionDenied):
        services.assignment_set(round=round_, entry=entry, judges=judges[:1], assigned_by=judges[0])


def test_a_declared_conflict_hands_the_entry_to_the_least_loaded_eligible_judge(round_, organiser, judges, entries):
    extra = make_judge(round_.event)
    assign(round_, entries[0], judges[0], judges[1])
    assign(round_, entries[1], judges[2])
    services.scorecard_save_draft(round=round_, entry=entries[0], judge=judges[0], scores=scores_for(round_, 5, "", ""))
    replacements = services.conflict_declare(judge=judges[0], entry=entries[0], reason="My former student")
    assert [(a.judge, a.entry) for a in replacements] == [(extra, entries[0])]
    assert {a.judge for a in Assignment.objects.filter(round=round_, entry=entries[0])} == {judges[1], extra}
    assert not Scorecard.objects.filter(judge=judges[0], entry=entries[0]).exists()
    conflict = Conflict.objects.get(judge=judges[0], entry=entries[0])
    assert (conflict.kind, conflict.reason) == ("declared", "My former student")

    with pytest.raises(PermissionDenied):  # no longer on the entry
        services.conflict_declare(judge=judges[0], entry=entries[0], reason="Again")
    with pytest.raises(ValidationError) as exc_info:
        services.conflict_declare(judge=judges[1], entry=entries[0], reason=" ")
    assert exc_info.value.message_dict == {"reason": ["Say briefly why you have a conflict of interest."]}
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[1], scores=scores_for(round_, 5, 5, 5))
    with pytest.raises(ValidationError) as exc_info:
        services.conflict_declare(judge=judges[1], entry=entries[0], reason="Too late")
    assert exc_info.value.code == "already_submitted"
