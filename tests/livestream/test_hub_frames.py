"""The hub writes one prepared WebSocket frame to every daphne socket, and the ASGI message elsewhere."""

import asyncio
import contextlib
import functools
import json
import socket

import pytest
from autobahn.websocket.protocol import WebSocketProtocol
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol as DaphneWebSocketProtocol
from twisted.internet.tcp import Server as TcpServer

from livestream.hub import Frame, Member, RoomHub, daphne_wire, wire_write

pytestmark = pytest.mark.unit


class FakeWire(DaphneWebSocketProtocol):
    """A daphne socket that records what autobahn would write to the transport."""

    def __init__(self, state=WebSocketProtocol.STATE_OPEN):
        self.state = state
        self.written: list[bytes] = []

    def sendPreparedMessage(self, preparedMsg):
        self.written.append(preparedMsg.payloadHybi)


class AsgiSocket:
    def __init__(self):
        self.sent: list[dict] = []

    async def send_prepared(self, message: dict) -> None:
        self.sent.append(message)


def test_daphne_send_reveals_its_websocket_protocol_and_nothing_else_does():
    server = object.__new__(Server)  # daphne's send is ``partial(server.handle_reply, protocol)``
    wire = FakeWire()
    assert daphne_wire(functools.partial(server.handle_reply, wire)) is wire
    assert daphne_wire(functools.partial(server.handle_reply, object())) is None
    assert daphne_wire(AsgiSocket().send_prepared) is None


def test_a_frame_is_built_once_as_an_unmasked_text_frame():
    frame = Frame('{"type":"chat.message","text":"你好"}')
    payload = frame.text.encode()
    assert frame.prepared is frame.prepared
    # FIN + text opcode, then the payload length (under 126: one byte, no mask bit), then the payload.
    assert frame.prepared.payloadHybi == bytes([0x81, len(payload)]) + payload
    assert frame.message == {"type": "websocket.send", "text": frame.text}


def test_members_get_the_prepared_frame_on_daphne_and_the_asgi_message_elsewhere():
    open_wire, closing_wire, socket = FakeWire(), FakeWire(WebSocketProtocol.STATE_CLOSING), AsgiSocket()
    members = [
        Member(None, user_id=None, tiers=frozenset({"all"}), wire=open_wire),
        Member(None, user_id=None, tiers=frozenset({"all"}), wire=closing_wire),
        Member(socket, user_id=None, tiers=frozenset({"all"})),
    ]
    frame = Frame('{"type":"presence","count":3}')

    async def deliver():
        for member in members:
            await member.make_ready(0)
            await member.deliver(frame, None)

    asyncio.run(deliver())
    assert open_wire.written == [frame.prepared.payloadHybi]
    assert closing_wire.written == []  # a closing socket gets nothing more; its disconnect removes it
    assert socket.sent == [frame.message]


# --- the direct write to a plain TCP socket --------------------------------------------------------


class RecordingTcp(TcpServer):
    """A twisted TCP server connection over one end of a socket pair, recording what goes through ``write``."""

    def __init__(self, sock):  # not super().__init__: that would register with a reactor
        self.socket = sock
        self.connected = True
        self.disconnecting = False
        self._writeDisconnected = False
        self.dataBuffer = b""
        self._tempDataBuffer = []
        self.buffered: list[bytes] = []

    def write(self, data):
        self.buffered.append(bytes(data))


class TcpWire(FakeWire):
    def __init__(self, transport):
        super().__init__()
        self.transport = transport
        self._perMessageCompress = None
        self.send_queue = []


@pytest.fixture
def socket_pair():
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    yield ours, theirs
    ours.close()
    theirs.close()


def _read_all(sock, size: int) -> bytes:
    data = b""
    while len(data) < size:
        data += sock.recv(size - len(data))
    return data


def test_a_ready_plain_tcp_socket_gets_the_frame_straight_from_the_kernel(socket_pair):
    ours, theirs = socket_pair
    transport = RecordingTcp(ours)
    wire = TcpWire(transport)
    frame = Frame('{"type":"chat.message","text":"直接"}')

    wire_write(wire, frame)

    assert _read_all(theirs, len(frame.prepared.payloadHybi)) == frame.prepared.payloadHybi
    assert transport.buffered == [] and wire.written == []  # neither Twisted's buffer nor autobahn's path


