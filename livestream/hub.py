"""The per-process room hub: one channel-layer membership per room per process, one encode per frame.

Measured (see DESIGN.md, "Live layer rules"): a group with one channel per socket falls behind
with thousands of viewers, because every frame is queued, decoded and re-encoded once per
socket. Here each process keeps, per room, the set of its own sockets. The room's hub owns
the process's only channel in the room's group; for each frame it receives (already JSON
text, encoded once by the process that stored the event) it writes that text to each local
socket whose tiers may see it (on daphne, as one WebSocket frame built once for all of them:
see ``Frame``). Audience sockets are in the ``all`` tier only, so frames for
moderators or judges never reach them.

Frames a hub delivers carry the room's ``seq``; the hub delivers them in ``seq`` order and
fills a gap from the database (everything below a published seq is committed, because seqs are
handed out under the room's row lock). A socket that is still being sent its connect state
buffers live frames and drops the ones its state already covered.

Presence, reactions, poll counts and interest marks are aggregated: each hub, once per tick
(``LIVESTREAM_TICK_SECONDS``), tells the other processes its own viewer count (and its
reactions, voted polls and entries marked "interesting" since the last tick), and pushes at
most one presence, one reactions frame, one results frame per poll and one interest frame per
entry (to organisers and to the entry's owner only) to its sockets. A process's count expires when it
is not renewed for three heartbeats, so a process that died stops being counted. Each tick also
adds one sample (the room's viewer count, this process's reactions) to the signals of the pitch
on stage (``services.pitch_signals_record``): one database write per tick, never one per viewer,
and no query while the stage stayed empty (a pitch starts only by a stored event, which moves ``seq``).
"""

import asyncio
import contextlib
import copy
import functools
import logging
import pprint
import threading
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import NamedTuple

import txaio
from autobahn import util as autobahn_util
from autobahn.twisted import websocket as autobahn_twisted_websocket
from autobahn.websocket import protocol as autobahn_protocol
from autobahn.websocket.protocol import PreparedMessage, WebSocketProtocol
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from twisted.internet.tcp import Connection as TcpConnection

from core import metrics
from events.models import Event

from . import broadcast
from .models import RoadshowRoom, RoomEvent, Visibility

logger = logging.getLogger(__name__)

PROCESS_ID = uuid.uuid4().hex
EXPIRY_HEARTBEATS = 3
# How long one anonymous connect state may serve later anonymous joins when nothing was fanned out
# meanwhile: bounds how late a change that sends no frame (an organiser's edit of the room's page) shows.
ANONYMOUS_STATE_MAX_AGE = 2.0
# How long a process serves a room's row (found by slug, with its event) to joining sockets without
# reading it again. Served only while the process's hub of the room is in the room's group, where
# every change arrives (a stored ``room.*`` event, or ``room.changed``): the limit only bounds what
# could slip past that (an edit of the event, seen at once only by the process that made it).
ROOM_CACHE_SECONDS = 5.0


class Frame:
    """One frame for many sockets: its text, the ASGI message, and the WebSocket frame built once.

    Sockets served by daphne are written through autobahn's broadcast API
    (``sendPreparedMessage``): the frame's bytes are built once for the whole room instead of
    once per socket. Any other ASGI server (and the test communicator) gets the ASGI message.
    """

    __slots__ = ("_prepared", "message", "text")

    def __init__(self, text: str):
        self.text = text
        self.message = {"type": "websocket.send", "text": text}
        self._prepared = None

    @property
    def prepared(self) -> PreparedMessage:
        if self._prepared is None:
            # Server frames are not masked; never compressed, so the same bytes suit every socket.
            self._prepared = PreparedMessage(self.text.encode("utf-8"), False, False, True)
        return self._prepared


def _autobahn_debugging() -> bool:
    try:
        return txaio.get_global_log_level() in ("debug", "trace")
    except Exception:  # no framework chosen yet
        return True


def _pformat_when_logged(obj, *args, **kwargs) -> str:
    """autobahn's ``pformat``, but not for the debug line of each new connection while debug logging is off."""
    if isinstance(obj, list) and not _autobahn_debugging():
        return ""
    return pprint.pformat(obj, *args, **kwargs)


