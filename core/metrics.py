"""The figures an operator watches on a contest day, in Prometheus' format (served at ``/metrics``).

Kept in ``core``, the lowest app: the live layer and the Celery signals import these objects,
never the reverse.

One process (the default) keeps its figures in memory. Several processes (daphne replicas, the
Celery worker's children) add theirs up when ``PROMETHEUS_MULTIPROC_DIR`` names a directory they
all share, emptied when they all stop: each process writes its own files there
(prometheus_client's multiprocess mode) and a scrape of any one of them reads them all. Figures
read at scrape time (the database pool, the Celery queues) are those of the answering process.

prometheus-client rather than django-prometheus: the latter counts by view name too, but times
database and cache calls through its own backends (an ENGINE of its own, beside the pool), serves
its figures to anyone, and takes its multiprocess mode from this same library.

Labels stay bounded: a request is labelled by its URL's name (never its path), its method and
its status class; a task by its registered name.
"""

import atexit
import hmac
import ipaddress
import logging
import os
import re
import socket
from collections.abc import Iterable, Iterator

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    values,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

logger = logging.getLogger(__name__)

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
# prometheus_client names a process's files and its "pid" label after this; "_" separates the
# parts of those file names.
_HOST = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "host"


def process_identifier() -> str:
    """This process, told apart from the others writing to the shared directory.

    Containers sharing the directory each number their processes from 1: the host name (the
    container's) keeps two daphne replicas' pid 7 apart.
    """
    return f"{_HOST}-{os.getpid()}"


def _forget_this_process() -> None:
    """Drop this process's live gauges (its open sockets) from the shared directory."""
    mark_process_dead(process_identifier(), MULTIPROC_DIR)


if MULTIPROC_DIR:
    os.makedirs(MULTIPROC_DIR, exist_ok=True)
    # Must precede the first metric: each metric takes its storage from this class.
    values.ValueClass = values.MultiProcessValue(process_identifier)
    atexit.register(_forget_this_process)

# A "_created" time series beside each counter and histogram doubles the series for little use.
disable_created_metrics()

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Requests no URL pattern matched (unknown paths, static files): one label for all of them.
UNMATCHED_ROUTE = "<unmatched>"

HTTP_REQUESTS = Counter(
    "haizhi_http_requests",
    "HTTP requests answered, by URL name, method and status class.",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "haizhi_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL name and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ROOM_SOCKETS = Gauge(
    "haizhi_room_sockets", "Roadshow room websockets open in this process.", multiprocess_mode="liveall"
)
ROOM_HUBS = Gauge(
    "haizhi_room_hubs", "Roadshow rooms with at least one socket in this process.", multiprocess_mode="liveall"
)
ROOM_FRAMES = Counter(
    "haizhi_room_frames", "Frames the room hubs fanned out (each counted once, however many sockets got it)."
)
ROOM_FANOUT_LAG = Histogram(
    "haizhi_room_fanout_lag_seconds",
    "From a frame's arrival in a room hub to the end of its writes to the hub's sockets (per outbox flush).",
    buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CELERY_TASKS = Counter(
    "haizhi_celery_tasks",
    "Celery tasks run, by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)


# The labelled children per (route, method, status class): ``labels()`` costs more than the count itself.
_http_children: dict[tuple[str, str, int], tuple] = {}


def http_request_observe(*, route: str | None, method: str, status: int, seconds: float) -> None:
    key = (route or UNMATCHED_ROUTE, method if method in HTTP_METHODS else "OTHER", status // 100)
    children = _http_children.get(key)
    if children is None:
        route, method, status_class = key
        children = _http_children[key] = (
            HTTP_REQUESTS.labels(route=route, method=method, status=f"{status_class}xx"),
            HTTP_DURATION.labels(route=route, method=method),
        )
    requests, duration = children
    requests.inc()
    duration.observe(seconds)


def room_sockets_report(*, rooms: int, sockets: int) -> None:
    ROOM_HUBS.set(rooms)
    ROOM_SOCKETS.set(sockets)


# --- Celery ------------------------------------------------------------------------------------


def _task_succeeded(sender=None, **kwargs) -> None:
    CELERY_TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="succeeded").inc()


def _task_failed(sender=None, **kwargs) -> None:
    CELERY_TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="failed").inc()


def _task_retried(sender=None, **kwargs) -> None:
    CELERY_TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="retried").inc()


