"""The outcome-analytics page: who sees it, what it shows, and weights applied only on confirm."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from events.models import Role
from judging.models import Criterion
from tests.factories import CriterionFactory, EventRoleFactory
from tests.insights.outcomes_setup import make_edition, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and messages are compared in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def edition():
    return make_edition()


def page_url(edition, **query):
    url = reverse("insights:outcome_analytics", kwargs={"slug": edition.event.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def apply_url(edition):
    return reverse("insights:outcome_weights_apply", kwargs={"slug": edition.event.slug, "number": 1})


def weights(round_):
    return list(Criterion.objects.filter(round=round_).order_by("position").values_list("weight", flat=True))


def test_organisers_see_criteria_judges_and_the_suggestion(client, edition):
    client.force_login(edition.organiser)
    with translation.override("en"):
        response = client.get(page_url(edition), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert [row.label for row in response.context["analysis"].criteria] == ["Technology", "Market"]
    assert [weight for _row, weight, _cell in response.context["suggested_rows"]] == [Decimal(75), Decimal(25)]
    page = response.content.decode()
    assert 'id="judge-correlations"' in page
    assert "0.87" in page
    assert "-0.87" in page


def test_ledger_editors_see_no_judges_and_others_are_refused(client, edition):
    editor = person(edition.event, Role.LEDGER_EDITOR)
    client.force_login(editor)
    response = client.get(page_url(edition))
    assert response.status_code == 200
    assert response.context["analysis"].judges == []
    assert 'id="judge-correlations"' not in response.content.decode()
    for outsider in (edition.judges[0], edition.next_organiser):
        client.force_login(outsider)
        assert client.get(page_url(edition)).status_code == 403
        assert (
            client.post(apply_url(edition), {"outcome": "signed", "target": edition.next_round.pk}).status_code == 403
        )


def test_small_samples_say_so(client):
    small = make_edition(projects=5, slug="small")
    client.force_login(small.organiser)
    with translation.override("en"):
        page = client.get(page_url(small)).content.decode()
    assert page.count("too few to say (n = 5)") == 2 * 3 + 3 + 2 * 3  # two criteria, the total, two judges
    assert "No suggestion: too few projects" in page


def test_no_released_results_say_so(client, edition):
    edition.round.results_released_at = None
    edition.round.save(update_fields=["results_released_at"])
    client.force_login(edition.organiser)
    with translation.override("en"):
        page = client.get(page_url(edition)).content.decode()
    assert "No results are released in this event yet" in page


def test_page_queries_do_not_grow_with_the_criteria(client, edition, django_assert_num_queries):
    client.force_login(edition.organiser)
    client.get(page_url(edition))  # warm the results cache of this process
    with django_assert_num_queries(13):
        client.get(page_url(edition))
    CriterionFactory(round=edition.round, name_en="Team", weight=0, position=3)
    client.get(page_url(edition))
    with django_assert_num_queries(13):
        client.get(page_url(edition))


def test_weights_apply_only_when_confirmed(client, edition):
    EventRoleFactory(event=edition.next_round.event, user=edition.organiser, role=Role.ORGANISER)
    client.force_login(edition.organiser)
    data = {"outcome": "signed", "target": edition.next_round.pk}
    with translation.override("en"):
        response = client.post(apply_url(edition), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "confirm": ["Tick the box to confirm: the weights change only when you confirm."]
    }
    assert weights(edition.next_round) == [Decimal(50), Decimal(50)]
    # Posted weights are ignored: the suggestion is recomputed from the scores.
    response = client.post(apply_url(edition), {**data, "confirm": "on", "criterion_0": "99"})
    assert response.status_code == 302
    assert response.url == page_url(edition, round=1, outcome="signed")
    assert weights(edition.next_round) == [Decimal(75), Decimal(25)]