def _when_logged(highlight):
    """autobahn's ``hltype``/``hlval`` (coloured text for its debug lines), skipped while debug logging is off."""

    @functools.wraps(highlight)
    def quiet(*args, **kwargs):
        return highlight(*args, **kwargs) if _autobahn_debugging() else ""

    return quiet


# autobahn builds the text of its debug lines whether they are logged or not: per connection, a
# pprint of its options and a dozen coloured names. With 2,000 sockets joining that was about a
# tenth of daphne's CPU (cProfile, bench/contest_day.py roadshow); with debug logging on, as before.
autobahn_protocol.pformat = _pformat_when_logged
for _module in (autobahn_protocol, autobahn_twisted_websocket):
    _module.hltype = _when_logged(autobahn_util.hltype)
    _module.hlval = _when_logged(autobahn_util.hlval)


def daphne_wire(send):
    """The autobahn protocol behind daphne's ASGI ``send`` (a partial of the server's reply method), or None."""
    protocol = send.args[0] if isinstance(send, functools.partial) and send.args else None
    return protocol if isinstance(protocol, WebSocketProtocol) else None


def wire_write(wire: WebSocketProtocol, frame: Frame) -> None:
    """Write one prepared frame to a daphne socket (see ``wire_write_frames``)."""
    wire_write_frames(wire, (frame,), frame.prepared.payloadHybi)


def wire_write_frames(wire: WebSocketProtocol, frames: Sequence[Frame], payload: bytes) -> None:
    """Write prepared frames to a daphne socket, straight to the kernel when nothing is queued before them.

    ``payload`` is the frames' bytes, joined: one write for all of them.

    Twisted's ``transport.write`` buffers the bytes and registers the socket with the event loop
    for writing, then sends and unregisters it on the next loop pass: two selector changes and a
    callback per socket per frame, about half of a room's fan-out time with thousands of viewers.
    On a plain TCP connection (no TLS layer) whose buffers are empty, one non-blocking ``send``
    usually takes all the frames; whatever the kernel does not take goes through
    ``transport.write`` as before, so the order of bytes on the socket never changes. Anything
    else (TLS, a compressing socket, queued bytes) takes autobahn's own path, frame by frame.
    """
    if wire.state != WebSocketProtocol.STATE_OPEN:
        return  # a closing socket gets nothing more; its disconnect removes it
    transport = wire.transport
    if not (isinstance(transport, TcpConnection) and _writes_directly(wire, transport)):
        for frame in frames:
            wire.sendPreparedMessage(frame.prepared)
        return
    try:
        sent = transport.socket.send(payload)
    except (BlockingIOError, InterruptedError):
        sent = 0
    except OSError:
        return  # the peer is gone: Twisted notices on its next read and the disconnect removes the member
    if sent < len(payload):
        transport.write(payload[sent:])  # the rest waits in Twisted's buffer, which is empty: order kept


def _writes_directly(wire: WebSocketProtocol, transport) -> bool:
    return (
        wire._perMessageCompress is None
        and not wire.send_queue
        and not getattr(transport, "TLS", False)
        and transport.connected
        and not transport.disconnecting
        and not transport._writeDisconnected
        and not transport.dataBuffer
        and not transport._tempDataBuffer
    )


class SharedState(NamedTuple):
    """A connect state sent to many sockets, encoded once: all but the server time and the presence."""

    seq: int
    head: str  # the state's JSON text without those keys and without its closing brace

    @classmethod
    def of(cls, state: dict) -> "SharedState":
        shared = {key: value for key, value in state.items() if key not in ("server_time", "server_ms", "presence")}
        return cls(state["seq"], broadcast.encode(shared)[:-1])

    def text(self, *, server_time: str, server_ms: int, presence: int) -> str:
        return (
            f'{self.head},"server_time":{broadcast.encode(server_time)},"server_ms":{server_ms},"presence":{presence}}}'
        )


class Outgoing(NamedTuple):
    """A frame waiting in a hub's outbox, with whom it is for."""

    frame: Frame
    visibility: str
    seq: int | None
    user_id: int | None


