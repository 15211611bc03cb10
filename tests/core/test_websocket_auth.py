"""The websocket session middleware: who is on the other end, asked of the session store only when a cookie says so."""

import asyncio

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from core import websocket_auth
from core.websocket_auth import SessionUserMiddleware
from tests.factories import UserFactory


def _scope_user(cookie: str | None) -> object:
    seen = {}

    async def inner(scope, receive, send):
        seen["user"] = scope["user"]

    headers = [(b"cookie", f"sessionid={cookie}".encode())] if cookie is not None else []
    scope = {"type": "websocket", "path": "/ws/rooms/x/", "headers": headers}
    asyncio.run(SessionUserMiddleware(inner)(scope, None, None))
    return seen["user"]


def test_a_socket_without_a_session_cookie_is_anonymous_without_a_trip_to_the_database_thread(monkeypatch):
    async def no_lookup(scope):
        raise AssertionError("the session store was asked")

    monkeypatch.setattr(websocket_auth, "get_user", no_lookup)
    assert isinstance(_scope_user(None), AnonymousUser)


@pytest.mark.django_db(transaction=True)
def test_a_session_cookie_is_looked_up_and_an_unknown_one_is_anonymous():
    user = UserFactory()
    client = Client()
    client.force_login(user)

    assert _scope_user(client.cookies["sessionid"].value) == user
    assert isinstance(_scope_user("no-such-session"), AnonymousUser)
