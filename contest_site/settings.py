"""Settings for Haizhi Events.

Every deployment value is read from the environment here, in one place. With no
environment set the site runs on one machine with no services (SQLite, in-memory
channel layer, eager Celery, local-memory cache, console e-mail). ``DATABASE_URL``
switches to PostgreSQL, ``REDIS_URL`` to the Redis channel layer, cache and broker.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the site refuses to start without "
            "a secret key: set SECRET_KEY to a long random string (for example the "
            "output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "accounts",
    "events",
    "core",
    "registration",
    "notifications",
    "livestream",
    "judging",
    "docking",
    "landing",
    "insights",
    "awards",
    "experts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 503 instead of 500 when the database cannot be had (core/db.py); above every middleware that reads it.
    "core.db.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "contest_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "events.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "contest_site.asgi.application"

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Reuse connections: opening one per query dominated the live-room benchmark (PostgreSQL), and a
# new SQLite connection per database call was an eighth of a websocket connect.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DB_POOL = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several daphne/celery threads write to one file: wait for the lock instead of failing. A
    # transaction takes the write lock when it begins (IMMEDIATE): a deferred one that reads first
    # and writes later cannot wait for a lock another writer holds, and failed at once with
    # "database is locked" (a judge's autosave racing the submit button). WAL lets readers go on
    # while one connection writes; with WAL, synchronous=NORMAL (SQLite's advice) syncs at
    # checkpoints instead of at every commit and cannot corrupt the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable server fails a request (and /healthz) in seconds instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Connection pool (psycopg_pool, README "Database connections"): under ASGI every sync request
    # runs in a thread of its own, and a connection per thread kept for CONN_MAX_AGE ran PostgreSQL
    # out of connections ("too many clients") with 40 visitors. With the pool each process holds
    # between DB_POOL_MIN_SIZE and DB_POOL_MAX_SIZE connections whatever the traffic; a request that
    # finds them all busy waits up to DB_POOL_TIMEOUT seconds, then gets a 503 page
    # (core.db.DatabaseUnavailableMiddleware). Budget: web replicas x DB_POOL_MAX_SIZE + Celery
    # worker processes + beat must stay under the server's max_connections (100 by default).
    # DB_POOL=false goes back to one connection per thread (Celery's single-threaded processes).
    DB_POOL = env.bool("DB_POOL", default=True)
    if DB_POOL:
        # Django returns the connection to the pool when the request ends (CONN_MAX_AGE 0).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
            "timeout": env.float("DB_POOL_TIMEOUT", default=5.0),
            # A connection lost (server restarted) is replaced within seconds, not minutes.
            "reconnect_timeout": env.float("DB_POOL_RECONNECT_TIMEOUT", default=30.0),
            "name": "default",
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# --- Redis: channel layer, cache, Celery broker ---------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Seconds to wait for Redis to connect or answer: an unreachable Redis fails fast instead of hanging.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=3.0)
if REDIS_URL:
    _redis_timeouts = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **_redis_timeouts}],
                "prefix": env.str("REDIS_PREFIX", default="haizhi"),
            },
        }
    }
    CACHES = {
        "default": {
            # Django's Redis cache that answers as an empty one while Redis is down: rate limits
            # fail open instead of every API call and sign-in failing (core/cache.py).
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("REDIS_PREFIX", default="haizhi"),
            "OPTIONS": _redis_timeouts,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it has finished, not when a worker took it: a worker killed half-way
# (SIGKILL, out of memory, a container stopped) leaves its task to the next worker. A pool process
# lost mid-task requeues the task at once; a whole worker lost leaves it unacknowledged in Redis,
# which hands it out again after the visibility timeout. So every task may run more than once:
# each is idempotent, and e-mails carry a ``once`` key (notifications.models.Delivery) so no one
# gets one twice. The timeout must outlast the longest task (an export of every entry takes
# seconds), or a slow task is handed to a second worker while the first still runs.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")  # several sites (or benches) on one Redis
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a killed worker holds back one waiting task, not four
_visibility_timeout = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    # Each worker looks for tasks whose visibility timeout ran out this often (kombu's default,
    # 10 s × every 10th look, left a dead worker's task waiting up to 100 s more).
    "unacked_restore_interval": max(1, min(30, _visibility_timeout // 2)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
}
# Redis down or restarting: a worker keeps reconnecting (also when it starts before Redis), and
# queuing a task retries for about CELERY_PUBLISH_RETRY_SECONDS (a restart takes a second or two)
# before it raises kombu's OperationalError to the caller.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": max(1, int(env.float("CELERY_PUBLISH_RETRY_SECONDS", default=10.0) / 0.5)),
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
CELERY_BEAT_SCHEDULE: dict = {
    # Reminds owners of unsubmitted drafts once per event, a few days before the deadline.
    "registration-draft-reminders": {"task": "registration.tasks.send_draft_reminders", "schedule": 3600.0},
    # Closes judging rounds whose closing time has passed, locking their cards.
    "judging-close-due-rounds": {"task": "judging.tasks.close_due_rounds", "schedule": 300.0},
    # Landing ledger cadence: creates the period's checks, reminds assignees, flags overdue ones (idempotent).
    "landing-cadence": {"task": "landing.tasks.run_cadence", "schedule": 86400.0},
}

# --- Auth and accounts -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
# allauth's default, stated: signing up with a taken address does not say so on the page (that
# would reveal who has an account); the owner gets an "account already exists" e-mail instead.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated so they are visible and tested.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Haizhi] "

# --- Languages and time --------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve user uploads from daphne when no proxy is in front (see contest_site/urls.py).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

# Upload limits: requests are capped, images are checked again when decoded.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
AVATAR_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_PIXELS = 25_000_000
REGISTRATION_DECK_MAX_BYTES = 20 * 1024 * 1024
REGISTRATION_IMAGE_MAX_BYTES = 5 * 1024 * 1024
REGISTRATION_FILE_MAX_BYTES = 10 * 1024 * 1024
# Entrants' files are never served from /media/: they live here and go out through a
# permission-checked view. Empty means a "private_media" folder beside MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = env.str("PRIVATE_MEDIA_ROOT", default="")

# --- E-mail ----------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or ""  # filemail:////abs/dir: four slashes for an absolute path
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Haizhi Events <noreply@haizhi.example>")
# The site's public address, for links in e-mails sent by tasks (which have no request).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Haizhi Events API",
    "DESCRIPTION": "Contest, roadshow, docking and landing programme API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to validator.swagger.io: the docs must work inside a closed network.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "DealKindEnum": "docking.models.Deal.Kind",
        "DealStageEnum": "docking.models.Deal.Stage",
        "MeetingStatusEnum": "docking.models.Meeting.Status",
        "MeetingModeEnum": "docking.models.Meeting.Mode",
        "LedgerStatusEnum": "landing.models.LedgerStatus",
        "LandedCompanyBaseEnum": "landing.models.LandedCompany.Base",
        "CadenceTaskKindEnum": "landing.models.CadenceTask.Kind",
    },
}

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# TLS ends at the proxy; once it does, these turn on the HTTPS redirect and HSTS.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks speak plain HTTP to daphne
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# --- Logs ----------------------------------------------------------------------------------
# Every record carries the id of the request it belongs to (core.middleware.RequestIdMiddleware).
# LOG_FORMAT=json writes one JSON object per line, for a log collector; the default stays plain text.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT is {LOG_FORMAT!r}: use text (the default) or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"daphne": {"level": "WARNING"}},
}

# --- Metrics: GET /metrics in Prometheus' format (core.metrics; README "Metrics and logs") ----------
# Readable with "Authorization: Bearer <METRICS_TOKEN>" or from an address in METRICS_ALLOWED_IPS
# (addresses or networks, comma-separated); with neither set, by nobody.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN is too short: use at least 16 random characters.")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
# Several processes (daphne replicas, Celery worker children) add their figures up through files in
# this shared directory; prometheus_client reads the same variable. Empty: one process, in memory.
METRICS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
# Outermost, so the request id is in every record and every answer is counted.
MIDDLEWARE = ["core.middleware.RequestIdMiddleware", "core.middleware.MetricsMiddleware", *MIDDLEWARE]
# Prometheus scrapes daphne over plain HTTP inside the deployment's network.
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]

# WhiteNoise serves static files from daphne itself (no proxy needed); in DEBUG it reads
# them straight from the app folders, otherwise from the collected, hashed files.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask for at the site's root (/favicon.ico), served as they are in both modes.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# --- Roadshow rooms (livestream) ------------------------------------------------------
# Hosts whose players may be embedded in a room page (https only); organisers pick from these.
LIVESTREAM_EMBED_HOSTS = env.list(
    "LIVESTREAM_EMBED_HOSTS", default=["player.bilibili.com", "v.qq.com", "www.youtube-nocookie.com"]
)
LIVESTREAM_CHAT_MAX_LENGTH = 500
LIVESTREAM_QUESTION_MAX_LENGTH = 300
# Per user per room: (how many, per how many seconds).
LIVESTREAM_RATE_LIMITS = {
    "chat": (env.int("LIVESTREAM_CHAT_PER_10S", default=5), 10),
    "question": (3, 60),
    "reaction": (20, 10),
    "vote": (30, 10),
}
LIVESTREAM_REACTIONS = ["applause", "heart", "fire", "idea"]
# Audience vote (awards): attempts per user and per IP address, as (how many, per how many seconds);
# a burst flag when this many accounts younger than AWARDS_NEW_ACCOUNT_HOURS vote from one address
# within AWARDS_BURST_MINUTES.
AWARDS_VOTE_RATE_LIMITS = {"user": (5, 60), "ip": (env.int("AWARDS_VOTES_PER_IP_PER_MINUTE", default=30), 60)}
AWARDS_NEW_ACCOUNT_HOURS = 24
AWARDS_BURST_VOTES = 5
AWARDS_BURST_MINUTES = 10
# How often each process pushes aggregated presence, reactions and poll results to its sockets.
LIVESTREAM_TICK_SECONDS = env.float("LIVESTREAM_TICK_SECONDS", default=0.5)
# A process re-announces its viewer count this often; a count not renewed in 3 heartbeats expires.
LIVESTREAM_PRESENCE_HEARTBEAT_SECONDS = 5.0
# A reconnect that missed more events than this gets a fresh room state instead of the replay.
LIVESTREAM_RESUME_MAX_EVENTS = 500
LIVESTREAM_STATE_CHAT_MESSAGES = 100
# Agenda: pitches per room; extra time one pitch may get in all (the console adds 1 or 3 minutes at a time).
LIVESTREAM_AGENDA_MAX_SLOTS = 60
LIVESTREAM_PITCH_MAX_EXTENSION_SECONDS = 30 * 60
# How many of the people interested in a pitch organisers see listed (newest first; the count is exact).
LIVESTREAM_INTEREST_LIST_MAX = 200
# Uploaded recordings for replay: MP4 or WebM, at most this size (the proxy's body limit must allow it too).
LIVESTREAM_RECORDING_MAX_BYTES = env.int("LIVESTREAM_RECORDING_MAX_MB", default=2048) * 1024 * 1024

# --- Backups (core/backup.py; `manage.py backup` / `restore`) ---------------------------------
# Where `manage.py backup` writes its archives when no --output is given.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
# Folder holding pg_dump and pg_restore, when the ones found on their own (Debian's
# /usr/lib/postgresql/<version>/bin, then PATH) are older than the server.
BACKUP_PG_BIN_DIR = env.str("BACKUP_PG_BIN_DIR", default="")
