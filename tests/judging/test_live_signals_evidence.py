"""Live signals from the roadshow rooms beside the judges' scores: shown, never counted."""

import pytest
from django.urls import reverse

from judging import services
from judging.aggregation import Method
from livestream import services as live_services
from livestream.models import PitchSignals
from tests.factories import AgendaSlotFactory, RoadshowRoomFactory, RoomInterestFactory

from .conftest import assign, open_round, scores_for

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _standings(round_) -> dict:
    """Every method's ranking: (rank, entry id, value, card count) in order, computed afresh."""
    services.results_cache_clear()
    computed = services.results_compute(round_)
    return {
        method: [
            (ranked.rank, ranked.entry.entry_id, ranked.entry.value, ranked.entry.card_count)
            for ranked in computed.of(method).overall
        ]
        for method in Method
    }


@pytest.fixture
def scored(event, organiser, judges, entries):
    round_ = open_round(event, organiser, k=2)
    for entry, value in zip(entries[:3], (9, 7, 5), strict=True):
        for judge in judges[:2]:
            assign(round_, entry, judge)
            services.scorecard_submit(round=round_, entry=entry, judge=judge, scores=scores_for(round_, *[value] * 3))
    return round_


def _pitch(room, organiser, entry, *, viewers, reactions, interested):
    slot = AgendaSlotFactory(room=room, entry=entry)
    live_services.pitch_start(room=room, user=organiser, slot_id=slot.pk)
    for count in viewers:
        live_services.pitch_signals_record(room_id=room.pk, viewers=count, reactions=reactions)
    RoomInterestFactory.create_batch(interested, slot=slot)
    return slot


def test_signals_never_change_totals_or_ranks(client, scored, event, organiser, entries):
    before = _standings(scored)
    room = RoadshowRoomFactory(event=event)
    # The weakest entry draws by far the biggest audience: the ranking must not move.
    _pitch(room, organiser, entries[2], viewers=[900, 1200], reactions={"applause": 400}, interested=5)
    _pitch(room, organiser, entries[0], viewers=[10], reactions={"heart": 1}, interested=0)
    assert PitchSignals.objects.count() == 2
    assert _standings(scored) == before

    client.force_login(organiser)
    url = reverse("judging:results", kwargs={"slug": event.slug, "number": scored.number})
    response = client.get(url, **EN)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["rank"], row["entry"].pk) for row in rows] == [
        (1, entries[0].pk),
        (2, entries[1].pk),
        (3, entries[2].pk),
    ]
    assert [row["methods"] for row in rows] == [
        [(value, rank) for rank, _entry, value, _cards in (before[m][i] for m in Method)] for i in range(3)
    ]
    evidence = [
        (s.peak_viewers, s.average_viewers, s.reaction_total, s.interest_clicks) if s else None
        for s in (row["signals"] for row in rows)
    ]
    assert evidence == [(10, 10, 1, 0), None, (1200, 1050, 800, 5)]
    html = response.content.decode()
    assert "are evidence, not counted in the total or the rank" in html
    assert '<td class="text-end small text-muted" data-signal="peak">1200</td>' in html
    assert '<td class="text-end small text-muted" data-signal="average">1050.0</td>' in html
    assert "did not pitch live" in html


def test_results_page_without_pitches_has_no_signal_columns(client, scored, event, organiser):
    client.force_login(organiser)
    response = client.get(reverse("judging:results", kwargs={"slug": event.slug, "number": scored.number}), **EN)
    assert response.context["has_signals"] is False
    assert "Peak viewers" not in response.content.decode()


def test_signals_of_another_events_room_are_not_shown(client, scored, event, organiser, entries):
    elsewhere = RoadshowRoomFactory()
    slot = AgendaSlotFactory(room=elsewhere, entry=entries[0], state="done", started_at=elsewhere.created_at)
    PitchSignals.objects.create(slot=slot, peak_viewers=50, viewer_samples=1, viewers_sampled=50)
    client.force_login(organiser)
    response = client.get(reverse("judging:results", kwargs={"slug": event.slug, "number": scored.number}), **EN)
    assert [row["signals"] for row in response.context["rows"]] == [None, None, None]