class Member:
    """One local socket in a room: what it may see, and where its connect-time replay ended."""

    __slots__ = ("hub", "is_ready", "last_seq", "pending", "socket", "tiers", "user_id", "wire")

    def __init__(self, socket, *, user_id: int | None, tiers: frozenset[str], wire=None):
        self.hub: RoomHub | None = None
        self.socket = socket
        self.wire = wire
        self.user_id = user_id
        self.tiers = tiers
        self.is_ready = False
        self.last_seq = 0
        self.pending: list[tuple[int | None, Frame]] = []

    async def deliver(self, frame: Frame, seq: int | None) -> None:
        if not self.is_ready:
            self.pending.append((seq, frame))
            return
        if self.wire is not None:
            self.write_now(frame, seq)
        else:
            await self._write(frame, seq)

    def _is_new(self, seq: int | None) -> bool:
        """Whether a frame still has to be written (frames without a seq always do); records its seq."""
        if seq is None:
            return True
        if seq <= self.last_seq:
            return False
        self.last_seq = seq
        return True

    def write_now(self, frame: Frame, seq: int | None) -> None:
        """Write to a ready daphne socket without awaiting."""
        if self._is_new(seq):
            wire_write(self.wire, frame)

    def write_batch(self, batch: Sequence[Outgoing], joined: dict[tuple[int, ...], bytes]) -> None:
        """Write, in one go, the frames of an outbox batch this ready daphne socket may see and has not had.

        ``joined`` caches the joined bytes per selection, shared by every socket of the batch.
        """
        picks = tuple(
            index
            for index, (_frame, visibility, seq, user_id) in enumerate(batch)
            if visibility in self.tiers and (user_id is None or user_id == self.user_id) and self._is_new(seq)
        )
        if not picks:
            return
        frames = [batch[index].frame for index in picks]
        payload = joined.get(picks)
        if payload is None:
            payload = joined[picks] = b"".join(frame.prepared.payloadHybi for frame in frames)
        wire_write_frames(self.wire, frames, payload)

    async def _write(self, frame: Frame, seq: int | None) -> None:
        if self.wire is not None:
            self.write_now(frame, seq)
            return
        if not self._is_new(seq):
            return
        try:
            await self.socket.send_prepared(frame.message)
        except Exception:  # a socket that went away is removed by its own disconnect
            logger.debug("Could not write to a closed socket", exc_info=True)

    async def make_ready(self, last_seq: int) -> None:
        """Send the frames buffered while the connect state was sent, skipping what it covered.

        The hub's outbox goes out first: its frames were buffered here too (this socket was not
        ready when they were fanned out), and a ready socket would be sent them again by the next flush.
        """
        if self.hub is not None:
            self.hub.flush()
        self.last_seq = max(self.last_seq, last_seq)
        while self.pending:
            seq, frame = self.pending.pop(0)
            await self._write(frame, seq)
        self.is_ready = True
        if self.hub is not None and self.wire is not None:
            self.hub.direct.discard(self)  # from now on the outbox's flushes write to it


# --- the shared room look-up of joining sockets ------------------------------------------------------


class _RoomEntry(NamedTuple):
    room: RoadshowRoom
    read_from: int  # the change counter when the read started
    fetched_at: float  # the event loop's clock


_changes_lock = threading.Lock()
_change_counter = 0
_room_changed_at: dict[int, int] = {}  # room id -> the counter at its last change (any process's)
_all_changed_at = 0  # the counter at the last change that may concern any room (an event's edit)
# Per event loop (daphne runs one; each test gets its own): slug -> entry, or the read under way.
_room_caches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _RoomEntry | asyncio.Future]]" = (
    weakref.WeakKeyDictionary()
)


def room_changed(room_id: int | None) -> None:
    """A room's row (or, with None, any room's event) may have changed: joins read it afresh. Any thread."""
    global _change_counter, _all_changed_at
    with _changes_lock:
        _change_counter += 1
        if room_id is None:
            _all_changed_at = _change_counter
        else:
            _room_changed_at[room_id] = _change_counter


def _publish_room_changed(room_ids) -> None:
    for room_id in room_ids:
        broadcast.group_send(room_id, {"type": "room.changed"})


