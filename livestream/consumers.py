"""The room websocket: connect, auth, state and replay, then route each frame to its handler module.

No rules live here: handlers call ``livestream.services`` (the same functions the pages use)
and the room hub (``livestream.hub``) does the fan-out. See docs/websocket-protocol.md.
"""

import json
import logging
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

from . import hub, selectors, services
from .handlers import agenda, chat, interest, moderation, polls, questions, reactions, scoring
from .models import RoadshowRoom
from .services import LiveError

logger = logging.getLogger(__name__)

# Frames are routed by the part of their type before the first dot.
HANDLER_MODULES = {
    "chat": chat,
    "question": questions,
    "poll": polls,
    "reaction": reactions,
    "user": moderation,
    "room": moderation,
    "agenda": agenda,
    "pitch": agenda,
    "interest": interest,
    "score": scoring,
}
CLOSE_NOT_FOUND = 4404
CLOSE_NOT_ALLOWED = 4403


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def socket_language(scope: dict, user) -> str:
    """The language of refusals: the site's language cookie, else the user's own, else Accept-Language."""
    chosen = _supported(scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME))
    if chosen is None and user.is_authenticated:
        chosen = _supported(user.language)
    if chosen is None:
        headers = dict(scope.get("headers", []))
        for code, _quality in parse_accept_lang_header(headers.get(b"accept-language", b"").decode("latin1")):
            chosen = _supported(code)
            if chosen:
                break
    return chosen or settings.LANGUAGE_CODE


def _admit(room: RoadshowRoom | None, user) -> tuple[RoadshowRoom | None, LiveError | None, frozenset[str]]:
    """Why this user may not watch the room (or None), and the tiers of frames they receive.

    Per user, every time: an anonymous user's checks read nothing from the database (the room and
    its event are already loaded), a signed-in user's read their roles in the event.
    """
    if room is None:
        return None, LiveError("not_found", _("There is no such room.")), frozenset()
    if not selectors.room_can_watch(user, room):
        if user.is_authenticated:
            return room, LiveError("not_allowed", _("You are not allowed to watch this room.")), frozenset()
        return room, LiveError("not_signed_in", _("Sign in to watch this room.")), frozenset()
    return room, None, selectors.room_tiers(room, user)


def _catch_up(room: RoadshowRoom, user, since: int | None) -> list[dict]:
    """The connect state, then (when resuming) the events it leaves out, in one database round trip."""
    state = services.room_state(room=room, user=user, since=since)
    missed = services.events_since(room=room, user=user, since=since, until=state["seq"]) if state["resume"] else []
    return [state, *missed]


def _shared_state(room: RoadshowRoom, user) -> hub.SharedState:
    return hub.SharedState.of(services.room_state(room=room, user=user))


def _since(scope: dict) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin1")).get("since")
    if values and values[0].isdigit():
        return int(values[0])
    return None


class RoomConsumer(AsyncJsonWebsocketConsumer):
    # The room hub is this process's only channel-layer member for a room: a socket needs no
    # channel of its own (an alias with no layer makes Channels skip creating one).
    channel_layer_alias = "livestream-sockets-have-no-channel"

    room: RoadshowRoom | None = None
    member: hub.Member | None = None

    async def connect(self):
        self.user = self.scope.get("user") or AnonymousUser()
        self.language = socket_language(self.scope, self.user)
        slug = self.scope["url_route"]["kwargs"]["slug"]
        # Accept before the first database call: when thousands join at once, the database work
        # queues up, and daphne drops a handshake the application has not accepted within its
        # connect timeout (5 s). Refusals still come as an error frame and a close code.
        await self.accept()
        # The room and its event: one read serves many joins in this process (``hub.room_by_slug``).
        room = await hub.room_by_slug(slug)
        if self.user.is_authenticated:
            self.room, refusal, tiers = await database_sync_to_async(_admit)(room, self.user)
        else:
            self.room, refusal, tiers = _admit(room, self.user)
        if refusal is not None:
            await self.refuse(refusal, CLOSE_NOT_FOUND if refusal.code == "not_found" else CLOSE_NOT_ALLOWED)
            return
        # Join first, then read: whatever commits after the read arrives through the hub.
        self.member = await hub.join(
            self.room.pk, self, user_id=self.user.pk, tiers=tiers, wire=hub.daphne_wire(self.base_send)
        )
        since = _since(self.scope)
        if since is None and not self.user.is_authenticated:
            # Every anonymous viewer joining afresh is sent the same state: the hub builds and encodes it
            # once for many, and each socket adds its own server time and presence to the text.
            room, user = self.room, self.user
            shared = await self.member.hub.anonymous_state(lambda: database_sync_to_async(_shared_state)(room, user))
            await self.send(text_data=shared.text(**services.server_time(), presence=hub.presence(self.room.pk)))
            await self.member.make_ready(shared.seq)
            return
        state, *missed = await database_sync_to_async(_catch_up)(self.room, self.user, since)
        state["presence"] = hub.presence(self.room.pk)
        await self.send_json(state)
        for frame in missed:
            await self.send_json(frame)
        await self.member.make_ready(state["seq"])

    async def dispatch(self, message: dict) -> None:
        """Run the handler of an ASGI message, without Channels' database-thread hop before it.

        Channels closes stale database connections before every handler (``aclose_old_connections``)
        in the one database thread: when thousands join at once, each join and each leave waited
        there behind the others' database work. This consumer reaches the database only through
        ``database_sync_to_async``, which closes stale connections around each call anyway.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict) -> None:
        # As Channels' own, less the database-thread hop (see ``dispatch``); sockets have no groups.
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def disconnect(self, code):
        if self.member is not None and self.room is not None:
            await hub.leave(self.room.pk, self.member)
            self.member = None

    async def send_prepared(self, message: dict) -> None:
        """Write a ready ASGI ``websocket.send`` message (the hub shares one among all sockets)."""
        await self.base_send(message)

    async def refuse(self, error: LiveError, close_code: int) -> None:
        await self.send_error(error)
        await self.close(code=close_code)

    @classmethod
    async def encode_json(cls, content):
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"))

    async def receive(self, text_data=None, bytes_data=None):
        if self.member is None:
            return
        try:
            frame = json.loads(text_data) if text_data is not None else None
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error(LiveError("bad_request", _('Send JSON objects with a "type".')))
            return
        await self.dispatch_frame(frame)

    async def dispatch_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "ping":
            await self.send_json({"type": "pong", **services.server_time()})
            return
        module = HANDLER_MODULES.get(kind.split(".", 1)[0])
        handler = module.ACTIONS.get(kind) if module else None
        if handler is None:
            await self.send_error(LiveError("unknown_type", _("Unknown frame type.")), frame)
            return
        try:
            await handler(self, frame)
        except LiveError as error:
            await self.send_error(error, frame)
        except Exception:
            logger.exception("Frame %s in room %s failed", kind, self.room.pk)
            await self.send_error(LiveError("server_error", _("Something went wrong. Try again.")), frame)

    async def call(self, service, **kwargs):
        """Run a service for this socket's room and user in the database thread."""
        return await database_sync_to_async(service)(room=self.room, user=self.user, **kwargs)

    async def send_error(self, error: LiveError, request: dict | None = None) -> None:
        with translation.override(self.language):
            frame = error.frame()
        if request is not None:
            frame["for"] = request.get("type")
            if isinstance(request.get("client_id"), str):
                frame["client_id"] = request["client_id"]
        await self.send_json(frame)
