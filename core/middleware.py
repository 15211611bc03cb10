"""Request id and request figures, outermost in ``MIDDLEWARE`` so they see every answer.

Both work in Django's async chain (daphne) and in a sync one, without switching between the two.
"""

import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from . import metrics
from .logs import request_id_from, request_id_var

REQUEST_ID_HEADER = "X-Request-ID"


class _SyncAndAsyncMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)


class RequestIdMiddleware(_SyncAndAsyncMiddleware):
    """Gives each request an id for its log records and its answer: a sane incoming ``X-Request-ID``, else a new one.

    The id stays set after the middleware chain, for the record Django writes of a 4xx or 5xx answer
    once the chain has returned; ``request_id_forget`` clears it when the request has finished.
    """

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        request_id_var.set(self._request_id(request))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response

    async def _acall(self, request):
        request_id_var.set(self._request_id(request))
        response = await self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response

    @staticmethod
    def _request_id(request) -> str:
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        return request.request_id


def request_id_forget(**kwargs) -> None:
    """On ``request_finished``: a thread that serves requests one after another starts the next one clean."""
    request_id_var.set(None)


def _route(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


class MetricsMiddleware(_SyncAndAsyncMiddleware):
    """Counts and times each request under its URL's name (``core.metrics``)."""

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._observe(request, response, started)
        return response

    async def _acall(self, request):
        started = time.perf_counter()
        response = await self.get_response(request)
        self._observe(request, response, started)
        return response

    @staticmethod
    def _observe(request, response, started: float) -> None:
        metrics.http_request_observe(
            route=_route(request),
            method=request.method,
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
