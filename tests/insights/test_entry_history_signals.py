"""The entry's history shows each pitch's live signals, labelled as evidence outside the scores."""

import pytest

from livestream.models import AgendaSlot, PitchSignals

from .test_entry_history import _url, build_history

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_history_shows_each_pitchs_live_signals_as_evidence(client):
    made = build_history()
    slot = AgendaSlot.objects.get(entry=made.entry)
    PitchSignals.objects.create(
        slot=slot, peak_viewers=120, viewer_samples=4, viewers_sampled=300, reactions={"applause": 9, "heart": 3}
    )
    for user in (made.organiser, made.owner):
        client.force_login(user)
        response = client.get(_url(made.entry))
        signals = response.context["history"].pitches[0].signals
        assert (signals.peak_viewers, signals.average_viewers, signals.reaction_total, signals.interest_clicks) == (
            120,
            75,
            12,
            2,
        )
        html = response.content.decode()
        assert "peak 120 viewers · 12 reactions · 0 question votes · 75.0 viewers on average" in html
        assert "evidence, not counted in the total" in html