def _worker_child_stopped(**kwargs) -> None:
    if MULTIPROC_DIR:
        _forget_this_process()  # pool children leave through os._exit: atexit does not run


def celery_signals_connect() -> None:
    """Count task outcomes in whichever process runs the task (a worker child, or the caller when eager)."""
    from celery import signals

    signals.task_success.connect(_task_succeeded, dispatch_uid="core.metrics.task_success")
    signals.task_failure.connect(_task_failed, dispatch_uid="core.metrics.task_failure")
    signals.task_retry.connect(_task_retried, dispatch_uid="core.metrics.task_retry")
    signals.worker_process_shutdown.connect(_worker_child_stopped, dispatch_uid="core.metrics.worker_child")


# --- Figures read at scrape time ----------------------------------------------------------------

POOL_GAUGES = {
    "pool_min": ("haizhi_db_pool_min", "Smallest size the database pool keeps."),
    "pool_max": ("haizhi_db_pool_max", "Largest size the database pool may grow to."),
    "pool_size": ("haizhi_db_pool_size", "Connections in the database pool, in use or not."),
    "pool_available": ("haizhi_db_pool_available", "Idle connections in the database pool."),
    "in_use": ("haizhi_db_pool_in_use", "Database pool connections lent to requests now."),
    "requests_waiting": ("haizhi_db_pool_requests_waiting", "Requests waiting for a pool connection now."),
}
# psycopg_pool's cumulative counts (absent until first counted), with the scale to seconds where timed.
POOL_COUNTERS = {
    "requests_num": ("haizhi_db_pool_requests", 1, "Connections asked of the database pool."),
    "requests_queued": ("haizhi_db_pool_requests_queued", 1, "Requests that had to wait for a pool connection."),
    "requests_wait_ms": ("haizhi_db_pool_requests_wait_seconds", 1000, "Time requests waited for a pool connection."),
    "requests_errors": ("haizhi_db_pool_requests_errors", 1, "Requests the pool could not serve (timeout, closed)."),
    "connections_num": ("haizhi_db_pool_connections", 1, "Connections the pool opened to the server."),
    "connections_errors": ("haizhi_db_pool_connections_errors", 1, "Failed attempts to open a pool connection."),
    "connections_lost": ("haizhi_db_pool_connections_lost", 1, "Pool connections found broken."),
}


def database_pool_stats() -> dict | None:
    """The database pool's figures, or None without a pool (SQLite, PostgreSQL without pooling)."""
    from . import db  # read at scrape time, so a test can stand in for it

    return db.pool_stats()


class DatabasePoolCollector:
    def describe(self) -> list[Metric]:
        return []  # read at scrape time: nothing to register in advance

    def collect(self) -> Iterator[Metric]:
        try:
            stats = database_pool_stats()
        except Exception:
            logger.exception("Could not read the database pool's figures")
            return
        if not stats:
            return
        for key, (name, documentation) in POOL_GAUGES.items():
            if key in stats:
                yield GaugeMetricFamily(name, documentation, value=stats[key])
        for key, (name, scale, documentation) in POOL_COUNTERS.items():
            yield CounterMetricFamily(name, documentation, value=stats.get(key, 0) / scale)


# kombu's Redis transport keeps one list per queue and priority step: the queue's own name for the
# first step, the name, a separator and the priority for the others.
KOMBU_PRIORITY_STEPS = (0, 3, 6, 9)
KOMBU_PRIORITY_SEPARATOR = "\x06\x16"

