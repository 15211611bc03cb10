"""Needs API: list per role, post and change with 400s for bad input, ranked matches, and the schema."""

import datetime as dt

import pytest
import yaml
from django.utils import timezone

from docking.models import Need
from tests.docking.conftest import make_contest
from tests.factories import NeedFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _body(**overrides):
    return {
        "title_zh": "固态电池热管理",
        "field": "new_energy",
        "keywords": "固态电池, BMS",
        "budget_min_cny": "1000000.00",
        "budget_max_cny": "5000000.00",
        "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **overrides,
    }


def test_enterprise_posts_reads_and_changes_a_need(client, contest):
    client.force_login(contest.enterprise_user)
    response = client.post(f"/api/v1/events/{contest.event.slug}/needs/", _body(), content_type="application/json")
    assert response.status_code == 201
    need = Need.objects.get()
    assert response.json()["id"] == need.pk
    assert response.json()["enterprise"]["id"] == contest.enterprise.pk
    assert (need.posted_by, need.budget_max_cny) == (contest.enterprise_user, 5_000_000)

    response = client.patch(
        f"/api/v1/needs/{need.pk}/", {"region": "临港", "status": "closed"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["region"], response.json()["status"]) == ("临港", "closed")
    listed = client.get(f"/api/v1/events/{contest.event.slug}/needs/").json()
    assert [item["id"] for item in listed["results"]] == [need.pk]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"budget_min_cny": "-1"}, {"budget_min_cny": ["A budget cannot be negative."]}),
        ({"budget_max_cny": "10"}, {"budget_max_cny": ["The budget's upper end cannot be below its lower end."]}),
        ({"deadline": "2020-01-01"}, {"deadline": ["The deadline cannot be in the past."]}),
    ],
)
def test_bad_input_is_a_400_with_the_message(client, contest, overrides, errors):
    client.force_login(contest.enterprise_user)
    response = client.post(
        f"/api/v1/events/{contest.event.slug}/needs/",
        _body(**overrides),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert Need.objects.count() == 0


def test_permissions(client, contest):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise)
    other = make_contest("other")
    slug = contest.event.slug
    assert client.get(f"/api/v1/events/{slug}/needs/").status_code in (401, 403)
    client.force_login(contest.audience)
    assert client.get(f"/api/v1/events/{slug}/needs/").status_code == 403
    assert client.post(f"/api/v1/events/{slug}/needs/", _body(), content_type="application/json").status_code == 403
    client.force_login(other.enterprise_user)
    assert client.get(f"/api/v1/needs/{need.pk}/").status_code == 404
    assert client.get(f"/api/v1/needs/{need.pk}/matches/").status_code == 404
    response = client.post(
        f"/api/v1/events/{slug}/needs/",
        _body(enterprise_id=other.enterprise.pk),
        content_type="application/json",
    )
    assert response.status_code == 403
    client.force_login(contest.entrant)  # sees the open need, may not change it or see its matches
    assert client.get(f"/api/v1/needs/{need.pk}/").status_code == 200
    assert (
        client.patch(f"/api/v1/needs/{need.pk}/", {"region": "X"}, content_type="application/json").status_code == 403
    )
    assert client.get(f"/api/v1/needs/{need.pk}/matches/").status_code == 403
    assert Need.objects.get().region == need.region


def test_matches_endpoint_ranks_the_related_project_first(client, contest):
    need = NeedFactory(
        event=contest.event,
        enterprise=contest.enterprise,
        title_zh="",
        title_en="Surgical robot with force feedback",
        description_en="",
        description_zh="",
        keywords="surgical robot",
        field="manufacturing",
    )
    client.force_login(contest.organiser)
    response = client.get(f"/api/v1/needs/{need.pk}/matches/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    best = response.json()[0]
    assert (best["entry_id"], best["same_field"], best["shared_terms"][0]) == (
        contest.projects["robot"].pk,
        True,
        "surgical robot",
    )
    assert best["explanation"].startswith("Same field; shares: surgical robot")


@pytest.mark.parametrize("who", ["organiser", "enterprise_user", "entrant"])
def test_list_has_a_constant_number_of_queries(client, contest, django_assert_num_queries, who):
    client.force_login(getattr(contest, who))
    url = f"/api/v1/events/{contest.event.slug}/needs/"
    NeedFactory(event=contest.event, enterprise=contest.enterprise)
    with django_assert_num_queries(6):
        assert len(client.get(url).json()["results"]) == 1
    NeedFactory.create_batch(2, event=contest.event, enterprise=contest.enterprise)
    with django_assert_num_queries(6):
        assert len(client.get(url).json()["results"]) == 3


def test_matches_have_a_constant_number_of_queries(client, contest, django_assert_num_queries):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise, title_zh="固态电池", keywords="固态电池")
    client.force_login(contest.organiser)
    with django_assert_num_queries(6):
        client.get(f"/api/v1/needs/{need.pk}/matches/")
    for n in range(2):
        more = make_contest(f"m{n}")
        more.event.entries.update(event=contest.event)
    with django_assert_num_queries(6):
        assert len(client.get(f"/api/v1/needs/{need.pk}/matches/").json()) == 3


def test_schema_describes_the_needs_endpoints(client):
    spec = yaml.safe_load(client.get("/api/schema/").content)
    assert set(spec["paths"]["/api/v1/events/{slug}/needs/"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/needs/{id}/"]) == {"get", "patch"}
    assert set(spec["paths"]["/api/v1/needs/{id}/matches/"]) == {"get"}
    assert spec["components"]["schemas"]["NeedStatusEnum"]["enum"] == ["open", "closed"]
