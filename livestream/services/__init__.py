"""Rules of the live layer. The websocket handlers, pages and admin call these and nothing else.

Every function is synchronous, takes keyword arguments and returns a plain dict that is a
frame ready to send (``{"type": ..., ...}``). A refusal raises ``LiveError`` with a stable
``code`` and a translatable message. Permission checks go through ``events.services.can``.

Every change all viewers must see is stored as a ``RoomEvent`` with the room's next ``seq``
and broadcast only after its transaction commits (``common``: how the ``seq`` is taken).

By concern: ``state`` (the connect state and replay), ``chat`` (and Q&A), ``reactions``
(and the pitch's live signals), ``polls``, ``moderation`` (and running the room), ``agenda``
(and the pitch on stage), ``interest``, ``rooms`` (created and edited by organisers) and
``scoring`` (live judging). Every public name is importable from here
(``from livestream import services; services.chat_send``).
"""

from .agenda import PITCH_EXTEND_STEP_MAX, agenda_list, agenda_reorder, agenda_set, pitch_end, pitch_extend, pitch_start
from .chat import (
    chat_hide,
    chat_send,
    chat_to_question,
    question_ask,
    question_hide,
    question_mark_answered,
    question_upvote,
)
from .common import CLIENT_ID_MAX_LENGTH, LiveError, clean_text, server_time, user_frame
from .interest import interest_frames, interest_mark, interest_summary, person_frame
from .moderation import room_end, room_go_live, slow_mode_set, user_mute
from .polls import POLL_MAX_OPTIONS, POLL_MIN_OPTIONS, poll_close, poll_open, poll_results, poll_vote
from .reactions import pitch_signals_record, reaction_check, reaction_totals, reaction_totals_add
from .rooms import RECORDING_KINDS, ROOM_EDITABLE_FIELDS, recording_check, room_create, room_update
from .scoring import live_score, revealed_scores, score_reveal, scoring_state
from .state import events_since, room_state

__all__ = [
    "CLIENT_ID_MAX_LENGTH",
    "PITCH_EXTEND_STEP_MAX",
    "POLL_MAX_OPTIONS",
    "POLL_MIN_OPTIONS",
    "RECORDING_KINDS",
    "ROOM_EDITABLE_FIELDS",
    "LiveError",
    "agenda_list",
    "agenda_reorder",
    "agenda_set",
    "chat_hide",
    "chat_send",
    "chat_to_question",
    "clean_text",
    "events_since",
    "interest_frames",
    "interest_mark",
    "interest_summary",
    "live_score",
    "person_frame",
    "pitch_end",
    "pitch_extend",
    "pitch_signals_record",
    "pitch_start",
    "poll_close",
    "poll_open",
    "poll_results",
    "poll_vote",
    "question_ask",
    "question_hide",
    "question_mark_answered",
    "question_upvote",
    "reaction_check",
    "reaction_totals",
    "reaction_totals_add",
    "recording_check",
    "revealed_scores",
    "room_create",
    "room_end",
    "room_go_live",
    "room_state",
    "room_update",
    "score_reveal",
    "scoring_state",
    "server_time",
    "slow_mode_set",
    "user_frame",
    "user_mute",
]