def _room_saved_or_deleted(sender, instance: RoadshowRoom, created: bool = False, raw: bool = False, **kwargs) -> None:
    """An edit outside the live layer (the admin, a deletion): every process's joins read the room afresh."""
    if created or raw:
        return  # nobody has read a room that did not exist
    room_changed(instance.pk)
    transaction.on_commit(functools.partial(_publish_room_changed, [instance.pk]))


def _event_saved_or_deleted(sender, instance: Event, created: bool = False, raw: bool = False, **kwargs) -> None:
    """Publishing or unpublishing an event decides who may watch its rooms."""
    if created or raw:
        return
    room_changed(None)
    event_id = instance.pk

    def publish() -> None:
        _publish_room_changed(RoadshowRoom.objects.filter(event_id=event_id).values_list("pk", flat=True))

    transaction.on_commit(publish)


def connect_signals() -> None:
    """Called by the app's ``ready``: changes to rooms and events made anywhere reach the shared look-up."""
    for model, receiver in ((RoadshowRoom, _room_saved_or_deleted), (Event, _event_saved_or_deleted)):
        post_save.connect(receiver, sender=model, dispatch_uid=f"livestream-hub-{model.__name__}-saved")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"livestream-hub-{model.__name__}-deleted")


def _room_by_slug(slug: str) -> RoadshowRoom | None:
    return RoadshowRoom.objects.select_related("event").filter(slug=slug).first()


def _entry_holds(entry: _RoomEntry, loop: asyncio.AbstractEventLoop) -> bool:
    room_id = entry.room.pk
    hub = _registries.get(loop, {}).get(room_id)
    return (
        hub is not None
        and hub.subscribed
        and entry.read_from >= hub.subscribed_from
        and loop.time() - entry.fetched_at < ROOM_CACHE_SECONDS
        and _room_changed_at.get(room_id, 0) <= entry.read_from
        and _all_changed_at <= entry.read_from
    )


async def room_by_slug(slug: str) -> RoadshowRoom | None:
    """The room (with its event) a socket joins, read once for many joins: a copy of its own for each caller.

    Joins that arrive while the room is being read wait for that read. The row read is kept for
    later joins while this process's hub of the room is in the room's group (so every change to
    the room reaches it: see ``room_changed``), for at most ``ROOM_CACHE_SECONDS``; the hub reads
    it when it joins the group, and a room read before that is not used again. Rooms that are not found are never kept.
    Who may watch is still decided per user (``selectors.room_can_watch``).
    """
    loop = asyncio.get_running_loop()
    cache = _room_caches.setdefault(loop, {})
    held = cache.get(slug)
    if isinstance(held, asyncio.Future):
        await asyncio.wait({held})
        room = held.result()
        return copy.copy(room) if room is not None else None
    if held is not None and _entry_holds(held, loop):
        return copy.copy(held.room)
    read_from = _change_counter
    reading = cache[slug] = asyncio.ensure_future(database_sync_to_async(_room_by_slug)(slug))
    reading.add_done_callback(functools.partial(_room_read, cache, slug, read_from))
    await asyncio.wait({reading})  # a cancelled join leaves the read to the others
    room = reading.result()
    return copy.copy(room) if room is not None else None


def _room_read(cache: dict, slug: str, read_from: int, reading: asyncio.Future) -> None:
    if cache.get(slug) is not reading:
        return
    room = None if reading.cancelled() or reading.exception() is not None else reading.result()
    if room is None:
        del cache[slug]
    else:
        cache[slug] = _RoomEntry(room, read_from, asyncio.get_running_loop().time())


def _room_with_event(room_id: int) -> RoadshowRoom | None:
    return RoadshowRoom.objects.select_related("event").filter(pk=room_id).first()


def _events_between(room_id: int, after: int, before: int) -> list[tuple[int, str, str]]:
    events = RoomEvent.objects.filter(room_id=room_id, seq__gt=after, seq__lt=before, hidden=False).order_by("seq")
    return [(e.seq, e.visibility, broadcast.encode(broadcast.event_frame(e))) for e in events]


