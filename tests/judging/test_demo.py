"""The judging demo: two scored rounds (the first advanced and released), a live final, once."""

import pytest

from core.demo import SEEDERS, seed_demo
from judging import selectors, services
from judging.models import Conflict, Round, RoundOutcome, Scorecard
from registration.demo import CONTEST
from registration.models import Status

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_the_demo_judges_two_rounds_and_advances_the_first_once():
    assert SEEDERS.index("judging.demo.seed") == SEEDERS.index("registration.demo.seed") + 1
    ctx = seed_demo(scale=1)
    event = ctx.events[CONTEST]
    first, second, final = Round.objects.filter(event=event).order_by("number")

    assert (first.name_en, first.advancement_confirmed, first.results_released, first.closed_at is not None) == (
        "Preliminary round",
        True,
        True,
        True,
    )
    assert sum(c.weight for c in first.criteria.all()) == 100
    submitted = Scorecard.objects.filter(round=first, status="submitted")
    assert submitted.count() == Scorecard.objects.filter(round=first).count() > 0
    advanced = RoundOutcome.objects.filter(round=first, advanced=True).select_related("entry")
    assert advanced.count() == 5
    assert {(o.entry.status, o.entry.round_number) for o in advanced} == {(Status.IN_ROUND, 2)}
    assert Scorecard.objects.filter(round=first, feedback_released=True).exists()

    # Judges score with their own leniency: judge 1 is the most generous, judge 2 the harshest.
    reports = services.results_compute(first).of("weighted_mean").judges
    leniency = {key: reports[ctx.users[key].pk].leniency for key in ("judge1", "judge2", "judge3")}
    assert leniency["judge1"] > leniency["judge3"] > leniency["judge2"]
    # Emily Clark (UCL) never judges the entry with a UCL team member.
    same_org = Conflict.objects.get(kind="same_organisation", entry__event=event)
    assert same_org.judge == ctx.users["judge5"]
    assert not first.assignments.filter(judge=same_org.judge, entry=same_org.entry).exists()

    assert (second.blind, second.is_open(), second.advancement_confirmed) == (True, True, False)
    assert set(selectors.pool_entries(second).values_list("pk", flat=True)) >= {o.entry_id for o in advanced}
    declared = Conflict.objects.get(kind="declared", entry__event=event)
    assert declared.judge == ctx.users["judge3"]
    assert not second.assignments.filter(judge=declared.judge, entry=declared.entry).exists()
    assert Scorecard.objects.filter(round=second, status="submitted").exists()
    assert Scorecard.objects.filter(round=second, status="draft").exists()

    assert (final.live, final.pool, final.scale_max) == (True, "finalist", 100)

    cards_before = Scorecard.objects.filter(round__event=event).count()
    again = seed_demo(scale=1)
    assert not {"judging rounds", "scorecards", "conflicts declared"} & set(again.created)
    assert Scorecard.objects.filter(round__event=event).count() == cards_before
