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
