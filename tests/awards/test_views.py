import pytest
from django.urls import reverse
from django.utils import translation

from awards import services
from awards.models import AudienceVote, Award, AwardWinner
from events.models import Role
from tests.factories import EventFactory, EventRoleFactory, UserFactory

from .conftest import criteria, make_voter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and messages are compared in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def url(name, event, *args):
    return reverse(f"awards:{name}", args=[event.slug, *args])


def page(response) -> str:
    return response.content.decode()


def audience(event, n):
    awards = []
    for i in range(n):
        award = services.award_create(
            event=event, created_by=event.roles.get(role=Role.ORGANISER).user, name_en=f"Vote {i}", kind="audience"
        )
        awards.append(services.vote_open(award=award, opened_by=event.roles.get(role=Role.ORGANISER).user))
    return awards


@pytest.mark.parametrize("n", [1, 3])
def test_manage_list_query_count(client, event, organiser, entries, django_assert_num_queries, n):
    audience(event, n)
    client.force_login(organiser)
    with django_assert_num_queries(6):
        response = client.get(url("manage", event))
    assert response.status_code == 200
    assert [award.name_en for award in response.context["awards"]] == [f"Vote {i}" for i in range(n)]
    assert page(response).count('/ranking/"') == n


def test_manage_is_for_this_events_organisers_only(client, event, organiser, entries):
    other = EventFactory(is_published=True)
    stranger = UserFactory()
    EventRoleFactory(event=other, user=stranger, role=Role.ORGANISER)
    viewer = UserFactory()
    EventRoleFactory(event=event, user=viewer, role=Role.AUDIENCE)
    (award,) = audience(event, 1)
    for user in (stranger, viewer):
        client.force_login(user)
        assert client.get(url("manage", event)).status_code == 403
        assert client.get(url("ranking", event, award.pk)).status_code == 403
        assert client.post(url("ranking", event, award.pk), {"winner": [entries[0].pk]}).status_code == 403
        assert client.get(url("votes", event, award.pk)).status_code == 403
    assert AwardWinner.objects.count() == 0


def test_award_of_another_event_is_not_found(client, event, organiser, entries):
    other = EventFactory(is_published=True)
    EventRoleFactory(event=other, user=organiser, role=Role.ORGANISER)
    (award,) = audience(event, 1)
    client.force_login(organiser)
    assert client.get(url("ranking", other, award.pk)).status_code == 404


def test_create_award_through_the_form(client, event, organiser, scored_round):
    client.force_login(organiser)
    innovation, team = criteria(scored_round, "Innovation", "Team")
    response = client.post(
        url("create", event),
        {
            "name_zh": "最佳海外团队",
            "name_en": "Best overseas team",
            "kind": "overseas",
            "eligible_statuses": ["finalist"],
            "criteria": [innovation.pk, team.pk],
            "winner_count": 2,
        },
    )
    assert response.status_code == 302
    award = Award.objects.get()
    assert (award.name_en, award.overseas_only, award.winner_count) == ("Best overseas team", True, 2)
    assert set(award.criteria.all()) == {innovation, team}


def test_form_shows_service_errors(client, event, organiser):
    client.force_login(organiser)
    with translation.override("en"):
        response = client.post(
            url("create", event),
            {"name_en": "Track", "kind": "track", "eligible_statuses": ["finalist"], "winner_count": 1},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert "A track prize needs a track." in page(response)
    assert Award.objects.count() == 0


def test_ranking_page_and_decide(client, event, organiser, scored_round, entries):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Innovation",
        kind="sponsor",
        sponsor="Bank",
        winner_count=2,
        criteria=criteria(scored_round, "Innovation"),
    )
    client.force_login(organiser)
    response = client.get(url("ranking", event, award.pk))
    assert response.status_code == 200
    titles = [line.entry.title_en for line in response.context["ranking"].lines]
    assert titles == ["Alpha", "Beta", "Gamma"]
    assert response.context["criteria_weights"][0][1] == 100.0
    # Chosen in any order, ranked in the ranking's order.
    response = client.post(url("ranking", event, award.pk), {"winner": [entries[1].pk, entries[0].pk]})
    assert response.status_code == 302
    assert list(award.winners.values_list("entry__title_en", "rank")) == [("Alpha", 1), ("Beta", 2)]
    response = client.post(url("ranking", event, award.pk), {"winner": [e.pk for e in entries[:3]]})
    assert response.status_code == 200
    assert response.context["error"] == "This award has 2 winner(s); you chose 3."


def test_public_vote_one_vote_per_account(client, event, organiser, audience_award, entries):
    voter = make_voter()
    client.force_login(voter)
    response = client.post(url("vote", event, audience_award.pk), {"entry": entries[0].pk}, follow=True)
    assert "Thank you: your vote is counted." in page(response)
    assert response.context["my_vote"].entry == entries[0]
    response = client.post(url("vote", event, audience_award.pk), {"entry": entries[1].pk}, follow=True)
    assert "You have already voted for this award; each account has one vote." in page(response)
    vote = AudienceVote.objects.get()
    assert (vote.entry, vote.ip_address) == (entries[0], "127.0.0.1")


