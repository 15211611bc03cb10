"""Who is on the other end of a websocket: cookies, a read-only session and the signed-in user.

Channels' ``AuthMiddlewareStack`` wraps every outgoing message in its session middleware, which
checks the session on each frame in case it must be saved. The sockets here never change the
session, and in a roadshow room the hub writes each frame to thousands of sockets: py-spy
showed that per-frame check taking about 15 % of the fan-out's CPU. This middleware does the
same look-up once, at connect, and passes ``send`` through untouched.

A socket without a session cookie is anonymous without asking the session store: that look-up
runs in the one thread Channels keeps for database work, where thousands of viewers joining a
room at once queue up behind each other's room state, and daphne drops a handshake the
application has not answered within its connect timeout (5 s). Measured with 5,000 viewers
joining (bench/room_fanout.py, Redis layer): 65 handshakes dropped before, none after.
"""

from importlib import import_module

from channels.auth import get_user
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie


class SessionUserMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        cookies = parse_cookie(headers.get(b"cookie", b"").decode("latin1"))
        session_key = cookies.get(settings.SESSION_COOKIE_NAME)
        session_store = import_module(settings.SESSION_ENGINE).SessionStore
        scope = dict(scope, cookies=cookies, session=session_store(session_key))
        scope["user"] = await get_user(scope) if session_key else AnonymousUser()
        return await super().__call__(scope, receive, send)
