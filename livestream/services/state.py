"""Reading the room: the state a socket is sent on connect, and the events it missed (replay)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from events.services import can

from .. import broadcast, selectors
from ..models import AgendaSlot, RoadshowRoom
from .agenda import _slot_dict
from .chat import _question_dict
from .common import LiveError, _fresh, _is_muted, _signed_in, server_time
from .interest import _interested_entries, interest_summary
from .polls import _poll_dict
from .reactions import reaction_totals
from .rooms import _room_dict
from .scoring import revealed_scores, scoring_state


def room_state(*, room: RoadshowRoom, user, since: int | None = None) -> dict:
    """What a socket is sent on connect.

    Without ``since`` (or when more than ``LIVESTREAM_RESUME_MAX_EVENTS`` were missed) it holds
    the whole visible state: newest chat, questions by votes, polls with results. With a
    usable ``since`` it says ``"resume": true`` and leaves chat and questions out: the missed
    events (``events_since``) follow it instead.
    """
    if not selectors.room_can_watch(user, room):
        raise LiveError("not_allowed", _("You are not allowed to watch this room."))
    _fresh(room)
    resume = since is not None and 0 <= since <= room.last_seq <= since + settings.LIVESTREAM_RESUME_MAX_EVENTS
    signed_in = _signed_in(user)
    moderator = can(user, "room.moderate", room.event)
    slots = list(selectors.agenda(room))
    entry_ids = [slot.entry_id for slot in slots]
    own_entries = [slot.entry_id for slot in slots if signed_in and slot.entry.owner_id == user.pk]
    state = {
        "type": "room.state",
        "seq": room.last_seq,
        "resume": resume,
        **server_time(),
        "room": _room_dict(room),
        "me": {
            "id": user.pk if signed_in else None,
            "signed_in": signed_in,
            "can_post": signed_in and can(user, "room.post", room.event),
            "moderator": moderator,
            "muted": signed_in and _is_muted(room, user),
            "can_mark_interest": signed_in and can(user, "room.mark_interest", room.event),
            "interested_entries": _interested_entries(user, entry_ids) if signed_in else [],
            "own_entries": own_entries,
        },
        "reactions": reaction_totals(room.pk),
        "reaction_kinds": list(settings.LIVESTREAM_REACTIONS),
        "polls": [_poll_dict(poll) for poll in selectors.polls_with_results(room)],
        "agenda": [_slot_dict(slot) for slot in slots],
        "presenting": next((slot.pk for slot in slots if slot.state == AgendaSlot.State.PRESENTING), None),
        # Organisers see who is interested in each pitch; an entrant sees the count for their own.
        "interest": interest_summary(entry_ids=entry_ids if moderator else own_entries, with_people=moderator),
        # The scoring card reaches judges and organisers only; revealed scores reach everyone.
        "scoring": scoring_state(room=room, user=user),
    }
    if not resume:
        # Chat as it was broadcast (the stored frames); questions with their current votes.
        chat = selectors.chat_events_visible(room, limit=settings.LIVESTREAM_STATE_CHAT_MESSAGES)
        state["chat"] = [broadcast.event_frame(event) for event in chat]
        moderators = selectors.moderator_ids(room)
        state["questions"] = [
            _question_dict(q, room, moderator_ids=moderators) for q in selectors.questions_visible(room)
        ]
        state["revealed_scores"] = revealed_scores(room)
    return state


def events_since(*, room: RoadshowRoom, user, since: int, until: int | None = None) -> list[dict]:
    """The stored events after ``since`` (up to ``until``) that ``user`` may receive, oldest first.

    Hidden messages and questions are left out; at most ``LIVESTREAM_RESUME_MAX_EVENTS``.
    """
    tiers = selectors.room_tiers(room, user)
    events = selectors.events_after(
        room, since=since, until=until, tiers=tiers, limit=settings.LIVESTREAM_RESUME_MAX_EVENTS
    )
    return [broadcast.event_frame(event) for event in events]
