import datetime as dt

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

# Property tests check answers, not speed: CI runs on a loaded two-core machine, where an example
# can exceed Hypothesis's default 200 ms deadline and fail a correct test.
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.LANGUAGE_CODE = "zh-hans"
    yield
    # Rate-limit counters (allauth, chat) live in the cache: start every test clean.
    cache.clear()


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
