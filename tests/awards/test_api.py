import pytest
from django.urls import reverse

from awards import services
from awards.models import AudienceVote
from events.models import Role
from tests.factories import EventFactory, EventRoleFactory, UserFactory

from .conftest import criteria, make_voter

pytestmark = pytest.mark.django_db


def vote_url(award):
    return reverse("api-awards-vote", args=[award.event.slug, award.pk])


def test_vote_through_the_api(client, audience_award, entries):
    client.force_login(make_voter())
    response = client.post(vote_url(audience_award), {"entry": entries[0].pk}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["entry"] == entries[0].pk
    response = client.post(
        vote_url(audience_award), {"entry": entries[1].pk}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"non_field_errors": ["You have already voted for this award; each account has one vote."]}
    }
    assert AudienceVote.objects.count() == 1


def test_api_vote_bad_input_and_anonymous(client, audience_award, entries):
    assert client.post(
        vote_url(audience_award), {"entry": entries[0].pk}, content_type="application/json"
    ).status_code in (401, 403)
    client.force_login(make_voter())
    response = client.post(vote_url(audience_award), {"entry": "x"}, content_type="application/json")
    assert response.status_code == 400
    response = client.post(
        vote_url(audience_award), {"entry": entries[3].pk}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json() == {"errors": {"non_field_errors": ["This project cannot receive votes in this award."]}}
    assert AudienceVote.objects.count() == 0


def test_api_ranking_for_organisers_only(client, event, organiser, scored_round, entries):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Innovation",
        kind="sponsor",
        sponsor="Bank",
        criteria=criteria(scored_round, "Innovation"),
    )
    url = reverse("api-awards-ranking", args=[event.slug, award.pk])
    other = EventFactory(is_published=True)
    stranger = UserFactory()
    EventRoleFactory(event=other, user=stranger, role=Role.ORGANISER)
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    client.force_login(organiser)
    body = client.get(url).json()
    assert [(line["rank"], line["entry"]["id"], line["value"]) for line in body["lines"]] == [
        (1, entries[0].pk, 9.0),
        (2, entries[1].pk, 7.0),
        (3, entries[2].pk, 5.0),
    ]
    assert body["weights"] == {str(criteria(scored_round, "Innovation")[0].pk): 100.0}


@pytest.mark.parametrize("n", [1, 3])
def test_api_award_list_query_count(client, event, organiser, entries, django_assert_num_queries, n):
    for i in range(n):
        award = services.award_create(event=event, created_by=organiser, name_en=f"Vote {i}", kind="audience")
        services.award_update(award=award, changed_by=organiser, is_published=True)
        services.award_decide(award=award, decided_by=organiser, entry_ids=[entries[0].pk])
    services.award_create(event=event, created_by=organiser, name_en="Hidden", kind="audience")
    with django_assert_num_queries(4):
        response = client.get(reverse("api-awards", args=[event.slug]))
    results = response.json()["results"]
    assert [award["name_en"] for award in results] == [f"Vote {i}" for i in range(n)]
    assert [award["winners"][0]["entry"]["id"] for award in results] == [entries[0].pk] * n


def test_api_vote_checks_the_entry_once(client, audience_award, entries, django_assert_num_queries):
    """The posted entry is looked up once, by the service, which both resolves and checks it."""
    voter = make_voter()
    client.force_login(voter)
    # session, user, event, roles, award, the entry (once), verified address, savepoint, the vote,
    # the burst check, release
    with django_assert_num_queries(11) as captured:
        response = client.post(vote_url(audience_award), {"entry": entries[0].pk}, content_type="application/json")
    assert response.status_code == 201
    entry_lookups = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "registration_entry"')]
    assert len(entry_lookups) == 1
