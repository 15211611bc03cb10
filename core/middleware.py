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
    """Gives each request an id for its log records and its answer: a sane incoming ``X-Request-ID``, else a new one."""

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)  # a sync worker thread serves the next request with a clean context
        response[REQUEST_ID_HEADER] = request.request_id
        return response

    async def _acall(self, request):
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request.request_id)
        try:
            response = await self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


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
