"""What every part of the live layer shares: the refusal (``LiveError``), who may act, text and
client-id checks, the rate limit, and storing an event with the room's next ``seq``.

The ``seq`` is allocated by an UPDATE of the room row as the transaction's first statement: on
PostgreSQL the row lock makes concurrent writers in a room wait for each other, on SQLite the write
lock is taken up front (waiting out the busy timeout) instead of being upgraded later, which could
deadlock."""

import unicodedata
from datetime import datetime

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.ratelimit import rate_limited
from events.services import can

from .. import broadcast, selectors
from ..models import RoadshowRoom, RoomEvent, RoomMute, Visibility

CLIENT_ID_MAX_LENGTH = 64


# Characters that could reorder or hide text around them (bidirectional overrides and isolates).
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


class LiveError(Exception):
    """A refusal sent back as ``{"type": "error", "code": ..., "message": ...}``; the socket stays open."""

    def __init__(self, code: str, message: str | Promise, **params):
        super().__init__(code)
        self.code = code
        self.message = message
        # Filled in when the frame is made, so the message is in the socket's language, not the worker's.
        self.params = params

    def frame(self) -> dict:
        text = str(self.message) % self.params if self.params else str(self.message)
        return {"type": "error", "code": self.code, "message": text}


class _Duplicate(Exception):
    """Raised inside a transaction to roll back a seq taken for a resend that was already stored."""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def server_time() -> dict:
    """The server clock, for clients to correct countdowns by: ISO text and milliseconds since the epoch."""
    now = timezone.now()
    return {"server_time": now.isoformat(), "server_ms": int(now.timestamp() * 1000)}


def user_frame(user, room: RoadshowRoom, *, moderator_ids: set[int] | None = None) -> dict:
    """How a person appears in frames: both names (each viewer picks its language) and a moderator mark.

    ``moderator_ids`` (from ``selectors.moderator_ids``) saves a role lookup per person in lists.
    """
    if moderator_ids is None:
        moderator = can(user, "room.moderate", room.event)
    else:
        moderator = user.pk in moderator_ids or (user.is_staff and user.is_active)
    return {
        "id": user.pk,
        "name_zh": user.name_zh or user.name_en,
        "name_en": user.name_en or user.name_zh,
        "moderator": moderator,
    }


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _require_post(room: RoadshowRoom, user) -> None:
    if not _signed_in(user):
        raise LiveError("not_signed_in", _("Sign in to take part in the room."))
    if not (selectors.room_can_watch(user, room) and can(user, "room.post", room.event)):
        raise LiveError("not_allowed", _("You are not allowed to do this in this room."))


def _require_action(room: RoadshowRoom, user, action: str) -> None:
    if not _signed_in(user):
        raise LiveError("not_signed_in", _("Sign in to take part in the room."))
    if not can(user, action, room.event):
        raise LiveError("not_allowed", _("You are not allowed to do this in this room."))


_ROOM_OWN_FIELDS = [f.attname for f in RoadshowRoom._meta.concrete_fields if not f.is_relation]


def _fresh(room: RoadshowRoom) -> RoadshowRoom:
    """Reload the room's own fields (another process may have changed status or slow mode), keeping its event."""
    room.refresh_from_db(fields=_ROOM_OWN_FIELDS)
    return room


def _require_not_ended(room: RoadshowRoom) -> None:
    if room.status == RoadshowRoom.Status.ENDED:
        raise LiveError("room_ended", _("This room has ended."))


def _is_muted(room: RoadshowRoom, user) -> bool:
    return RoomMute.objects.filter(room=room, user=user).exists()


def _require_not_muted(room: RoadshowRoom, user) -> None:
    if _is_muted(room, user):
        raise LiveError("muted", _("A moderator has muted you in this room."))


def _clean_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > CLIENT_ID_MAX_LENGTH:
        raise LiveError("bad_request", _("Each message needs a client_id of 1 to 64 characters."))
    return client_id.strip()


def clean_text(text, *, max_length: int) -> str:
    """User text as stored: NFC, control and bidi-override characters removed, trimmed, not empty, not too long.

    It is stored raw otherwise; every page renders it as text (``textContent``), never as HTML.
    """
    if not isinstance(text, str):
        raise LiveError("bad_request", _("The text is missing."))
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        ch for ch in text if ch == "\n" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    ).strip()
    if not text:
        raise LiveError("empty", _("Write something first."))
    if len(text) > max_length:
        raise LiveError(
            "too_long",
            _("This is too long: at most %(limit)d characters."),
            limit=max_length,
        )
    return text


def _require_rate(kind: str, room: RoadshowRoom, user) -> None:
    """Count one action of ``kind`` by the user in the room; refuse it once they are over the limit."""
    limit, period = settings.LIVESTREAM_RATE_LIMITS[kind]
    if rate_limited(f"livestream:rate:{kind}:{room.pk}:{user.pk}", limit=limit, period=period):
        raise LiveError("rate_limited", _("You are sending too fast. Wait a few seconds and try again."))


def _next_seq(room: RoadshowRoom) -> int:
    """Take the room's next seq. Call first inside ``transaction.atomic()`` (see the module docstring)."""
    RoadshowRoom.objects.filter(pk=room.pk).update(last_seq=F("last_seq") + 1)
    seq = RoadshowRoom.objects.filter(pk=room.pk).values_list("last_seq", flat=True).get()
    room.last_seq = seq
    return seq


def _store(room: RoadshowRoom, seq: int, type_: str, payload: dict, *, visibility: str = Visibility.ALL) -> RoomEvent:
    event = RoomEvent.objects.create(room=room, seq=seq, type=type_, payload=payload, visibility=visibility)
    broadcast.publish_event_on_commit(event)
    return event


def _resent(room: RoadshowRoom, seq: int) -> dict:
    """The answer to a resend: the frame stored for the first send, marked as a duplicate."""
    return {**broadcast.event_frame(RoomEvent.objects.get(room=room, seq=seq)), "duplicate": True}
