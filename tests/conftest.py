import datetime as dt
import os
import re

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from hypothesis import settings as hypothesis_settings

# The live daphne servers (``daphne_server``) and their template database, for the whole suite.
pytest_plugins = ["tests.e2e_server"]

# Property tests check answers, not speed: CI runs on a loaded two-core machine, where an example
# can exceed Hypothesis's default 200 ms deadline and fail a correct test.
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")


def pytest_configure(config):
    # pytest-xdist workers share the Redis database of REDIS_URL: each gets key and channel
    # prefixes of its own (set before any cache or channel layer is built).
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and django_settings.REDIS_URL:
        django_settings.CACHES["default"]["KEY_PREFIX"] += f"-{worker}"
        django_settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] += f"-{worker}"


def _start_rank(item) -> int:
    """0: tests that seed the whole demo programme in-process; 1: tests on live servers (or e2e);
    2: the rest. The long ones go to the xdist workers first (``--no-loadscope-reorder``), so that the
    two workers end together instead of one finishing them alone; the seed tests come before the
    live ones to leave the background build of the live servers' template time to finish."""
    if "demo" in item.path.name:
        return 0
    if {"daphne_server", "e2e_template"} & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("e2e"):
        return 1
    return 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    items.sort(key=_start_rank)  # a stable sort: pytest-django's order within each rank


def clear_cache() -> None:
    """Empty the cache. On Redis only this process's keys: FLUSHDB would also empty the cache of a
    live daphne server or of another xdist worker on the same Redis database, mid-test."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache) or not backend.key_prefix:
        backend.clear()
        return
    client = backend._cache.get_client(write=True)
    pattern = re.sub(r"([*?\[\]\\])", r"\\\1", backend.key_prefix) + ":*"
    keys = list(client.scan_iter(match=pattern, count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.LANGUAGE_CODE = "zh-hans"
    yield
    # Rate-limit counters (allauth, chat) live in the cache: start every test clean.
    clear_cache()


@pytest.fixture
def password():
    return "Str0ng-pass-phrase!"


class Clock:
    """The one way a test sets the time (``tests/test_clock_discipline.py`` keeps it the only one).

    Built on time-machine, so ``timezone.now()``, ``date.today()`` and ``time.time()`` all agree,
    in every thread of the test process. A test either works relative to the real clock (factories
    do) or pins every instant it depends on here; it never mixes a pinned instant with data made
    relative to the real clock. CI runs the suite once with the real clock moved over a year ahead
    (``faketime``) to prove it.
    """

    def __init__(self, machine):
        self._machine = machine

    def freeze(self, when: dt.datetime) -> dt.datetime:
        """Stop the clock at ``when`` (an aware datetime) for the rest of the test or until moved again."""
        if when.tzinfo is None:
            raise ValueError("Clock.freeze needs an aware datetime")
        self._machine.move_to(when, tick=False)
        return when

    def run_from(self, when: dt.datetime) -> dt.datetime:
        """Move the clock to ``when`` and let it tick on from there."""
        if when.tzinfo is None:
            raise ValueError("Clock.run_from needs an aware datetime")
        self._machine.move_to(when, tick=True)
        return when

    def shift(self, delta: dt.timedelta | None = None, **parts: float) -> None:
        """Move the clock forward (or back) by ``delta`` or by ``timedelta(**parts)``."""
        self._machine.shift(delta if delta is not None else dt.timedelta(**parts))


@pytest.fixture
def clock(time_machine) -> Clock:
    return Clock(time_machine)
