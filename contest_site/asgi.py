"""ASGI entry: HTTP through Django, websockets through Channels.

Websocket routes are collected from each app's ``routing.websocket_urlpatterns``.
Foreign origins are refused before any consumer runs; a path no app routes is closed.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier  # noqa: E402
from django.urls import re_path  # noqa: E402

from contest_site.routing import websocket_urlpatterns  # noqa: E402
from core.websocket_auth import SessionUserMiddleware  # noqa: E402

# Refuse unknown paths cleanly instead of letting URLRouter raise "No route found".
websocket_routes = [*websocket_urlpatterns, re_path(r"^.*$", WebsocketDenier.as_asgi())]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(SessionUserMiddleware(URLRouter(websocket_routes))),
    }
)

# What start-up made (Django, URL patterns, templates, translations) lives as long as the process:
# freeze it out of the collector's walks, and run young collections less often. With a thousand
# sockets in a roadshow room, full collections were what set the tail of a fan-out
# (bench/room_fanout.py, 1,000 viewers at 10 msg/s: p99 180 ms before, 62 ms after).
gc.freeze()
gc.set_threshold(100_000, 50, 100)
