"""The demo's finished 2025 edition: outcome analytics has real correlations to show, the
programme dashboard counts both years, and the edition stays out of the 2026 docking."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.demo import SEEDERS, seed_demo
from docking.models import Deal
from docking.selectors.meetings import docking_entries
from events.models import Event
from insights import demo
from insights.analytics import MIN_SAMPLE
from insights.outcomes import outcome_analysis, released_rounds
from insights.selectors import funnel_by_year
from landing.models import LandedCompany
from landing.validators import validate_credit_code
from registration.models import Entry, Status

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _by_name(analysis) -> dict[str, dict]:
    return {row.criterion.name_en: row.by_outcome for row in analysis.criteria}


def test_the_2025_edition_gives_outcome_analytics_something_to_say(client):
    assert SEEDERS.index("insights.demo.seed") > SEEDERS.index("docking.demo.meetings.seed")
    ctx = seed_demo(scale=1)
    event = ctx.events[demo.SLUG]
    organiser = ctx.users["organiser"]
    assert event.ends_on.year == 2025 and event.organiser_organisation == ctx.organisations["assoc"]

    rounds = list(released_rounds(event))
    assert [round_.number for round_ in rounds] == [1]
    assert rounds[0].results_released_at.year == 2025
    analysis = outcome_analysis(round=rounds[0], viewer=organiser)
    assert analysis.error == ""
    assert analysis.entries == len([p for p in demo.PROJECTS if not p.screened_out]) == 24
    assert analysis.outcome_counts == {"signed": 9, "landed": 6, "production": 3}

    rows = _by_name(analysis)
    usable = [name for name, by in rows.items() if by["landed"].n >= MIN_SAMPLE and by["landed"].rho is not None]
    assert usable, rows
    # Plausible, not perfect: the landing plan and the team predict landing, innovation barely.
    assert rows["Landing plan"]["landed"].rho > 0.3
    assert rows["Team"]["landed"].rho > 0.3
    assert abs(rows["Innovation"]["landed"].rho) < 0.2
    assert all(by["landed"].rho < 0.9 for by in rows.values())
    assert len(analysis.judges) == 5 and all(row.by_outcome["landed"].n >= MIN_SAMPLE for row in analysis.judges)
    suggestion = analysis.suggestion("landed")
    assert suggestion is not None and sum(suggestion.values()) == 100
    innovation = next(row.criterion for row in analysis.criteria if row.criterion.name_en == "Innovation")
    assert suggestion[innovation.pk] < innovation.weight  # the evidence moves weight away from it

    deals = Deal.objects.filter(event=event)
    assert sorted(deals.values_list("stage", flat=True)) == ["cancelled"] + ["intent"] * 2 + ["signed"] * 9
    companies = LandedCompany.objects.filter(event=event)
    assert companies.count() == 6 and companies.filter(status="blue").count() == 3
    for code in companies.values_list("credit_code", flat=True):
        assert validate_credit_code(code) == code
    # The projects of 2025 are led by alumni, not 2026 entrants: the 2026 docking never sees them.
    contest_2026 = Event.objects.get(slug="haicheng-innovation-contest-2026")
    assert not docking_entries(contest_2026).filter(event=event).exists()
    assert Entry.objects.filter(event=event, status=Status.AWARDED).count() == 3

    funnel = {row.label: row.counts for row in funnel_by_year(Event.objects.all())}
    assert funnel["2025"] == {
        "registered": 28,
        "screened_in": 24,
        "finalists": 8,
        "met": funnel["2025"]["met"],
        "signed": 9,
        "landed": 6,
        "production": 3,
    }
    assert funnel["2025"]["met"] >= funnel["2025"]["signed"]
    assert "2026" in funnel

    client.force_login(organiser)
    with translation.override("en"):
        response = client.get(
            reverse("insights:outcome_analytics", kwargs={"slug": event.slug}) + "?outcome=landed",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert response.context["suggested_rows"]
    assert response.context["analysis"].entries == 24

    before = (analysis.outcome_counts, {name: by["landed"].rho for name, by in rows.items()})
    seed_demo(scale=1)
    again = outcome_analysis(round=rounds[0], viewer=organiser)
    assert (again.outcome_counts, {name: by["landed"].rho for name, by in _by_name(again).items()}) == before
