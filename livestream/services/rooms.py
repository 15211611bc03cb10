"""Rooms, created and edited by the event's organisers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events.services import require

from ..models import RoadshowRoom
from .common import _fresh, _iso, _next_seq, _store


def _room_dict(room: RoadshowRoom) -> dict:
    return {
        "slug": room.slug,
        "title_zh": room.title_zh or room.title_en,
        "title_en": room.title_en or room.title_zh,
        "status": room.status,
        "visibility": room.visibility,
        "slow_mode_seconds": room.slow_mode_seconds,
        "scheduled_start": _iso(room.scheduled_start),
        "started_at": _iso(room.started_at),
        "ended_at": _iso(room.ended_at),
        "video": {
            "hls_url": room.hls_url,
            "embed_url": room.embed_url,
            "recording_url": room.recording_url,
        },
    }


ROOM_EDITABLE_FIELDS = (
    "title_zh",
    "title_en",
    "visibility",
    "scheduled_start",
    "hls_url",
    "embed_url",
    "recording",
    "judging_round",
)


# File name ending → the bytes a file of that kind starts with (MP4: "ftyp" box at offset 4; WebM: EBML header).
RECORDING_KINDS = {".mp4": (4, b"ftyp"), ".m4v": (4, b"ftyp"), ".webm": (0, b"\x1a\x45\xdf\xa3")}


def recording_check(*, upload: UploadedFile) -> None:
    """An uploaded recording must be an MP4 or WebM video (by name and by content) of at most
    ``LIVESTREAM_RECORDING_MAX_BYTES``; raises ``ValidationError`` otherwise."""
    limit = settings.LIVESTREAM_RECORDING_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The recording is too large: at most %(megabytes)d MB."),
            code="recording_size",
            params={"megabytes": limit // (1024 * 1024)},
        )
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    offset, magic = RECORDING_KINDS.get(suffix, (0, None))
    upload.seek(0)
    head = upload.read(offset + 4 if magic else 0)
    upload.seek(0)
    if magic is None or head[offset : offset + 4] != magic:
        raise ValidationError(_("Upload the recording as an MP4 or WebM video."), code="recording_type")


def room_create(*, event: Event, user, slug: str, **fields) -> RoadshowRoom:
    """The event's organisers (``room.run``) open a room. It starts scheduled; the model's rules
    hold (a title, one live video source, an approved embed host, an HLS playlist address)."""
    require(user, "room.run", event)
    unknown = set(fields) - set(ROOM_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not room fields: {sorted(unknown)}")
    room = RoadshowRoom(event=event, slug=slug, status=RoadshowRoom.Status.SCHEDULED, **fields)
    room.full_clean()
    room.save()
    return room


def room_update(*, room: RoadshowRoom, user, **fields) -> RoadshowRoom:
    """The organisers change a room's titles, visibility, start time or video (not its address or status).

    Everyone in the room gets ``room.updated`` with the room as in the connect state, so titles
    and players change on every screen at once.
    """
    require(user, "room.run", room.event)
    unknown = set(fields) - set(ROOM_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not room fields: {sorted(unknown)}")
    with transaction.atomic():
        seq = _next_seq(room)
        _fresh(room)
        replaced_recording = room.recording.name if "recording" in fields else ""
        for name, value in fields.items():
            setattr(room, name, value)
        room.full_clean()
        room.save(update_fields=list(fields))
        _store(room, seq, "room.updated", {"room": _room_dict(room)})
        if replaced_recording and replaced_recording != room.recording.name:
            # A replaced or cleared recording is deleted once the change is committed, never before.
            storage = room.recording.storage
            transaction.on_commit(lambda: storage.delete(replaced_recording))
    return room
