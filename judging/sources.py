"""What judging reads from the apps above it. They fill this registry in their ``AppConfig.ready``.

judging sits below awards, livestream and experts in the chain of apps and never imports them;
it declares here what it needs, and each of them registers what it provides:

- evidence sources for a round's standing (``judging.services.round_standing``): the audience vote
  (awards: ``register_audience_votes``) and what the audience did during the pitches (livestream:
  ``register_live_signals``), weighed in when the organiser gives them a weight;
- the fields of expertise of judges (experts: ``register_expert_fields``), which assignment prefers
  among equally loaded judges.

Asking for a source nobody registered raises ``ImproperlyConfigured`` naming the app that provides it.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from events.models import Event


class PitchEvidence(Protocol):
    """What the audience did during an entry's pitches, as the live signals of a round count it."""

    peak_viewers: int
    question_votes: int
    interest_clicks: int

    @property
    def reaction_total(self) -> int: ...


@dataclass(frozen=True)
class AudienceVotes:
    """The audience vote, kept by the awards app. The round names the award (``Round.audience_award``)."""

    # The audience-vote awards of an event (by its id), e.g. to choose the round's award from.
    awards_of_event: Callable[[int], QuerySet]
    # Whether an award is an audience vote (read from the instance, no query).
    is_audience_vote: Callable[[Model], bool]
    # Votes per entry id in an audience-vote award.
    vote_counts: Callable[[Model], dict[int, int]]


@dataclass(frozen=True)
class LiveSignals:
    """The live signals of the roadshow rooms, kept by the livestream app."""

    # ``(event=, entry_ids=)`` → ``{entry_id: evidence}`` for the entries that pitched in the event's rooms.
    of_entries: Callable[..., Mapping[int, PitchEvidence]]


ExpertFields = Callable[[Iterable[int]], dict[int, set[str]]]

_registry: dict[str, Any] = {}
_PROVIDERS = {"audience_votes": "awards", "live_signals": "livestream", "expert_fields": "experts"}


def _get(kind: str) -> Any:
    try:
        return _registry[kind]
    except KeyError:
        raise ImproperlyConfigured(
            f"No {kind.replace('_', ' ')} are registered with judging: the {_PROVIDERS[kind]} app registers "
            "them in its AppConfig.ready()."
        ) from None


def register_audience_votes(source: AudienceVotes) -> None:
    _registry["audience_votes"] = source


def register_live_signals(source: LiveSignals) -> None:
    _registry["live_signals"] = source


def register_expert_fields(source: ExpertFields) -> None:
    _registry["expert_fields"] = source


def audience_votes() -> AudienceVotes:
    return _get("audience_votes")


def pitch_evidence(*, event: Event, entry_ids: Iterable[int]) -> Mapping[int, PitchEvidence]:
    """``{entry_id: evidence}`` for the entries among ``entry_ids`` that pitched in a room of ``event``."""
    return _get("live_signals").of_entries(event=event, entry_ids=entry_ids)


def expert_fields(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """The fields of expertise of each active expert among ``user_ids``."""
    return _get("expert_fields")(user_ids)
