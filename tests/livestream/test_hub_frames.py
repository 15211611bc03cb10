"""The hub writes one prepared WebSocket frame to every daphne socket, and the ASGI message elsewhere."""

import asyncio
import functools

import pytest
from autobahn.websocket.protocol import WebSocketProtocol
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol as DaphneWebSocketProtocol

from livestream.hub import Frame, Member, daphne_wire

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