_redis_clients: dict[str, object] = {}


def _broker_client(url: str, timeout: float):
    import redis

    client = _redis_clients.get(url)
    if client is None:
        client = _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    return client


def celery_queue_keys(queue: str, transport_options: dict) -> list[str]:
    prefix = transport_options.get("global_keyprefix", "")
    separator = transport_options.get("sep", KOMBU_PRIORITY_SEPARATOR)
    steps = transport_options.get("priority_steps", KOMBU_PRIORITY_STEPS)
    return [f"{prefix}{queue}" if step == 0 else f"{prefix}{queue}{separator}{step}" for step in steps]


def celery_queue_lengths() -> dict[str, int] | None:
    """Messages waiting in each Celery queue on the Redis broker; None without Redis (eager tasks)."""
    from celery import current_app
    from django.conf import settings

    if not settings.REDIS_URL:
        return None
    conf = current_app.conf
    options = conf.broker_transport_options or {}
    queues = sorted({conf.task_default_queue, *current_app.amqp.queues.keys()})
    client = _broker_client(settings.CELERY_BROKER_URL, settings.REDIS_TIMEOUT)
    with client.pipeline(transaction=False) as pipeline:
        for queue in queues:
            for key in celery_queue_keys(queue, options):
                pipeline.llen(key)
        lengths = iter(pipeline.execute())
    steps = len(celery_queue_keys("", options))
    return {queue: sum(next(lengths) for _step in range(steps)) for queue in queues}


class CeleryQueueCollector:
    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        try:
            lengths = celery_queue_lengths()
        except Exception as exc:
            logger.warning("Could not read the Celery queue lengths: %s", exc.__class__.__name__)
            yield GaugeMetricFamily("haizhi_celery_broker_up", "Whether the Celery broker answered.", value=0)
            return
        if lengths is None:
            return
        yield GaugeMetricFamily("haizhi_celery_broker_up", "Whether the Celery broker answered.", value=1)
        family = GaugeMetricFamily("haizhi_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"])
        for queue, length in lengths.items():
            family.add_metric([queue], length)
        yield family


_scrape_time_registry = CollectorRegistry()
_scrape_time_registry.register(DatabasePoolCollector())
_scrape_time_registry.register(CeleryQueueCollector())


def exposition(*, multiproc_dir: str = "") -> tuple[bytes, str]:
    """The text a scrape gets, and its content type: every process's figures if ``multiproc_dir``."""
    if multiproc_dir:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=multiproc_dir)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_scrape_time_registry), CONTENT_TYPE_LATEST


# --- Who may read them ----------------------------------------------------------------------------


def _networks(allowed: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for item in filter(None, (item.strip() for item in allowed)):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: %r is not an address or a network; ignored", item)
    return networks


def metrics_access_refusal(*, authorization: str, remote_addr: str, token: str, allowed_ips: Iterable[str]) -> str:
    """Why a scrape is refused, or "" when it may read the figures.

    Allowed: the bearer token ``METRICS_TOKEN``, or a client address inside ``METRICS_ALLOWED_IPS``
    (addresses or networks). With neither configured nobody may.
    """
    from django.utils.translation import gettext

    networks = _networks(allowed_ips)
    if not token and not networks:
        return gettext("Metrics are turned off: set METRICS_TOKEN or METRICS_ALLOWED_IPS.")
    scheme, _space, presented = authorization.partition(" ")
    if token and scheme.lower() == "bearer" and presented:
        if hmac.compare_digest(presented.strip().encode(), token.encode()):
            return ""
        return gettext("The metrics token is not valid.")
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        address = None
    if address is not None and any(address in network for network in networks):
        return ""
    if token:
        return gettext("Send the metrics token as “Authorization: Bearer <token>”.")
    return gettext("This address may not read the metrics.")
