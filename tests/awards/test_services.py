import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from awards import services
from awards.models import AudienceVote, Award, AwardWinner, VoteFlag
from events.models import Role
from judging import services as judging_services
from registration.models import Status
from tests.factories import EventFactory, EventRoleFactory, UserFactory

from .conftest import criteria, make_voter

pytestmark = pytest.mark.django_db


def titles(ranking):
    return [(line.rank, line.entry.title_en) for line in ranking.lines]


# --- Configuration and permissions ---------------------------------------------------------------


def test_create_judged_award_keeps_round_and_criteria(event, organiser, scored_round):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Innovation prize",
        kind=Award.Kind.SPONSOR,
        sponsor="Haicheng Bank",
        criteria=criteria(scored_round, "Innovation"),
    )
    assert award.round == scored_round
    assert [c.name_en for c in award.criteria.all()] == ["Innovation"]
    assert award.eligible_statuses == [Status.FINALIST]


def test_overseas_award_is_always_overseas_only(event, organiser, scored_round):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Best overseas team",
        kind=Award.Kind.OVERSEAS,
        overseas_only=False,
        criteria=criteria(scored_round, "Innovation", "Market", "Team"),
    )
    assert award.overseas_only is True


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name_en": "", "kind": "audience"}, "name_zh", "Give the award a name in Chinese, English or both."),
        ({"name_en": "X", "kind": "track"}, "track", "A track prize needs a track."),
        ({"name_en": "X", "kind": "sponsor"}, "sponsor", "A sponsor prize needs the sponsor's name."),
        ({"name_en": "X", "kind": "overseas"}, "criteria", "Choose the judging criteria this award is ranked by."),
        (
            {"name_en": "X", "kind": "audience", "eligible_statuses": []},
            "eligible_statuses",
            "Choose at least one entry status that may win.",
        ),
        (
            {"name_en": "X", "kind": "audience", "winner_count": 0},
            "winner_count",
            "The number of winners must be between 1 and 100.",
        ),
    ],
)
def test_create_refuses_bad_input(event, organiser, fields, field, message):
    with pytest.raises(ValidationError) as exc:
        services.award_create(event=event, created_by=organiser, **fields)
    assert exc.value.message_dict[field] == [message]
    assert Award.objects.count() == 0


def test_criteria_of_another_event_are_refused(event, organiser, scored_round):
    other = EventFactory(is_published=True)
    EventRoleFactory(event=other, user=organiser, role=Role.ORGANISER)
    with pytest.raises(ValidationError) as exc:
        services.award_create(
            event=other, created_by=organiser, name_en="X", kind="overseas", criteria=criteria(scored_round, "Team")
        )
    assert exc.value.message_dict["criteria"] == ["Choose criteria of this event's rounds."]


def test_audience_award_has_no_criteria(event, organiser, scored_round):
    with pytest.raises(ValidationError) as exc:
        services.award_create(
            event=event, created_by=organiser, name_en="X", kind="audience", criteria=criteria(scored_round, "Team")
        )
    assert exc.value.message_dict["criteria"] == ["An audience award is decided by votes; it has no judging criteria."]


def test_organiser_of_another_event_cannot_manage(event, audience_award, entries):
    other = EventFactory(is_published=True)
    stranger = UserFactory()
    EventRoleFactory(event=other, user=stranger, role=Role.ORGANISER)
    with pytest.raises(PermissionDenied):
        services.award_create(event=event, created_by=stranger, name_en="X", kind="audience")
    with pytest.raises(PermissionDenied):
        services.award_update(award=audience_award, changed_by=stranger, name_en="Mine")
    with pytest.raises(PermissionDenied):
        services.award_ranking(award=audience_award, viewer=stranger)
    with pytest.raises(PermissionDenied):
        services.award_decide(award=audience_award, decided_by=stranger, entry_ids=[entries[0].pk])
    with pytest.raises(PermissionDenied):
        services.vote_close(award=audience_award, closed_by=stranger)


def test_audience_and_judges_cannot_decide(event, audience_award, entries, judges):
    audience = UserFactory()
    EventRoleFactory(event=event, user=audience, role=Role.AUDIENCE)
    for user in (audience, judges[0], entries[0].owner):
        with pytest.raises(PermissionDenied):
            services.award_decide(award=audience_award, decided_by=user, entry_ids=[entries[0].pk])
    assert AwardWinner.objects.count() == 0


# --- Eligibility and ranking ---------------------------------------------------------------------


