"""The ASGI entry point: websockets guarded by origin and route, HTTP through Django."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.conf import settings

from contest_site.asgi import application


def websocket_connect(path: str, origin: bytes) -> tuple[bool, int | str | None]:
    """Connect and hang up. Consumers close old database connections, hence the django_db marks."""

    async def attempt():
        communicator = WebsocketCommunicator(application, path, headers=[(b"origin", origin)])
        try:
            return await communicator.connect()
        finally:
            await communicator.disconnect()

    return async_to_sync(attempt)()


@pytest.fixture
def routed_paths(monkeypatch) -> list[str]:
    """Records the paths that got past the origin check into the URL router."""
    paths = []
    route = URLRouter.__call__

    async def recording_route(self, scope, receive, send):
        paths.append(scope["path"])
        return await route(self, scope, receive, send)

    monkeypatch.setattr(URLRouter, "__call__", recording_route)
    return paths


@pytest.mark.integration
@pytest.mark.django_db
def test_websocket_from_a_foreign_origin_is_refused_before_routing(routed_paths):
    assert websocket_connect("/ws/rooms/final/", b"https://attacker.example") == (False, 1000)
    assert routed_paths == []


@pytest.mark.integration
@pytest.mark.django_db
def test_websocket_without_an_origin_is_refused():
    async def attempt():
        communicator = WebsocketCommunicator(application, "/ws/rooms/final/")
        return await communicator.connect()

    assert async_to_sync(attempt)() == (False, 1000)


@pytest.mark.integration
@pytest.mark.django_db
def test_websocket_to_an_unknown_path_is_closed(routed_paths):
    """A site origin gets through to the router, which closes a path no app routes."""
    assert websocket_connect("/ws/no-such-thing/", b"http://localhost") == (False, 1000)
    assert routed_paths == ["/ws/no-such-thing/"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_asgi_application_serves_healthz():
    """A real ASGI request (the request signals open and close the connection as under daphne)."""

    async def request():
        communicator = HttpCommunicator(application, "GET", "/healthz", headers=[(b"host", b"localhost")])
        response = await communicator.get_response(timeout=30)
        # Let Django finish the request (request_finished closes the database connection).
        await communicator.wait(timeout=30)
        return response

    response = async_to_sync(request)()
    assert response["status"] == 200
    assert (b"Content-Type", b"application/json") in response["headers"]
    body = json.loads(response["body"])
    assert body["status"] == "ok"
    body["checks"]["database"].pop("pool", None)  # PostgreSQL: the pool's figures (tests/core/test_health.py)
    assert body["checks"]["database"] == {
        "ok": True,
        "detail": "postgresql" if settings.USING_POSTGRES else "sqlite",
    }
    assert body["checks"]["channel_layer"] == {
        "ok": True,
        "detail": "RedisPubSubChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer",
    }
