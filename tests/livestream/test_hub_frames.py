"""The hub writes one prepared WebSocket frame to every daphne socket, and the ASGI message elsewhere."""

import asyncio
import functools
import json
import socket

import pytest
from autobahn.websocket.protocol import WebSocketProtocol
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol as DaphneWebSocketProtocol
from twisted.internet.tcp import Server as TcpServer

from livestream.hub import Frame, Member, daphne_wire, wire_write

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