def test_public_vote_refuses_unverified_and_lists_finalists(client, event, audience_award, entries):
    client.force_login(make_voter(verified=False))
    response = client.get(url("vote", event, audience_award.pk))
    assert [e.title_en for e in response.context["entries"]] == ["Alpha", "Beta", "Gamma"]
    response = client.post(url("vote", event, audience_award.pk), {"entry": entries[0].pk}, follow=True)
    assert "Confirm your e-mail address before voting." in page(response)
    assert AudienceVote.objects.count() == 0


def test_anonymous_voter_is_sent_to_sign_in(client, event, audience_award, entries):
    response = client.post(url("vote", event, audience_award.pk), {"entry": entries[0].pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert AudienceVote.objects.count() == 0


@pytest.mark.parametrize("n", [1, 3])
def test_vote_log_query_count_and_flags(
    client, settings, event, organiser, audience_award, entries, django_assert_num_queries, n
):
    settings.AWARDS_BURST_VOTES = 1  # every vote from a new account raises (or extends) a flag
    for _ in range(n):
        services.vote_cast(award=audience_award, entry_id=entries[0].pk, voter=make_voter(), ip_address="192.0.2.9")
    client.force_login(organiser)
    with django_assert_num_queries(11):
        response = client.get(url("votes", event, audience_award.pk))
    body = page(response)
    assert body.count("<code>192.0.2.9</code>") == n
    assert len(response.context["flags"]) == 1
    assert f"{n} accounts younger than 24 hours voted from 192.0.2.9 within 10 minutes." in body


def test_vote_open_and_close_from_the_log(client, event, organiser, audience_award):
    client.force_login(organiser)
    client.post(url("vote_state", event, audience_award.pk), {"action": "close"})
    audience_award.refresh_from_db()
    assert audience_award.vote_is_open is False
    client.post(url("vote_state", event, audience_award.pk), {"action": "open"})
    audience_award.refresh_from_db()
    assert audience_award.vote_is_open is True


@pytest.mark.parametrize("n", [1, 3])
def test_winners_page_query_count(client, event, organiser, entries, django_assert_num_queries, n):
    for award in audience(event, n):
        services.award_update(award=award, changed_by=organiser, is_published=True)
        services.award_decide(award=award, decided_by=organiser, entry_ids=[entries[0].pk])
    with django_assert_num_queries(3):
        response = client.get(url("winners", event))
    assert page(response).count("/certificates/") == n


def publish_winner(event, organiser, entries):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_zh="人气奖",
        name_en="People's choice",
        kind="audience",
        sponsor="海城银行",
    )
    (winner,) = services.award_decide(award=award, decided_by=organiser, entry_ids=[entries[0].pk])
    return award, winner


def test_certificate_is_bilingual_in_both_site_languages(client, event, organiser, entries):
    award, winner = publish_winner(event, organiser, entries)
    services.award_update(award=award, changed_by=organiser, is_published=True)
    entry = entries[0]
    for language in ("zh-hans", "en"):
        response = client.get(url("certificate", event, award.pk, winner.pk), HTTP_ACCEPT_LANGUAGE=language)
        body = page(response)
        assert response.status_code == 200
        assert response.context["LANGUAGE_CODE"] == language
        for text in (
            "人气奖",
            "People&#x27;s choice",
            entry.title_zh,
            entry.title_en,
            "Certificate of award",
            "Sponsored by 海城银行",
            winner.certificate_number,
            "@media print",
        ):
            assert text in body


def test_unpublished_certificate_is_for_organisers_only(client, event, organiser, entries):
    award, winner = publish_winner(event, organiser, entries)
    assert client.get(url("certificate", event, award.pk, winner.pk)).status_code == 404
    client.force_login(organiser)
    assert client.get(url("certificate", event, award.pk, winner.pk)).status_code == 200


def test_event_page_links_awards(client, event, organiser, audience_award):
    body = page(client.get(event.get_absolute_url()))
    assert url("vote", event, audience_award.pk) in body
    assert url("manage", event) not in body
    client.force_login(organiser)
    assert url("manage", event) in page(client.get(event.get_absolute_url()))


def test_edit_page_shows_the_award_and_saves_changes(client, event, organiser, scored_round):
    innovation, market = criteria(scored_round, "Innovation", "Market")
    award = services.award_create(
        event=event, created_by=organiser, name_en="Innovation", kind="sponsor", sponsor="Bank", criteria=[innovation]
    )
    client.force_login(organiser)
    response = client.get(url("edit", event, award.pk))
    assert response.status_code == 200
    assert response.context["form"].initial["criteria"] == [innovation.pk]
    assert f'value="{innovation.pk}"' in page(response)
    response = client.post(
        url("edit", event, award.pk),
        {
            "name_en": "Innovation and market",
            "kind": "sponsor",
            "sponsor": "Bank",
            "eligible_statuses": ["finalist"],
            "criteria": [innovation.pk, market.pk],
            "winner_count": 1,
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert (award.name_en, award.is_published) == ("Innovation and market", True)
    assert set(award.criteria.all()) == {innovation, market}