def test_ranking_by_all_criteria(event, organiser, scored_round):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Overall",
        kind="sponsor",
        sponsor="Bank",
        criteria=criteria(scored_round, "Innovation", "Market", "Team"),
    )
    ranking = services.award_ranking(award=award, viewer=organiser)
    # Alpha 0.4·9+0.3·3+0.3·3 = 5.4; Beta 2.8+2.7+2.7 = 8.2; Gamma 5.0. Delta is not a finalist.
    assert titles(ranking) == [(1, "Beta"), (2, "Alpha"), (3, "Gamma")]
    assert [round(line.value, 2) for line in ranking.lines] == [8.2, 5.4, 5.0]
    assert [line.card_count for line in ranking.lines] == [3, 3, 3]


def test_ranking_by_criteria_subset(event, organiser, scored_round):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Innovation",
        kind="sponsor",
        sponsor="Bank",
        criteria=criteria(scored_round, "Innovation"),
    )
    ranking = services.award_ranking(award=award, viewer=organiser)
    assert titles(ranking) == [(1, "Alpha"), (2, "Beta"), (3, "Gamma")]
    assert [line.value for line in ranking.lines] == [9.0, 7.0, 5.0]
    assert {c.name_en: float(w) for c, w in zip(award.criteria.all(), ranking.weights.values(), strict=True)} == {
        "Innovation": 100.0
    }


def test_subset_weights_are_scaled_to_100(scored_round):
    market, team = criteria(scored_round, "Market", "Team")
    assert services.subset_weights([market, team]) == {market.pk: 50, team.pk: 50}
    innovation, market = criteria(scored_round, "Innovation", "Market")
    weights = services.subset_weights([innovation, market])
    assert [float(w) for w in weights.values()] == [pytest.approx(400 / 7), pytest.approx(300 / 7)]


def test_overseas_only_excludes_chinese_leads(event, organiser, scored_round):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Best overseas team",
        kind="overseas",
        criteria=criteria(scored_round, "Innovation", "Market", "Team"),
    )
    assert titles(services.award_ranking(award=award, viewer=organiser)) == [(1, "Alpha"), (2, "Gamma")]


def test_statuses_and_track_decide_eligibility(event, organiser, scored_round, tracks):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Biomedicine prize",
        kind="track",
        track=tracks[1],
        eligible_statuses=[Status.FINALIST, Status.SCREENED_IN],
        criteria=criteria(scored_round, "Innovation", "Market", "Team"),
    )
    assert titles(services.award_ranking(award=award, viewer=organiser)) == [(1, "Beta"), (2, "Delta")]  # 8.2 and 8.0


def test_entries_without_cards_are_listed_unranked(event, organiser, scored_round, tracks):
    from .conftest import make_entry

    make_entry(event, tracks[0], title_en="Epsilon")
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Innovation",
        kind="sponsor",
        sponsor="Bank",
        criteria=criteria(scored_round, "Innovation"),
    )
    assert titles(services.award_ranking(award=award, viewer=organiser))[-1] == (None, "Epsilon")


def test_decide_records_winners_in_order_and_replaces(event, organiser, scored_round, entries):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Overall",
        kind="sponsor",
        sponsor="Bank",
        winner_count=2,
        criteria=criteria(scored_round, "Innovation"),
    )
    services.award_decide(award=award, decided_by=organiser, entry_ids=[entries[0].pk, entries[2].pk])
    services.award_decide(award=award, decided_by=organiser, entry_ids=[entries[1].pk, entries[0].pk])
    assert list(award.winners.values_list("entry__title_en", "rank", "decided_by")) == [
        ("Beta", 1, organiser.pk),
        ("Alpha", 2, organiser.pk),
    ]


def test_decide_refuses_too_many_and_ineligible(event, organiser, scored_round, entries):
    award = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Overall",
        kind="sponsor",
        sponsor="Bank",
        criteria=criteria(scored_round, "Innovation"),
    )
    with pytest.raises(ValidationError) as exc:
        services.award_decide(award=award, decided_by=organiser, entry_ids=[entries[0].pk, entries[1].pk])
    assert exc.value.messages == ["This award has 1 winner(s); you chose 2."]
    with pytest.raises(ValidationError) as exc:
        services.award_decide(award=award, decided_by=organiser, entry_ids=[entries[3].pk])
    assert exc.value.messages == ["Only eligible entries of this award can win it."]
    with pytest.raises(ValidationError) as exc:
        services.award_decide(award=award, decided_by=organiser, entry_ids=[])
    assert exc.value.messages == ["Choose at least one winner."]
    assert AwardWinner.objects.count() == 0


