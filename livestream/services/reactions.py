"""Reactions, added up by the room hubs, and the live signals of the pitch on stage."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..models import AgendaSlot, PitchSignals, RoadshowRoom
from .common import LiveError, _require_post, _require_rate


def reaction_totals(room_id: int) -> dict[str, int]:
    keys = {kind: f"livestream:reactions:{room_id}:{kind}" for kind in settings.LIVESTREAM_REACTIONS}
    stored = cache.get_many(list(keys.values()))
    return {kind: int(stored.get(key, 0)) for kind, key in keys.items()}


def reaction_totals_add(room_id: int, counts: dict[str, int]) -> None:
    """Add a batch of reactions to the room's running totals (one cache write per kind per batch)."""
    for kind, count in counts.items():
        key = f"livestream:reactions:{room_id}:{kind}"
        cache.add(key, 0, timeout=None)
        try:
            cache.incr(key, count)
        except ValueError:
            cache.set(key, count, timeout=None)


def pitch_signals_record(*, room_id: int, viewers: int, reactions: dict[str, int]) -> bool:
    """A room hub's tick adds one sample to the signals of the pitch on stage: the room's viewer
    count now (for the peak and the mean) and the reactions this process received since its last
    tick. One locked read and at most one write; nothing when no pitch is on stage. True if recorded.
    """
    with transaction.atomic():
        signals = (
            PitchSignals.objects.select_for_update(of=("self",))
            .filter(slot__room_id=room_id, slot__state=AgendaSlot.State.PRESENTING)
            .first()
        )
        if signals is None:
            return False
        signals.peak_viewers = max(signals.peak_viewers, viewers)
        signals.viewer_samples += 1
        signals.viewers_sampled += viewers
        for kind, count in reactions.items():
            signals.reactions[kind] = signals.reactions.get(kind, 0) + count
        signals.save()
    return True


def reaction_check(*, room: RoadshowRoom, user, kind: str) -> str:
    """May ``user`` react now? Signed in, allowed to post, room not ended, a known kind, within the rate.

    Reactions are not stored one by one: the room hub adds them up and pushes counts.
    """
    _require_post(room, user)
    if kind not in settings.LIVESTREAM_REACTIONS:
        raise LiveError("bad_request", _("Unknown reaction."))
    if room.status == RoadshowRoom.Status.ENDED:
        raise LiveError("room_ended", _("This room has ended."))
    _require_rate("reaction", room, user)
    return kind