class RoomHub:
    def __init__(self, room_id: int, layer):
        self.room_id = room_id
        self.layer = layer
        self.loop = asyncio.get_running_loop()  # hubs are made by ``join``, on the loop that serves the sockets
        self.group = broadcast.room_group(room_id)
        self.channel = ""
        self.by_tier: dict[str, set[Member]] = {tier: set() for tier in Visibility.values}
        # Sockets written to as each frame is fanned out: not ready yet (they buffer), or not on
        # daphne. Every other socket is written to by the outbox's flushes.
        self.direct: set[Member] = set()
        self.outbox: list[Outgoing] = []
        self._outbox_since = 0.0  # when the oldest frame in the outbox arrived (fan-out lag)
        self._flush_handle: asyncio.Handle | None = None
        self._flush_not_before = 0.0
        # Bumped by every fan-out that may change what a new socket is sent (all but presence).
        self.version = 0
        self._anonymous_state: tuple[int, float, SharedState] | None = None
        self._anonymous_build: asyncio.Future | None = None
        self.last_seq = 0
        self.starting: asyncio.Future | None = None
        # In the room's group (from the change counter's value then): joins may share the room's row.
        self.subscribed = False
        self.subscribed_from = 0
        self._tasks: list[asyncio.Task] = []
        # Presence: other processes' counts with when they were last renewed.
        self.others: dict[str, tuple[int, float]] = {}
        self.reported_count: int | None = None
        self.reported_at = 0.0
        self.report_due = True
        self.pushed_presence: int | None = None
        # Reactions: this process's since the last tick, and everyone's still to push.
        self.local_reactions: Counter = Counter()
        self.reactions_to_push: Counter = Counter()
        # Polls that got votes: here (to announce) and anywhere (to push results for).
        self.local_voted_polls: set[int] = set()
        self.polls_to_push: set[int] = set()
        # Entries someone marked interest in: here (to announce) and anywhere (to push counts for).
        self.local_interest: set[int] = set()
        self.interest_to_push: set[int] = set()
        # The room's seq when the tick last found no pitch on stage: a pitch starts only by a
        # stored event, so until a later seq arrives the tick need not ask the database again.
        self.stage_idle_at: int | None = None

    @property
    def members(self) -> set[Member]:
        return self.by_tier[Visibility.ALL]

    def presence(self) -> int:
        return len(self.members) + sum(count for count, _seen in self.others.values())

    async def start(self) -> None:
        self.channel = await self.layer.new_channel(prefix="livestream-hub.")
        await self.layer.group_add(self.group, self.channel)
        # Read after joining the group: whatever commits later arrives through the group. The row
        # read here serves the joins that follow (a room read before now could have missed a change).
        self.subscribed_from = read_from = _change_counter
        room = await database_sync_to_async(_room_with_event)(self.room_id)
        self.last_seq = room.last_seq if room is not None else 0
        if room is not None:
            cache = _room_caches.setdefault(self.loop, {})
            if not isinstance(cache.get(room.slug), asyncio.Future):
                cache[room.slug] = _RoomEntry(room, read_from, self.loop.time())
        self.subscribed = True
        self._tasks = [asyncio.ensure_future(self._receive_loop()), asyncio.ensure_future(self._tick_loop())]
        await self._group_send({"type": "hub.hello", "process": PROCESS_ID})

    async def stop(self) -> None:
        self.subscribed = False
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._group_send({"type": "hub.presence", "process": PROCESS_ID, "count": 0})
        try:
            await self.layer.group_discard(self.group, self.channel)
        except Exception:
            logger.exception("Could not leave the group of room %s", self.room_id)

    def add(self, member: Member) -> None:
        member.hub = self
        if not (member.is_ready and member.wire is not None):
            self.direct.add(member)
        for tier in member.tiers:
            self.by_tier[tier].add(member)

    def remove(self, member: Member) -> None:
        self.direct.discard(member)
        for members in self.by_tier.values():
            members.discard(member)

    async def _group_send(self, message: dict) -> None:
        try:
            await self.layer.group_send(self.group, message)
        except Exception:
            logger.exception("Could not send %s to room %s", message.get("type"), self.room_id)

    async def fan_out(
        self, text: str, visibility: str, seq: int | None, user_id: int | None = None, *, changes_state: bool = True
    ) -> None:
        """Send a frame to the sockets of a tier (or one user's): the text is encoded and framed once.

        Sockets still being sent their connect state, and sockets not on daphne, get it now. Ready
        daphne sockets get it from the outbox's next flush, soon after (see ``flush``).
        ``changes_state=False`` (presence only) keeps the shared anonymous connect state valid.
        """
        if changes_state:
            self.version += 1
        metrics.ROOM_FRAMES.inc()
        frame = Frame(text)
        for member in [m for m in self.direct if visibility in m.tiers and (user_id is None or m.user_id == user_id)]:
            await member.deliver(frame, seq)
        if not self.outbox:
            self._outbox_since = self.loop.time()
        self.outbox.append(Outgoing(frame, visibility, seq, user_id))
        if self._flush_handle is None:
            delay = self._flush_not_before - self.loop.time()
            if delay > 0:
                self._flush_handle = self.loop.call_later(delay, self.flush)
            else:
                self._flush_handle = self.loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write the outbox to the ready daphne sockets: per socket, everything it may see in one write.

        Most of a fan-out's time is the kernel's, per write, nearly whatever the size: a batch of
        frames costs each socket about what one frame does. A flush runs as soon as the event loop
        is free, but never sooner after the previous one than that one took: with thousands of
        viewers, frames arriving while the last fan-out was being written go out together, so
        fan-out never takes more than about half of the process's time and the rest (reading
        sockets, storing chat) is never starved. With a few hundred viewers there is no wait.
        """
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        batch, self.outbox = self.outbox, []
        if not batch:
            return
        started = time.thread_time()  # the CPU it takes, not time spent waiting while other processes ran
        if all(item.visibility == Visibility.ALL and item.user_id is None for item in batch):
            self._flush_to_everyone(batch)
        else:
            joined: dict[tuple[int, ...], bytes] = {}
            visibilities = {item.visibility for item in batch}
            for member in list(set().union(*(self.by_tier[visibility] for visibility in visibilities))):
                if member.is_ready and member.wire is not None:
                    member.write_batch(batch, joined)
        self._flush_not_before = self.loop.time() + (time.thread_time() - started)
        metrics.ROOM_FANOUT_LAG.observe(self.loop.time() - self._outbox_since)

    def _flush_to_everyone(self, batch: list[Outgoing]) -> None:
        """The common batch (frames for every viewer): one joined payload for all sockets up to date."""
        frames = [item.frame for item in batch]
        payload = b"".join(frame.prepared.payloadHybi for frame in frames)
        seqs = [item.seq for item in batch if item.seq is not None]
        first, last = (min(seqs), max(seqs)) if seqs else (None, None)
        joined: dict[tuple[int, ...], bytes] = {}
        for member in list(self.members):
            if not member.is_ready or member.wire is None:
                continue
            if first is None or member.last_seq < first:
                if last is not None:
                    member.last_seq = last
                wire_write_frames(member.wire, frames, payload)
            else:  # it already had some of them (its connect-time replay)
                member.write_batch(batch, joined)

    async def anonymous_state(self, build: Callable[[], Awaitable["SharedState"]]) -> "SharedState":
        """The connect state of an anonymous socket that has joined this hub, built at most once while it holds.

        Every anonymous viewer who joins without ``since`` is sent the same state (only the server
        time and the presence differ), and when thousands join at once, building it for each of
        them queues thousands of database round trips in the one database thread. So one state,
        built by ``build`` in the database thread, serves every such join until a frame that
        changes it is fanned out (``version``) or it is ``ANONYMOUS_STATE_MAX_AGE`` old; joins that
        arrive while it is being built wait for that build.

        Nothing is missed: an event fanned out before the build started was committed before its
        read, so the state holds it; one fanned out after the socket joined reaches the socket's
        buffer (and is dropped there if the state already covers its seq); one in between would
        have changed ``version``, and then this socket gets a state of its own. The state is kept
        encoded (``SharedState``): a join adds its own server time and presence to the same text.
        """
        while True:
            now = self.loop.time()
            cached = self._anonymous_state
            if cached is not None and cached[0] == self.version and now - cached[1] < ANONYMOUS_STATE_MAX_AGE:
                return cached[2]
            build_of_others = self._anonymous_build
            if build_of_others is None:
                version = self.version
                build_of_ours = self._anonymous_build = asyncio.ensure_future(build())
                build_of_ours.add_done_callback(functools.partial(self._anonymous_state_built, version, now))
                await asyncio.wait({build_of_ours})  # a cancelled join leaves the build to the others
                return build_of_ours.result()  # built after this socket joined: valid for it
            await asyncio.wait({build_of_others})
            # Loop: its result is cached (then used) if nothing was fanned out meanwhile, else build again.

    def _anonymous_state_built(self, version: int, started: float, build: asyncio.Future) -> None:
        if self._anonymous_build is build:
            self._anonymous_build = None
        if not build.cancelled() and build.exception() is None and version == self.version:
            self._anonymous_state = (version, started, build.result())

    async def _receive_loop(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
                await self.handle(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Room hub %s could not handle a message", self.room_id)
                await asyncio.sleep(1)

    async def handle(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "room.event":
            await self._deliver_event(message["seq"], message["visibility"], message["frame"])
        elif kind == "room.frame":
            await self.fan_out(message["frame"], message["visibility"], None, message.get("user_id"))
        elif kind == "room.changed":  # the room's row or its event changed outside the live layer
            room_changed(self.room_id)
            self.version += 1  # the shared anonymous connect state shows the room too
        elif message.get("process") == PROCESS_ID:
            return  # this process's own announcements: already counted here
        elif kind == "hub.presence":
            if message["count"]:
                self.others[message["process"]] = (int(message["count"]), time.monotonic())
            else:
                self.others.pop(message["process"], None)
        elif kind == "hub.reactions":
            self.reactions_to_push.update(message["counts"])
        elif kind == "hub.polls":
            self.polls_to_push.update(message["poll_ids"])
        elif kind == "hub.interest":
            self.interest_to_push.update(message["entry_ids"])
        elif kind == "hub.hello":
            self.report_due = True

    async def _deliver_event(self, seq: int, visibility: str, text: str) -> None:
        if seq <= self.last_seq:
            return
        if seq > self.last_seq + 1:
            missed = await database_sync_to_async(_events_between)(self.room_id, self.last_seq, seq)
            for missed_seq, missed_visibility, missed_text in missed:
                self._note_room_event(missed_text)
                await self.fan_out(missed_text, missed_visibility, missed_seq)
        self.last_seq = seq
        self._note_room_event(text)
        await self.fan_out(text, visibility, seq)

    def _note_room_event(self, text: str) -> None:
        """``room.status``, ``room.slow_mode``, ``room.updated``: the room's row changed, joins read it afresh."""
        if text.startswith('{"type":"room.'):
            room_changed(self.room_id)

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(settings.LIVESTREAM_TICK_SECONDS)
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Room hub %s tick failed", self.room_id)

    async def tick(self) -> None:
        """Announce this process's counts and push the aggregated frames (at most one of each kind)."""
        from . import services

        now = time.monotonic()
        heartbeat = settings.LIVESTREAM_PRESENCE_HEARTBEAT_SECONDS
        local = len(self.members)
        if self.report_due or local != self.reported_count or now - self.reported_at >= heartbeat:
            self.reported_count, self.reported_at, self.report_due = local, now, False
            await self._group_send({"type": "hub.presence", "process": PROCESS_ID, "count": local})
        for process, (_count, seen) in list(self.others.items()):
            if now - seen > EXPIRY_HEARTBEATS * heartbeat:
                del self.others[process]
        total = self.presence()
        if total != self.pushed_presence:
            self.pushed_presence = total
            presence = broadcast.encode({"type": "presence", "count": total})
            await self.fan_out(presence, Visibility.ALL, None, changes_state=False)

        batch: dict[str, int] = {}
        if self.local_reactions:
            batch, self.local_reactions = dict(self.local_reactions), Counter()
            await database_sync_to_async(services.reaction_totals_add)(self.room_id, batch)
            await self._group_send({"type": "hub.reactions", "process": PROCESS_ID, "counts": batch})
            self.reactions_to_push.update(batch)
        if self.reactions_to_push:
            counts, self.reactions_to_push = dict(self.reactions_to_push), Counter()
            await self.fan_out(broadcast.encode({"type": "reactions", "counts": counts}), Visibility.ALL, None)

        if self.local_voted_polls:
            voted, self.local_voted_polls = sorted(self.local_voted_polls), set()
            await self._group_send({"type": "hub.polls", "process": PROCESS_ID, "poll_ids": voted})
            self.polls_to_push.update(voted)
        if self.polls_to_push:
            poll_ids, self.polls_to_push = sorted(self.polls_to_push), set()
            for poll_id in poll_ids:
                frame = await database_sync_to_async(services.poll_results)(poll_id=poll_id)
                await self.fan_out(broadcast.encode(frame), Visibility.ALL, None)

        if self.local_interest:
            marked, self.local_interest = sorted(self.local_interest), set()
            await self._group_send({"type": "hub.interest", "process": PROCESS_ID, "entry_ids": marked})
            self.interest_to_push.update(marked)
        if self.interest_to_push:
            entry_ids, self.interest_to_push = sorted(self.interest_to_push), set()
            frames = await database_sync_to_async(services.interest_frames)(room_id=self.room_id, entry_ids=entry_ids)
            for tier, user_id, frame in frames:
                await self.fan_out(broadcast.encode(frame), tier, None, user_id)

        # Evidence for the organisers: one sample of the pitch on stage per tick (one write at most);
        # no query at all while no event arrived since the stage was last found empty.
        if self.stage_idle_at != self.last_seq:
            seq = self.last_seq  # read before the query: an event arriving meanwhile makes it ask again
            recorded = await database_sync_to_async(services.pitch_signals_record)(
                room_id=self.room_id, viewers=total, reactions=batch
            )
            self.stage_idle_at = None if recorded else seq


