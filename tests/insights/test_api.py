"""The outcome-analysis API: correlations and suggested weights, applied only on confirmation."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from events.models import Role
from judging.models import Criterion
from tests.factories import EventFactory, EventRoleFactory, RoundFactory
from tests.insights.outcomes_setup import make_edition, person

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are compared in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def edition():
    return make_edition()


def analysis_url(round_, query=""):
    return reverse("api-outcome-analysis", args=[round_.pk]) + (f"?{query}" if query else "")


def apply_url(round_):
    return reverse("api-apply-suggested-weights", args=[round_.pk])


def weights(round_):
    return list(Criterion.objects.filter(round=round_).order_by("position").values_list("weight", flat=True))


def test_organisers_get_rows_counts_and_the_suggestion(client, edition):
    client.force_login(edition.organiser)
    response = client.get(analysis_url(edition.round))
    assert response.status_code == 200
    body = response.json()
    assert (body["round"]["id"], body["round"]["event"], body["entries"], body["error"]) == (
        edition.round.pk,
        edition.event.slug,
        10,
        "",
    )
    assert body["outcomes"] == [
        {"key": "signed", "label": "Signed", "reached": 5},
        {"key": "landed", "label": "Landed", "reached": 2},
        {"key": "production", "label": "In production", "reached": 1},
    ]
    technology, market = body["criteria"]
    assert (technology["label"], technology["criterion_id"], technology["weight"]) == (
        "Technology",
        edition.criterion_a.pk,
        50.0,
    )
    assert market["label"] == "Market"
    assert technology["by_outcome"]["signed"]["rho"] == pytest.approx(0.87, abs=0.005)
    assert market["by_outcome"]["signed"]["rho"] == pytest.approx(-0.87, abs=0.005)
    assert (technology["by_outcome"]["signed"]["n"], technology["by_outcome"]["signed"]["too_few"]) == (10, False)
    assert body["total"]["label"] == "Total score"
    assert body["total"]["criterion_id"] is None
    assert [row["label"] for row in body["judges"]] == ["Judge Alpha", "Judge Beta"]
    suggestion = body["suggestion"]
    assert suggestion["outcome"] == "signed"
    assert [(row["criterion_id"], row["current"], row["suggested"]) for row in suggestion["weights"]] == [
        (edition.criterion_a.pk, 50.0, 75.0),
        (edition.criterion_b.pk, 50.0, 25.0),
    ]
    assert "“Signed”" in suggestion["reasoning"]
    assert "at least 8 projects" in suggestion["reasoning"]
    assert "50 % that target" in suggestion["reasoning"]
    landed = client.get(analysis_url(edition.round, "outcome=landed")).json()["suggestion"]
    assert landed["outcome"] == "landed"


def test_ledger_editors_get_no_judges_and_others_are_refused(client, edition):
    client.force_login(person(edition.event, Role.LEDGER_EDITOR))
    assert client.get(analysis_url(edition.round)).json()["judges"] == []
    client.logout()
    assert client.get(analysis_url(edition.round)).status_code in (401, 403)
    for outsider in (edition.judges[0], edition.next_organiser):
        client.force_login(outsider)
        assert client.get(analysis_url(edition.round)).status_code == 403
        response = client.post(
            apply_url(edition.round),
            {"outcome": "signed", "target": edition.next_round.pk, "confirm": True},
            content_type="application/json",
        )
        assert response.status_code == 403
    hidden = RoundFactory(event=EventFactory(is_published=False))
    assert client.get(analysis_url(hidden)).status_code == 404
    assert weights(edition.next_round) == [Decimal(50), Decimal(50)]


def test_bad_input_and_unreleased_rounds_say_why(client, edition):
    client.force_login(edition.organiser)
    response = client.get(analysis_url(edition.round, "outcome=fame"))
    assert (response.status_code, response.json()) == (400, {"errors": {"outcome": ["Choose an outcome."]}})
    unreleased = RoundFactory(event=edition.event, number=2)
    response = client.get(analysis_url(unreleased))
    assert (response.status_code, response.json()) == (
        400,
        {"errors": {"non_field_errors": ["This round's results are not released yet."]}},
    )


def test_small_samples_are_too_few_to_say(client):
    small = make_edition(projects=5, slug="small")
    client.force_login(small.organiser)
    body = client.get(analysis_url(small.round)).json()
    cells = [cell for row in body["criteria"] + [body["total"]] for cell in row["by_outcome"].values()]
    assert [(cell["n"], cell["too_few"]) for cell in cells] == [(5, True)] * 9
    assert body["suggestion"]["weights"] == []
    assert body["suggestion"]["reasoning"].startswith("No suggestion: too few projects")


def test_applying_needs_confirmation_and_then_copies_the_weights(client, edition):
    EventRoleFactory(event=edition.next_round.event, user=edition.organiser, role=Role.ORGANISER)
    client.force_login(edition.organiser)
    url = apply_url(edition.round)
    payload = {"outcome": "signed", "target": edition.next_round.pk}
    response = client.post(url, payload, content_type="application/json")
    assert (response.status_code, response.json()) == (
        400,
        {"errors": {"confirm": ["Tick the box to confirm: the weights change only when you confirm."]}},
    )
    assert weights(edition.next_round) == [Decimal(50), Decimal(50)]
    response = client.post(url, {**payload, "target": 999999, "confirm": True}, content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"errors": {"target": ["No such round."]}})
    response = client.post(url, {**payload, "outcome": "fame", "confirm": True}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["outcome"]
    response = client.post(
        url, {**payload, "target": edition.round.pk, "confirm": True}, content_type="application/json"
    )
    assert (response.status_code, response.json()) == (
        400,
        {"errors": {"target": ["Choose a round whose scoring has not opened yet."]}},
    )
    response = client.post(url, {**payload, "confirm": True}, content_type="application/json")
    assert response.status_code == 200
    assert [(row["name"], row["weight"]) for row in response.json()] == [("Technology", 75.0), ("Market", 25.0)]
    assert weights(edition.next_round) == [Decimal(75), Decimal(25)]


@pytest.mark.parametrize("projects", [10, 14])
def test_analysis_query_count(client, projects, django_assert_num_queries):
    edition = make_edition(projects=projects, slug=f"edition-{projects}")
    client.force_login(edition.organiser)
    with django_assert_num_queries(12):
        response = client.get(analysis_url(edition.round))
    assert response.json()["entries"] == projects
