"""The settings module in both modes, imported in a fresh process with a controlled environment."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

SETTINGS_FILE = ROOT / "contest_site" / "settings.py"
SECRET = secrets.token_urlsafe(50)

# Loads settings.py on its own (not the contest_site package, whose Celery import is slow) and
# prints the values the tests look at as JSON (paths and lazy strings as text).
PROBE = f"""
import importlib.util, json
spec = importlib.util.spec_from_file_location("probed_settings", {str(SETTINGS_FILE)!r})
s = importlib.util.module_from_spec(spec)
spec.loader.exec_module(s)
print(json.dumps({{
    "DEBUG": s.DEBUG,
    "DATABASE": s.DATABASES["default"],
    "CHANNEL_LAYERS": s.CHANNEL_LAYERS,
    "CACHES": s.CACHES,
    "CELERY_BROKER_URL": s.CELERY_BROKER_URL,
    "CELERY_TASK_ALWAYS_EAGER": s.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_TIMEZONE": s.CELERY_TIMEZONE,
    "EMAIL": [s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD,
              s.EMAIL_USE_TLS, s.EMAIL_USE_SSL],
    "TIME_ZONE": s.TIME_ZONE,
    "STATICFILES_STORAGE": s.STORAGES["staticfiles"]["BACKEND"],
    "SESSION_COOKIE_SECURE": getattr(s, "SESSION_COOKIE_SECURE", None),
    "CSRF_COOKIE_SECURE": getattr(s, "CSRF_COOKIE_SECURE", None),
    "SECURE_PROXY_SSL_HEADER": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
    "WHITENOISE_USE_FINDERS": s.WHITENOISE_USE_FINDERS,
}}, default=str))
"""
PROBE_COMMAND = [sys.executable, "-c", PROBE]
MANAGE = [sys.executable, "manage.py"]
DEBUG_OFF = {"DEBUG": "False", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "events.example.org"}
HTTPS = {
    "SECURE_SSL_REDIRECT": "True",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
    "SECURE_HSTS_PRELOAD": "True",
}

# name: (command, environment). Each runs in its own process; all start at once to keep this quick.
SCENARIOS = {
    "embedded": (PROBE_COMMAND, {}),
    "postgres": (PROBE_COMMAND, {"DATABASE_URL": "postgres://haizhi:s3cret@db.internal:5433/haizhi"}),
    "postgres_pool_env": (
        PROBE_COMMAND,
        {
            "DATABASE_URL": "postgres://haizhi:s3cret@db.internal:5433/haizhi",
            "DB_POOL_MIN_SIZE": "1",
            "DB_POOL_MAX_SIZE": "4",
            "DB_POOL_TIMEOUT": "2.5",
        },
    ),
    "postgres_no_pool": (
        PROBE_COMMAND,
        {"DATABASE_URL": "postgres://haizhi:s3cret@db.internal:5433/haizhi", "DB_POOL": "false"},
    ),
    "redis": (PROBE_COMMAND, {"REDIS_URL": "redis://redis.internal:6379/3"}),
    "redis_timeout": (PROBE_COMMAND, {"REDIS_URL": "redis://redis.internal:6379/0", "REDIS_TIMEOUT": "0.5"}),
    "smtp": (PROBE_COMMAND, {"EMAIL_URL": "smtp+tls://mailer:p%40ss@mail.internal:587"}),
    "debug_off_no_key": ([sys.executable, "-c", "import contest_site.settings"], {"DEBUG": "False"}),
    "debug_off": (PROBE_COMMAND, {"DEBUG": "False", "SECRET_KEY": SECRET}),
    "deploy_check": ([*MANAGE, "check", "--deploy"], DEBUG_OFF),
    "deploy_check_https": ([*MANAGE, "check", "--deploy", "--fail-level", "WARNING"], {**DEBUG_OFF, **HTTPS}),
}


def clean_env(variables: dict[str, str]) -> dict[str, str]:
    """Only what a Python process needs, plus ``variables``: no DATABASE_URL, REDIS_URL, ... leak in."""
    return {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", **variables}


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess]:
    started = {
        name: subprocess.Popen(
            command, cwd=ROOT, env=clean_env(variables), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name, (command, variables) in SCENARIOS.items()
    }
    finished = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=120)
        finished[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return finished


@pytest.fixture
def probe(runs):
    def settings_of(name: str) -> dict:
        result = runs[name]
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return settings_of


def test_no_environment_runs_embedded(probe):
    values = probe("embedded")
    assert values["DEBUG"] is True
    assert values["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASE"]["NAME"] == str(ROOT / "db.sqlite3")
    assert values["DATABASE"]["OPTIONS"] == {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    assert values["DATABASE"]["CONN_MAX_AGE"] == 60
    assert values["CHANNEL_LAYERS"] == {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert values["CACHES"] == {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["EMAIL"] == ["django.core.mail.backends.console.EmailBackend", "localhost", 25, "", "", False, False]
    assert values["TIME_ZONE"] == "Asia/Shanghai"
    assert values["CELERY_TIMEZONE"] == "Asia/Shanghai"
    assert values["STATICFILES_STORAGE"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert values["WHITENOISE_USE_FINDERS"] is True


def test_database_url_switches_to_postgresql(probe):
    values = probe("postgres")
    database = values["DATABASE"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("haizhi", "haizhi", "s3cret")
    assert (database["HOST"], database["PORT"]) == ("db.internal", 5433)
    # A bounded pool per process; Django gives the connection back when the request ends.
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (0, True)
    assert database["OPTIONS"] == {
        "connect_timeout": 5,
        "pool": {"min_size": 2, "max_size": 10, "timeout": 5.0, "reconnect_timeout": 30.0, "name": "default"},
    }
    # PostgreSQL alone changes nothing else.
    assert values["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True


def test_the_pool_is_sized_from_the_environment(probe):
    pool = probe("postgres_pool_env")["DATABASE"]["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (1, 4, 2.5)


def test_db_pool_off_goes_back_to_persistent_connections(probe):
    database = probe("postgres_no_pool")["DATABASE"]
    assert database["OPTIONS"] == {"connect_timeout": 5}
    assert database["CONN_MAX_AGE"] == 60


def test_redis_url_switches_channel_layer_cache_and_broker(probe):
    url = "redis://redis.internal:6379/3"
    values = probe("redis")
    timeouts = {"socket_connect_timeout": 3.0, "socket_timeout": 3.0}
    assert values["CHANNEL_LAYERS"] == {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": url, **timeouts}], "prefix": "haizhi"},
        }
    }
    assert values["CACHES"] == {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "haizhi",
            "OPTIONS": timeouts,
        }
    }
    assert values["CELERY_BROKER_URL"] == url
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    # Redis alone keeps SQLite.
    assert values["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"


def test_redis_timeout_is_read_from_the_environment(probe):
    values = probe("redis_timeout")
    assert values["CACHES"]["default"]["OPTIONS"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    assert values["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"][0]["socket_timeout"] == 0.5


def test_email_url_switches_to_smtp(probe):
    values = probe("smtp")
    assert values["EMAIL"] == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.internal",
        587,
        "mailer",
        "p@ss",
        True,
        False,
    ]


def test_debug_off_without_secret_key_refuses_to_start(runs):
    result = runs["debug_off_no_key"]
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set. With DEBUG off the site refuses "
        "to start without a secret key: set SECRET_KEY to a long random string (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )


def test_debug_off_with_secret_key_uses_hashed_static_files_and_secure_cookies(probe):
    values = probe("debug_off")
    assert values["DEBUG"] is False
    assert values["STATICFILES_STORAGE"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["WHITENOISE_USE_FINDERS"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_deploy_check_with_debug_off_leaves_only_the_https_decisions_to_the_proxy(runs):
    """Without HTTPS settings the deploy check asks only about HSTS and the HTTPS redirect."""
    result = runs["deploy_check"]
    assert result.returncode == 0, result.stderr
    assert set(re.findall(r"\((\w+\.[EW]\d+)\)", result.stderr + result.stdout)) == {
        "security.W004",
        "security.W008",
    }


def test_deploy_check_passes_cleanly_behind_https(runs):
    result = runs["deploy_check_https"]
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
