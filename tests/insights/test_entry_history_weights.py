"""The entry's history shows each round's total as the round counts it: the judges' value alone, or
with the audience vote and a live signal weighed in when the organiser gave them a weight.

``build_history``: the entry has judges' value 7 (cards 8 and 6) in both rounds, its rival 9; the
first round ("Online review") is released, the second ("Final round") is not; the entry pitched
once, with 2 people interested, the rival never.

Audience vote at 30 % in round 1, 10 votes for the entry and none for the rival:
    entry = 0.7 × 7 + 0.3 × 10 = 7.9 (rank 1);  rival = 0.7 × 9 = 6.3.
People interested at 20 % in round 2 (the entry has the most: 10 on the scale):
    entry = 0.8 × 7 + 0.2 × 10 = 7.6 (rank 1);  rival = 0.8 × 9 = 7.2.
"""

import html as html_module
import re
from decimal import Decimal

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from awards.models import AudienceVote, Award
from judging import services as judging_services
from judging.models import Criterion, Round, Scorecard
from tests.factories import EntryFactory, UserFactory

from .test_entry_history import _card, _url, build_history

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _award(event) -> Award:
    return Award.objects.create(
        event=event, name_en="Audience favourite", kind=Award.Kind.AUDIENCE, eligible_statuses=[]
    )


def _votes(award, entry, count):
    for _ in range(count):
        AudienceVote.objects.create(award=award, entry=entry, voter=UserFactory(), created_at=timezone.now())


def _round(made, number) -> Round:
    return Round.objects.get(event=made.event, number=number)


def _weigh(made, number, **fields) -> Round:
    return judging_services.round_update(round=_round(made, number), changed_by=made.organiser, **fields)


def _weighted(made) -> Award:
    award = _award(made.event)
    _votes(award, made.entry, 10)
    _weigh(made, 1, audience_weight=Decimal(30), audience_award=award)
    _weigh(made, 2, signals_weight=Decimal(20), signals_measure=Round.SignalsMeasure.INTERESTED)
    return award


def _lines(response) -> list[tuple]:
    return [
        (
            line.round.number,
            line.value,
            line.rank,
            line.ranked_of,
            line.weighted,
            line.judges_value,
            line.audience and (line.audience.count, line.audience.value),
            line.signal and (line.signal.count, line.signal.value),
        )
        for line in response.context["history"].rounds
    ]


def test_unweighted_rounds_and_zero_weights_show_the_judges_total_as_before(client):
    made = build_history()
    award = _award(made.event)
    _votes(award, made.entry, 10)
    _weigh(made, 1, audience_award=award)  # chosen, but weight 0: nothing counts but the judges
    client.force_login(made.organiser)
    response = client.get(_url(made.entry))
    assert _lines(response) == [
        (1, 7.0, 2, 2, False, None, None, None),
        (2, 7.0, 2, 2, False, None, None, None),
    ]
    html = html_module.unescape(response.content.decode())
    assert "weights-row" not in html and "This round's total includes" not in html
    assert "evidence, not counted in the total" in html


def test_organiser_sees_weighted_totals_ranks_and_parts_with_the_banner_wording(client):
    made = build_history()
    _weighted(made)
    client.force_login(made.organiser)
    response = client.get(_url(made.entry))
    assert _lines(response) == [
        (1, 7.9, 1, 2, True, 7.0, (10, 10.0), None),
        (2, 7.6, 1, 2, True, 7.0, None, (2, 10.0)),
    ]
    html = html_module.unescape(response.content.decode())
    assert "This round's total includes the audience vote at 30 %; judges' scores count 70 %." in html
    assert "This round's total includes the live signal “People interested” at 20 %; judges' scores count 80 %." in html
    assert "Judges' scores: 7.00 (70 %)" in html
    assert "Audience votes: 10, 10.00 on the scale (30 %)" in html
    assert "Judges' scores: 7.00 (80 %)" in html
    assert "People interested: 2, 10.00 on the scale (20 %)" in html
    assert '<td class="text-end">7.90</td>' in html
    assert "1 of 2" in html
    # The pitch's signals: evidence, except the one the final round counts.
    assert "(evidence; “People interested” counts in the total of Final round at 20 %)" in html
    assert "evidence, not counted in the total" not in html


def test_owner_sees_the_released_weighted_round_only(client):
    made = build_history()
    _weighted(made)
    client.force_login(made.owner)
    response = client.get(_url(made.entry))
    assert _lines(response) == [(1, 7.9, 1, 2, True, 7.0, (10, 10.0), None)]
    html = html_module.unescape(response.content.decode())
    assert "This round's total includes the audience vote at 30 %; judges' scores count 70 %." in html
    assert "Audience votes: 10, 10.00 on the scale (30 %)" in html
    assert "Final round" not in html
    # The unreleased round that counts the signal is not shown, so the signals are evidence here.
    assert "evidence, not counted in the total" in html


def test_after_advancement_the_history_shows_what_it_was_decided_on(client):
    made = build_history()
    award = _weighted(made)
    Round.objects.filter(pk=_round(made, 1).pk).update(advance_to=Round.AdvanceTo.FINALIST)  # both are finalists
    judging_services.advancement_confirm(round=_round(made, 1), confirmed_by=made.organiser)
    rival = Scorecard.objects.filter(round=_round(made, 1)).exclude(entry=made.entry).get().entry
    _votes(award, rival, 40)  # after the decision: the live standing moves, the decision does not
    live = judging_services.round_standing(_round(made, 1))
    assert live.overall[0].entry.entry_id == rival.pk
    client.force_login(made.organiser)
    response = client.get(_url(made.entry))
    assert _lines(response)[0] == (1, 7.9, 1, 2, True, 7.0, (10, 10.0), None)
    assert response.context["history"].rounds[0].frozen
    assert "As they stood when advancement was confirmed" in html_module.unescape(response.content.decode())


def test_a_weighted_award_that_is_gone_is_explained_to_organisers_not_to_the_owner(client):
    made = build_history()
    award = _weighted(made)
    Award.objects.filter(pk=award.pk).update(kind=Award.Kind.SPONSOR)
    client.force_login(made.organiser)
    response = client.get(_url(made.entry))
    line = response.context["history"].rounds[0]
    assert (line.value, line.rank) == (None, None)
    assert "its audience award is gone or is no longer an audience vote" in line.error
    assert "its audience award is gone" in html_module.unescape(response.content.decode())
    client.force_login(made.owner)
    html = html_module.unescape(client.get(_url(made.entry)).content.decode())
    assert "its audience award is gone" not in html
    # No judges-only total passed off as the round's (as a number of its own, not inside a timestamp).
    assert not re.search(r"(?<![\d.])7\.(90|00)(?!\d)", html)


def test_weighted_history_queries_do_not_grow_with_the_rounds_entries(client):
    made = build_history()
    award = _weighted(made)
    client.force_login(made.organiser)

    def measure() -> int:
        judging_services.results_cache_clear()
        client.get(_url(made.entry))  # judging results are cached per process after the first read
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(made.entry)).status_code == 200
        return len(queries.captured_queries)

    small = measure()
    for number in (1, 2):
        criterion = Criterion.objects.get(round=_round(made, number))
        for value in (5, 6, 4):
            rival = EntryFactory(event=made.event, status="finalist", submitted_at=timezone.now())
            _card(_round(made, number), rival, criterion, value)
            _votes(award, rival, value)
    assert measure() == small
