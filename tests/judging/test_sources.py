"""judging's registry of what the apps above it provide: filled by them once Django is set up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from awards import selectors as award_selectors
from experts import selectors as expert_selectors
from judging import sources
from livestream import selectors as livestream_selectors

pytestmark = pytest.mark.unit


def test_awards_livestream_and_experts_register_what_judging_reads():
    audience_votes = sources.audience_votes()
    assert audience_votes.awards_of_event == award_selectors.audience_awards
    assert audience_votes.vote_counts == award_selectors.vote_counts
    assert sources._registry["live_signals"].of_entries == livestream_selectors.pitch_signals_of_entries
    assert sources._registry["expert_fields"] == expert_selectors.expert_fields


@pytest.mark.parametrize(
    ("ask", "provider"),
    [
        (sources.audience_votes, "awards"),
        (lambda: sources.pitch_evidence(event=None, entry_ids=[]), "livestream"),
        (lambda: sources.expert_fields([]), "experts"),
    ],
)
def test_a_source_nobody_registered_names_the_app_that_provides_it(monkeypatch, ask, provider):
    monkeypatch.setattr(sources, "_registry", {})
    with pytest.raises(ImproperlyConfigured, match=f"the {provider} app registers"):
        ask()