# --- Audience vote -------------------------------------------------------------------------------


def vote(award, entry, voter, ip="203.0.113.7", agent="Mozilla/5.0"):
    return services.vote_cast(award=award, entry_id=entry.pk, voter=voter, ip_address=ip, user_agent=agent)


def test_vote_is_logged_with_address_and_agent_hash(audience_award, entries):
    voter = make_voter()
    cast = vote(audience_award, entries[0], voter)
    assert (cast.entry, cast.voter, cast.ip_address) == (entries[0], voter, "203.0.113.7")
    assert cast.user_agent_hash == services.user_agent_hash("Mozilla/5.0")
    assert len(cast.user_agent_hash) == 64


def test_one_vote_per_account_per_award(event, organiser, audience_award, entries):
    voter = make_voter()
    vote(audience_award, entries[0], voter)
    with pytest.raises(ValidationError) as exc:
        vote(audience_award, entries[1], voter)
    assert exc.value.messages == ["You have already voted for this award; each account has one vote."]
    assert list(AudienceVote.objects.values_list("entry__title_en", flat=True)) == ["Alpha"]
    second = services.award_create(event=event, created_by=organiser, name_en="Second", kind="audience")
    services.vote_open(award=second, opened_by=organiser)
    assert vote(second, entries[1], voter).award == second


def test_unverified_account_is_refused(audience_award, entries):
    voter = make_voter(verified=False)
    with pytest.raises(ValidationError) as exc:
        vote(audience_award, entries[0], voter)
    assert exc.value.messages == ["Confirm your e-mail address before voting."]
    assert AudienceVote.objects.count() == 0


def test_anonymous_and_unpublished_refused(audience_award, entries):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        vote(audience_award, entries[0], AnonymousUser())
    audience_award.event.is_published = False
    audience_award.event.save()
    with pytest.raises(PermissionDenied):
        vote(audience_award, entries[0], make_voter())


def test_vote_only_while_open_and_for_eligible_entries(organiser, audience_award, entries):
    with pytest.raises(ValidationError) as exc:
        vote(audience_award, entries[3], make_voter())  # screened in, not a finalist
    assert exc.value.messages == ["This project cannot receive votes in this award."]
    services.vote_close(award=audience_award, closed_by=organiser)
    with pytest.raises(ValidationError) as exc:
        vote(audience_award, entries[0], make_voter())
    assert exc.value.messages == ["This vote is not open."]
    services.vote_open(award=audience_award, opened_by=organiser)
    assert vote(audience_award, entries[0], make_voter()).entry == entries[0]


def test_rate_limit_per_user(settings, audience_award, entries, clock):
    settings.AWARDS_VOTE_RATE_LIMITS = {"user": (2, 60), "ip": (100, 60)}
    voter = make_voter()
    clock.freeze(timezone.now().replace(second=5))  # one fixed window
    vote(audience_award, entries[0], voter)
    with pytest.raises(ValidationError) as exc:
        vote(audience_award, entries[0], voter)
    assert exc.value.messages == ["You have already voted for this award; each account has one vote."]
    with pytest.raises(ValidationError) as exc:
        vote(audience_award, entries[0], voter)
    assert exc.value.messages == ["Too many votes from you or your network. Wait a minute and try again."]


def test_rate_limit_per_ip(settings, audience_award, entries, clock):
    settings.AWARDS_VOTE_RATE_LIMITS = {"user": (5, 60), "ip": (3, 60)}
    old = timezone.now() - dt.timedelta(days=30)
    # One fixed window: a slow machine must not carry the votes across a minute boundary.
    clock.freeze(timezone.now().replace(second=5))
    for _ in range(3):
        vote(audience_award, entries[0], make_voter(date_joined=old), ip="198.51.100.1")
    with pytest.raises(ValidationError) as exc:
        vote(audience_award, entries[0], make_voter(date_joined=old), ip="198.51.100.1")
    assert exc.value.messages == ["Too many votes from you or your network. Wait a minute and try again."]
    voted = vote(audience_award, entries[0], make_voter(date_joined=old), ip="198.51.100.2")
    assert voted.ip_address == "198.51.100.2"
    assert AudienceVote.objects.count() == 4


START = dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.UTC)


