"""Websocket URL patterns of every app, gathered for the ASGI router."""

from livestream.routing import websocket_urlpatterns as livestream_patterns

websocket_urlpatterns: list = [
    *livestream_patterns,
]
