"""Moderation and running the room: muting, slow mode, going live and ending."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.services import can

from .. import broadcast
from ..models import MAX_SLOW_MODE_SECONDS, RoadshowRoom, RoomMute, Visibility
from .agenda import _presenting_slot, _slot_dict, _slot_finish
from .common import LiveError, _fresh, _iso, _next_seq, _require_action, _store, user_frame


def user_mute(*, room: RoadshowRoom, user, target_id: int, muted: bool = True) -> dict:
    """A moderator mutes (or unmutes) a person in this room. Moderators cannot be muted.

    Other moderators get the stored ``user.muted`` event; the person gets ``{"type": "me", "muted": ...}``.
    """
    _require_action(room, user, "room.moderate")
    target = User.objects.filter(pk=target_id if isinstance(target_id, int) else None).first()
    if target is None:
        raise LiveError("not_found", _("There is no such person."))
    if can(target, "room.moderate", room.event):
        raise LiveError("not_allowed", _("Moderators cannot be muted."))
    with transaction.atomic():
        seq = _next_seq(room)
        if muted:
            RoomMute.objects.get_or_create(room=room, user=target, defaults={"muted_by": user})
        else:
            RoomMute.objects.filter(room=room, user=target).delete()
        event = _store(
            room,
            seq,
            "user.muted",
            {"user": user_frame(target, room), "muted": bool(muted)},
            visibility=Visibility.MODERATORS,
        )
        broadcast.publish_frame_on_commit(room.pk, {"type": "me", "muted": bool(muted)}, user_id=target.pk)
    return broadcast.event_frame(event)


def slow_mode_set(*, room: RoadshowRoom, user, seconds: int) -> dict:
    """A moderator sets the seconds each person waits between chat messages (0 = off, at most an hour)."""
    _require_action(room, user, "room.moderate")
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_SLOW_MODE_SECONDS:
        raise LiveError("bad_request", _("Slow mode takes 0 to 3600 seconds."))
    with transaction.atomic():
        seq = _next_seq(room)
        RoadshowRoom.objects.filter(pk=room.pk).update(slow_mode_seconds=seconds)
        room.slow_mode_seconds = seconds
        event = _store(room, seq, "room.slow_mode", {"seconds": seconds})
    return broadcast.event_frame(event)


def _room_status_change(room: RoadshowRoom, user, *, allowed_from: set[str], to: str, **stamps) -> dict:
    _require_action(room, user, "room.run")
    with transaction.atomic():
        seq = _next_seq(room)
        changed = RoadshowRoom.objects.filter(pk=room.pk, status__in=allowed_from).update(status=to, **stamps)
        if not changed:
            raise LiveError("bad_state", _("The room cannot make this change now."))
        _fresh(room)
        event = _store(
            room,
            seq,
            "room.status",
            {"status": room.status, "started_at": _iso(room.started_at), "ended_at": _iso(room.ended_at)},
        )
    return broadcast.event_frame(event)


def room_go_live(*, room: RoadshowRoom, user) -> dict:
    """A scheduled room goes live (its organisers only)."""
    return _room_status_change(
        room, user, allowed_from={RoadshowRoom.Status.SCHEDULED}, to=RoadshowRoom.Status.LIVE, started_at=timezone.now()
    )


def room_end(*, room: RoadshowRoom, user) -> dict:
    """A scheduled or live room ends; chat, questions, votes, reactions and the pitch on stage end with it."""
    with transaction.atomic():
        frame = _room_status_change(
            room,
            user,
            allowed_from={RoadshowRoom.Status.SCHEDULED, RoadshowRoom.Status.LIVE},
            to=RoadshowRoom.Status.ENDED,
            ended_at=timezone.now(),
        )
        presenting = _presenting_slot(room)
        if presenting is not None:
            seq = _next_seq(room)
            _slot_finish(presenting)
            _store(room, seq, "pitch.ended", {"slot": _slot_dict(presenting)})
    return frame