def test_what_the_kernel_does_not_take_goes_to_twisteds_buffer_in_order(socket_pair):
    ours, theirs = socket_pair
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    transport = RecordingTcp(ours)
    wire = TcpWire(transport)
    frame = Frame(json.dumps({"type": "chat.message", "text": "x" * 2_000_000}))
    payload = frame.prepared.payloadHybi

    wire_write(wire, frame)

    assert len(transport.buffered) == 1
    rest = transport.buffered[0]
    assert 0 < len(rest) < len(payload) and payload.endswith(rest)
    assert _read_all(theirs, len(payload) - len(rest)) == payload[: len(payload) - len(rest)]


@pytest.mark.parametrize(
    "busy",
    [
        lambda transport, wire: setattr(transport, "dataBuffer", b"earlier bytes"),
        lambda transport, wire: transport._tempDataBuffer.append(b"earlier bytes"),
        lambda transport, wire: wire.send_queue.append((b"earlier", False)),
        lambda transport, wire: setattr(wire, "_perMessageCompress", object()),
        lambda transport, wire: setattr(transport, "disconnecting", True),
    ],
    ids=["twisted-buffer", "twisted-pending-list", "autobahn-queue", "compressing", "disconnecting"],
)
def test_a_socket_with_anything_queued_or_special_takes_autobahns_path(socket_pair, busy):
    ours, theirs = socket_pair
    transport = RecordingTcp(ours)
    wire = TcpWire(transport)
    busy(transport, wire)
    frame = Frame('{"type":"presence","count":1}')

    wire_write(wire, frame)

    assert wire.written == [frame.prepared.payloadHybi]  # after whatever was queued, never before it
    theirs.setblocking(False)
    with pytest.raises(BlockingIOError):
        theirs.recv(100)


def test_a_wire_that_is_not_plain_tcp_takes_autobahns_path():
    wire = FakeWire()
    wire.transport = object()  # e.g. TLS: a protocol wrapper, not a TCP connection
    frame = Frame('{"type":"presence","count":1}')
    wire_write(wire, frame)
    assert wire.written == [frame.prepared.payloadHybi]


def test_a_peer_that_went_away_is_left_to_its_disconnect(socket_pair):
    ours, theirs = socket_pair
    theirs.close()
    transport = RecordingTcp(ours)
    wire = TcpWire(transport)
    frame = Frame('{"type":"presence","count":1}')
    wire_write(wire, frame)  # EPIPE/ECONNRESET: no exception, nothing buffered
    assert transport.buffered == [] and wire.written == []


# --- the hub's outbox: one write per socket for everything fanned out since the last flush ----------


class CountingSocket:
    """A real socket that counts the ``send`` calls made on it."""

    def __init__(self, sock):
        self.sock = sock
        self.sends = 0

    def send(self, data):
        self.sends += 1
        return self.sock.send(data)


def _tcp_member(sock, *, tiers=frozenset({"all"}), user_id=None) -> tuple[Member, CountingSocket]:
    counting = CountingSocket(sock)
    member = Member(None, user_id=user_id, tiers=tiers, wire=TcpWire(RecordingTcp(counting)))
    member.is_ready = True
    return member, counting


def _hub_of(*members: Member) -> RoomHub:
    """A room hub (on the running loop) holding the given sockets."""
    hub = RoomHub(1, layer=None)
    for member in members:
        hub.add(member)
    return hub


def _frames_on(sock) -> list[dict]:
    """Decode the unmasked text frames (payloads under 126 bytes) waiting on a socket."""
    sock.setblocking(False)
    data = b""
    with contextlib.suppress(BlockingIOError):
        while chunk := sock.recv(65536):
            data += chunk
    frames = []
    while data:
        assert data[0] == 0x81 and data[1] < 126
        frames.append(json.loads(data[2 : 2 + data[1]]))
        data = data[2 + data[1] :]
    return frames


@pytest.fixture
def pairs():
    made = []

    def make():
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        made.extend((ours, theirs))
        return ours, theirs

    yield make
    for sock in made:
        sock.close()


def test_frames_fanned_out_together_reach_each_socket_in_one_write_in_order(pairs):
    (a_ours, a_theirs), (b_ours, b_theirs) = pairs(), pairs()

    async def scenario():
        a, a_sends = _tcp_member(a_ours)
        b, b_sends = _tcp_member(b_ours)
        hub = _hub_of(a, b)
        await hub.fan_out('{"type":"chat.message","seq":1}', "all", 1)
        await hub.fan_out('{"type":"presence","count":2}', "all", None)
        await hub.fan_out('{"type":"chat.message","seq":2}', "all", 2)
        assert a_sends.sends == b_sends.sends == 0  # nothing yet: the flush runs once the loop is free
        await asyncio.sleep(0)
        return a, a_sends, b_sends

    a, a_sends, b_sends = asyncio.run(scenario())
    assert a_sends.sends == b_sends.sends == 1
    expected = [
        {"type": "chat.message", "seq": 1},
        {"type": "presence", "count": 2},
        {"type": "chat.message", "seq": 2},
    ]
    assert _frames_on(a_theirs) == _frames_on(b_theirs) == expected
    assert a.last_seq == 2