def test_burst_of_new_accounts_from_one_address_is_flagged_and_kept(settings, audience_award, entries, clock):
    settings.AWARDS_BURST_VOTES = 5
    settings.AWARDS_BURST_MINUTES = 10
    clock.freeze(START)
    new_voters = [make_voter(date_joined=START - dt.timedelta(hours=2)) for _ in range(6)]
    for voter in new_voters[:4]:
        vote(audience_award, entries[0], voter, ip="192.0.2.9")
        clock.shift(dt.timedelta(minutes=1))
    assert VoteFlag.objects.count() == 0
    vote(audience_award, entries[0], new_voters[4], ip="192.0.2.9")
    vote(audience_award, entries[0], new_voters[5], ip="192.0.2.9")
    flag = VoteFlag.objects.get()
    assert flag.kind == VoteFlag.Kind.BURST
    assert flag.details["ip_address"] == "192.0.2.9"
    assert flag.details["votes"] == 6
    assert flag.details["voter_ids"] == sorted(v.pk for v in new_voters)
    assert flag.reviewed is False
    assert AudienceVote.objects.count() == 6  # nothing silently dropped


def test_no_flag_for_old_accounts_other_addresses_or_a_slow_trickle(settings, audience_award, entries, clock):
    settings.AWARDS_BURST_VOTES = 3
    settings.AWARDS_BURST_MINUTES = 10
    clock.freeze(START)
    for _ in range(3):
        vote(audience_award, entries[0], make_voter(date_joined=START - dt.timedelta(days=3)), ip="192.0.2.1")
    for i in range(3):
        vote(audience_award, entries[0], make_voter(date_joined=START), ip=f"192.0.2.{10 + i}")
    for _ in range(3):
        vote(audience_award, entries[0], make_voter(date_joined=START), ip="192.0.2.50")
        clock.shift(dt.timedelta(minutes=11))
    assert VoteFlag.objects.count() == 0
    assert AudienceVote.objects.count() == 9


def test_flag_review_keeps_votes(settings, organiser, audience_award, entries, clock):
    settings.AWARDS_BURST_VOTES = 2
    clock.freeze(START)
    for _ in range(2):
        vote(audience_award, entries[0], make_voter(date_joined=START), ip="192.0.2.9")
    flag = services.flag_review(flag=VoteFlag.objects.get(), reviewed_by=organiser)
    assert (flag.reviewed, flag.reviewed_by) == (True, organiser)
    assert AudienceVote.objects.count() == 2


def test_audience_ranking_by_votes(organiser, audience_award, entries):
    for entry in (entries[1], entries[1], entries[0]):
        vote(audience_award, entry, make_voter(), ip=None)
    ranking = services.award_ranking(award=audience_award, viewer=organiser)
    assert [(line.rank, line.entry.title_en, line.votes) for line in ranking.lines] == [
        (1, "Beta", 2),
        (2, "Alpha", 1),
        (3, "Gamma", 0),
    ]


def test_voting_never_changes_judging_totals(event, organiser, scored_round, audience_award, entries):
    judging_services.results_cache_clear()
    before = judging_services.results_compute(scored_round).of(scored_round.method)
    for entry in (entries[2], entries[2], entries[2], entries[0]):
        vote(audience_award, entry, make_voter(), ip=None)
    judging_services.results_cache_clear()
    after = judging_services.results_compute(scored_round).of(scored_round.method)
    assert [(r.rank, r.entry.entry_id, r.entry.value) for r in after.overall] == [
        (r.rank, r.entry.entry_id, r.entry.value) for r in before.overall
    ]
    assert {e: r.value for e, r in after.entries.items()} == {e: r.value for e, r in before.entries.items()}


def test_award_tells_what_it_lost_when_track_or_criteria_are_removed(event, organiser, scored_round, tracks):
    from registration.models import Track

    spare = Track.objects.create(event=event, name_en="Spare", position=9)
    track_prize = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Spare prize",
        kind="track",
        track=spare,
        criteria=criteria(scored_round, "Innovation"),
    )
    spare.delete()
    track_prize.refresh_from_db()
    assert services.award_ranking(award=track_prize, viewer=organiser).error == "A track prize needs a track."
    with pytest.raises(ValidationError) as exc:
        services.award_decide(award=track_prize, decided_by=organiser, entry_ids=[1])
    assert exc.value.messages == ["A track prize needs a track."]

    judged = services.award_create(
        event=event,
        created_by=organiser,
        name_en="Team prize",
        kind="sponsor",
        sponsor="Bank",
        criteria=criteria(scored_round, "Team"),
    )
    criteria(scored_round, "Team")[0].delete()
    ranking = services.award_ranking(award=judged, viewer=organiser)
    assert (ranking.lines, ranking.error) == ([], "Choose the judging criteria this award is ranked by.")