# One registry of room hubs per event loop (daphne runs one; each test gets its own).
_registries: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, RoomHub]]" = weakref.WeakKeyDictionary()


def _registry() -> dict[int, RoomHub]:
    return _registries.setdefault(asyncio.get_running_loop(), {})


def hub_for(room_id: int) -> RoomHub | None:
    """This process's hub of a room, if any local socket is in it."""
    return _registry().get(room_id)


async def join(room_id: int, socket, *, user_id: int | None, tiers: frozenset[str], wire=None) -> Member:
    """Add a local socket to the room's hub (starting the hub for the room's first socket here).

    The member buffers live frames until ``make_ready`` is called with the seq its state covered.
    """
    registry = _registry()
    member = Member(socket, user_id=user_id, tiers=tiers, wire=wire)
    while True:
        hub = registry.get(room_id)
        if hub is None:
            layer = get_channel_layer()
            if layer is None:
                raise RuntimeError("The live layer needs a channel layer (CHANNEL_LAYERS).")
            hub = registry[room_id] = RoomHub(room_id, layer)
            hub.starting = asyncio.ensure_future(hub.start())
        try:
            await hub.starting
        except Exception:
            if registry.get(room_id) is hub:
                del registry[room_id]
            raise
        if registry.get(room_id) is hub:  # not stopped by a last leave while we waited
            hub.add(member)
            _report_sockets(registry)
            return member


async def leave(room_id: int, member: Member) -> None:
    registry = _registry()
    hub = registry.get(room_id)
    if hub is None:
        return
    hub.remove(member)
    _report_sockets(registry)
    if not hub.members:
        del registry[room_id]
        await hub.stop()


def _report_sockets(registry: dict[int, RoomHub]) -> None:
    sockets = [len(hub.members) for hub in registry.values()]
    metrics.room_sockets_report(rooms=sum(1 for count in sockets if count), sockets=sum(sockets))


def add_reaction(room_id: int, kind: str) -> None:
    hub = hub_for(room_id)
    if hub is not None:
        hub.local_reactions[kind] += 1


def mark_poll_voted(room_id: int, poll_id: int) -> None:
    hub = hub_for(room_id)
    if hub is not None:
        hub.local_voted_polls.add(poll_id)


def mark_interest(room_id: int, entry_id: int) -> None:
    hub = hub_for(room_id)
    if hub is not None:
        hub.local_interest.add(entry_id)


def presence(room_id: int) -> int:
    hub = hub_for(room_id)
    return hub.presence() if hub is not None else 0
