"""Sending room frames to every process's room hub, only after the storing transaction commits.

A frame is encoded to JSON text once, here, by the process that stored it; each process's
hub (``livestream.hub``) receives it through the channel layer and writes that same text
to all of its local sockets. Messages on the channel layer:

- ``room.event``: a stored ``RoomEvent`` (``seq``, ``visibility``, ``frame``)
- ``room.frame``: a frame that is not stored (``visibility``, ``frame``, optional ``user_id``)
"""

import json
import logging
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import RoomEvent, Visibility

logger = logging.getLogger(__name__)


def room_group(room_id: int) -> str:
    return f"livestream.room.{room_id}"


def encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def event_frame(event: RoomEvent) -> dict:
    return {"type": event.type, "seq": event.seq, **event.payload}


def group_send(room_id: int, message: dict) -> None:
    """Hand ``message`` to the room's group; a failing layer is logged, never raised.

    The event is already stored: a client that misses it gets it on reconnect, and each hub
    fills gaps in ``seq`` from the database when the next event arrives.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(room_group(room_id), message)
    except Exception:
        logger.exception("Could not publish %s to room %s", message.get("type"), room_id)


def publish_event_on_commit(event: RoomEvent) -> None:
    message = {
        "type": "room.event",
        "seq": event.seq,
        "visibility": event.visibility,
        "frame": encode(event_frame(event)),
    }
    transaction.on_commit(partial(group_send, event.room_id, message))


def publish_frame_on_commit(
    room_id: int, frame: dict, *, visibility: str = Visibility.ALL, user_id: int | None = None
) -> None:
    """Send a frame that is not part of the stored log (to one user's sockets if ``user_id``)."""
    message = {"type": "room.frame", "visibility": str(visibility), "user_id": user_id, "frame": encode(frame)}
    transaction.on_commit(partial(group_send, room_id, message))