def test_a_flush_gives_each_socket_only_the_frames_for_its_tiers_and_itself(pairs):
    (aud_ours, aud_theirs), (mod_ours, mod_theirs), (owner_ours, owner_theirs) = pairs(), pairs(), pairs()

    async def scenario():
        audience, _ = _tcp_member(aud_ours, user_id=5)
        moderator, _ = _tcp_member(mod_ours, tiers=frozenset({"all", "moderators", "judges"}), user_id=6)
        owner, _ = _tcp_member(owner_ours, user_id=7)
        hub = _hub_of(audience, moderator, owner)
        await hub.fan_out('{"type":"chat.message","seq":1}', "all", 1)
        await hub.fan_out('{"type":"score.submitted","seq":2}', "judges", 2)
        await hub.fan_out('{"type":"interest","n":1}', "all", None, user_id=7)
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert _frames_on(aud_theirs) == [{"type": "chat.message", "seq": 1}]
    assert _frames_on(mod_theirs) == [{"type": "chat.message", "seq": 1}, {"type": "score.submitted", "seq": 2}]
    assert _frames_on(owner_theirs) == [{"type": "chat.message", "seq": 1}, {"type": "interest", "n": 1}]


def test_a_socket_that_becomes_ready_before_the_flush_gets_each_frame_once(pairs):
    (old_ours, old_theirs), (new_ours, new_theirs) = pairs(), pairs()

    async def scenario():
        old, _ = _tcp_member(old_ours)
        new, _ = _tcp_member(new_ours)
        new.is_ready = False  # still being sent its connect state
        hub = _hub_of(old, new)
        await hub.fan_out('{"type":"chat.message","seq":4}', "all", 4)
        await hub.fan_out('{"type":"presence","count":2}', "all", None)
        await new.make_ready(3)  # its state covered seq 3; seq 4 and the presence were buffered
        await hub.fan_out('{"type":"chat.message","seq":5}', "all", 5)
        await asyncio.sleep(0)

    asyncio.run(scenario())
    expected = [
        {"type": "chat.message", "seq": 4},
        {"type": "presence", "count": 2},
        {"type": "chat.message", "seq": 5},
    ]
    assert _frames_on(old_theirs) == expected
    assert _frames_on(new_theirs) == expected


def test_a_socket_that_already_had_part_of_a_batch_gets_only_the_rest(pairs):
    ours, theirs = pairs()

    async def scenario():
        member, _ = _tcp_member(ours)
        member.last_seq = 8  # its connect-time replay went up to seq 8
        hub = _hub_of(member)
        for seq in (8, 9):
            await hub.fan_out(json.dumps({"type": "chat.message", "seq": seq}), "all", seq)
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert _frames_on(theirs) == [{"type": "chat.message", "seq": 9}]


def test_after_a_long_flush_the_next_waits_as_long_and_carries_everything_that_came_meanwhile(pairs):
    ours, theirs = pairs()

    async def scenario():
        member, sends = _tcp_member(ours)
        hub = _hub_of(member)
        hub._flush_not_before = hub.loop.time() + 0.2  # as if the last flush had taken 0.2 s
        await hub.fan_out('{"type":"chat.message","seq":1}', "all", 1)
        await asyncio.sleep(0.05)
        await hub.fan_out('{"type":"chat.message","seq":2}', "all", 2)
        await asyncio.sleep(0.05)
        written_early = sends.sends
        await asyncio.sleep(0.2)
        return written_early, sends.sends

    written_early, written = asyncio.run(scenario())
    assert (written_early, written) == (0, 1)
    assert _frames_on(theirs) == [{"type": "chat.message", "seq": 1}, {"type": "chat.message", "seq": 2}]


def test_sockets_not_on_daphne_get_each_frame_as_it_is_fanned_out():
    socket_ = AsgiSocket()

    async def scenario():
        member = Member(socket_, user_id=None, tiers=frozenset({"all"}))
        hub = _hub_of(member)
        await member.make_ready(0)
        await hub.fan_out('{"type":"presence","count":1}', "all", None)
        return len(socket_.sent)

    assert asyncio.run(scenario()) == 1  # at once, not at the next flush
