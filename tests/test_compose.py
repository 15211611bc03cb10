"""docker-compose.yml, the Dockerfile and deploy/nginx.conf agree with each other and with the project.

No Docker is needed: the files are parsed, and everything they name (modules, the Celery app,
management commands, files to copy or mount, environment variables) is looked up here.
"""

import fnmatch
import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat", "backup")
DOCKERFILE = (ROOT / "Dockerfile").read_text()
# Instructions with their continuation lines joined: [("RUN", "pip install ..."), ...].
INSTRUCTIONS = re.findall(r"^([A-Z]+) (.+)$", DOCKERFILE.replace("\\\n", " "), flags=re.MULTILINE)
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
ENV_EXAMPLE = (ROOT / "deploy" / "env.example").read_text()
APP_ENV = SERVICES["web"]["environment"]


def words(command: list[str] | str) -> list[str]:
    """A command as its words; ``sh -c "a && b"`` is opened up."""
    if isinstance(command, str):
        return shlex.split(command)
    if command[:2] == ["sh", "-c"]:
        return shlex.split(command[2])
    return command


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``."""

    def substitute(match: re.Match) -> str:
        name, operator, rest = match.group(1), match.group(2), match.group(3)
        if variables.get(name):
            return variables[name]
        if operator == ":-":
            return rest
        raise KeyError(f"{name} is required: {rest}")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", substitute, value)


def all_commands() -> list[list[str]]:
    commands = [words(service["command"]) for service in SERVICES.values() if "command" in service]
    commands += [words(arguments) for instruction, arguments in INSTRUCTIONS if instruction == "RUN"]
    return commands


def test_the_production_services_are_all_there():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat", "backup", "proxy"}
    assert SERVICES["db"]["image"] == "postgres:16-alpine"
    assert SERVICES["redis"]["image"] == "redis:7-alpine"
    assert SERVICES["proxy"]["image"].startswith("nginx:")
    for name in APP_SERVICES:
        assert (SERVICES[name]["build"], SERVICES[name]["image"]) == (".", "haizhi-events:latest"), name
        # Celery's single-task processes keep one connection each instead of a pool.
        expected = {**APP_ENV, "DB_POOL": "false"} if name in ("worker", "beat") else APP_ENV
        assert SERVICES[name]["environment"] == expected, name


def test_web_is_two_daphne_replicas_serving_the_asgi_application():
    web = SERVICES["web"]
    command = web["command"]
    assert command[0] == "daphne"
    assert (option(command, "-b"), option(command, "-p")) == ("0.0.0.0", "8000")  # noqa: S104
    assert web["deploy"]["replicas"] == 2
    module_path, attribute = command[-1].split(":")
    asgi = importlib.import_module(module_path)
    assert getattr(asgi, attribute) is importlib.import_module("contest_site.asgi").application
    assert f"{module_path}.{attribute}" == settings.ASGI_APPLICATION
    # The image runs the same thing when started on its own.
    assert [json.loads(arguments) for instruction, arguments in INSTRUCTIONS if instruction == "CMD"] == [command]


def test_celery_worker_and_beat_find_the_project_app():
    for name, role in (("worker", "worker"), ("beat", "beat")):
        command = SERVICES[name]["command"]
        assert command[0] == "celery"
        assert command[3] == role
        app = find_app(option(command, "-A"))  # the lookup `celery -A` itself does
        assert isinstance(app, Celery)
        assert app is importlib.import_module("contest_site.celery").app
    schedule = re.search(r"--schedule=(\S+)", " ".join(SERVICES["beat"]["command"])).group(1)
    assert SERVICES["beat"]["volumes"] == [f"beat:{Path(schedule).parent}"]


def test_every_management_command_named_exists():
    named = {
        command[position + 1]
        for command in all_commands()
        for position, word in enumerate(command)
        if word == "manage.py"
    }
    assert named == {"migrate", "collectstatic", "backup"}
    assert named <= set(get_commands())


def test_the_backup_service_runs_the_backup_command_nightly_with_retention():
    from django.core.management import load_command_class

    command = words(SERVICES["backup"]["command"])
    start = command.index("manage.py")
    invocation = command[start + 1 : command.index("||")]
    assert invocation == ["backup", "--keep", "${BACKUP_KEEP:-14}"]
    arguments = [interpolate(word, {}) for word in invocation[1:]]
    parsed = load_command_class("core", "backup").create_parser("manage.py", "backup").parse_args(arguments)
    assert parsed.keep == 14
    assert command[command.index("sleep") + 1] == "86400;"
    # The image carries pg_dump for it.
    assert any("postgresql-client" in arguments for instruction, arguments in INSTRUCTIONS if instruction == "RUN")


def test_migrate_is_a_one_shot_that_the_app_waits_for():
    migrate = SERVICES["migrate"]
    assert migrate["restart"] == "no"
    assert words(migrate["command"]) == [
        "python",
        "manage.py",
        "migrate",
        "--noinput",
        "&&",
        "python",
        "manage.py",
        "collectstatic",
        "--noinput",
    ]
    ready = {"condition": "service_healthy"}
    assert migrate["depends_on"] == {"db": ready, "redis": ready}
    for name in ("web", "worker", "beat", "backup"):
        assert SERVICES[name]["depends_on"] == {
            "db": ready,
            "redis": ready,
            "migrate": {"condition": "service_completed_successfully"},
        }, name
    assert SERVICES["proxy"]["depends_on"] == {"web": ready}


def test_health_checks():
    db = SERVICES["db"]
    assert db["healthcheck"]["test"] == [
        "CMD",
        "pg_isready",
        "-U",
        db["environment"]["POSTGRES_USER"],
        "-d",
        db["environment"]["POSTGRES_DB"],
    ]
    assert SERVICES["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    web_check = SERVICES["web"]["healthcheck"]["test"]
    assert web_check[:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:8000/healthz" in web_check[3]
    assert resolve("/healthz").view_name == "core:healthz"
    # The check's own timeout stays below Docker's, so a slow answer counts as unhealthy.
    assert "timeout=15" in web_check[3]
    assert SERVICES["web"]["healthcheck"]["timeout"] == "20s"
    assert "127.0.0.1" in APP_ENV["ALLOWED_HOSTS"].split(",")
    assert SERVICES["proxy"]["healthcheck"]["test"] == [
        "CMD",
        "wget",
        "-q",
        "-O",
        "/dev/null",
        "http://127.0.0.1/healthz",
    ]


def test_app_environment_is_read_by_the_settings():
    assert APP_ENV["DEBUG"] == "False"
    assert APP_ENV["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert {"DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "MEDIA_ROOT"} <= set(APP_ENV)
    settings_source = (ROOT / "contest_site" / "settings.py").read_text()
    for name in APP_ENV:
        assert f'"{name}"' in settings_source, f"settings.py does not read {name}"
    db = SERVICES["db"]["environment"]
    password = "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}"
    assert db["POSTGRES_PASSWORD"] == password
    assert APP_ENV["DATABASE_URL"] == f"postgres://{db['POSTGRES_USER']}:{password}@db:5432/{db['POSTGRES_DB']}"
    assert APP_ENV["REDIS_URL"] == "redis://redis:6379/0"


def test_app_environment_gives_the_production_settings(tmp_path):
    """Load settings.py in a fresh process with the environment compose would pass."""
    dotenv = {"SECRET_KEY": "s" * 20 + "-compose-test-key-" + "0123456789abcdef" * 2, "POSTGRES_PASSWORD": "pw"}
    env = {name: interpolate(str(value), dotenv) for name, value in APP_ENV.items()}
    env.update(PATH=os.environ["PATH"], LANG="C.UTF-8")
    probe = (
        "import importlib.util, json\n"
        f"spec = importlib.util.spec_from_file_location('s', {str(ROOT / 'contest_site' / 'settings.py')!r})\n"
        "s = importlib.util.module_from_spec(spec); spec.loader.exec_module(s)\n"
        "print(json.dumps([s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'],"
        " s.CHANNEL_LAYERS['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER, s.ALLOWED_HOSTS,"
        " str(s.STATIC_ROOT), str(s.MEDIA_ROOT), s.SERVE_MEDIA, s.SESSION_COOKIE_SECURE,"
        " s.STORAGES['staticfiles']['BACKEND']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        False,
        "django.db.backends.postgresql",
        "db",
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        False,
        ["localhost", "127.0.0.1"],
        "/srv/static",
        "/srv/media",
        False,
        True,
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_every_compose_variable_is_documented():
    used = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()))
    documented = set(re.findall(r"^(\w+)=", ENV_EXAMPLE, flags=re.MULTILINE))
    assert used == documented


def test_volumes_connect_the_app_and_the_proxy():
    declared = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).is_file(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"
    static_root, media_root = APP_ENV["STATIC_ROOT"], APP_ENV["MEDIA_ROOT"]
    assert SERVICES["migrate"]["volumes"] == [f"static:{static_root}"]
    metrics = f"metrics:{APP_ENV['PROMETHEUS_MULTIPROC_DIR']}"  # web and worker add their figures up there
    for name in ("web", "worker"):
        assert SERVICES[name]["volumes"] == [
            f"media:{media_root}",
            f"private_media:{APP_ENV['PRIVATE_MEDIA_ROOT']}",
            metrics,
        ], name
    assert COMPOSE["volumes"]["metrics"]["driver_opts"]["type"] == "tmpfs"
    # The proxy reads static files and public uploads, never the private ones.
    assert SERVICES["proxy"]["volumes"] == [
        "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro",
        f"static:{static_root}:ro",
        f"media:{media_root}:ro",
    ]
    # The backup reads both media folders (read-only) and writes into its own volume at BACKUP_DIR.
    backup_dir = re.search(r"\bBACKUP_DIR=(\S+)", DOCKERFILE).group(1)
    assert SERVICES["backup"]["volumes"] == [
        f"media:{media_root}:ro",
        f"private_media:{APP_ENV['PRIVATE_MEDIA_ROOT']}:ro",
        f"backups:{backup_dir}",
    ]
    assert backup_dir in re.search(r"RUN mkdir -p (/srv/[^&]+)&&", DOCKERFILE).group(1).split()
    # The image's own paths are the ones compose uses.
    for name in ("STATIC_ROOT", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
        assert re.search(rf"\b{name}={re.escape(APP_ENV[name])}\b", DOCKERFILE), name


def _location(prefix: str) -> str:
    """The body of ``location <prefix> { ... }`` up to its first closing brace at the same depth."""
    start = NGINX.index(f"location {prefix} {{")
    depth = 0
    for position in range(start, len(NGINX)):
        depth += {"{": 1, "}": -1}.get(NGINX[position], 0)
        if NGINX[position] == "}" and depth == 0:
            return NGINX[start : position + 1]
    raise AssertionError(f"location {prefix} is not closed")


def test_nginx_serves_the_volumes_and_proxies_to_web():
    for prefix, root_dir in (("/static/", APP_ENV["STATIC_ROOT"]), ("/media/", APP_ENV["MEDIA_ROOT"])):
        root = re.search(r"^\s+root (\S+);", _location(prefix), flags=re.MULTILINE).group(1)
        assert f"{root}{prefix}" == f"{root_dir}/", prefix
    upstream = re.search(r"upstream (\w+) \{[^}]*server (\S+?):(\d+)", NGINX)
    assert upstream.group(2) in SERVICES
    assert upstream.group(3) == option(SERVICES["web"]["command"], "-p")
    for prefix in ("/ws/", "/"):
        block = _location(prefix)
        assert f"proxy_pass http://{upstream.group(1)};" in block
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in block
    websockets = _location("/ws/")
    assert "proxy_http_version 1.1;" in websockets
    assert "proxy_set_header Upgrade $http_upgrade;" in websockets
    assert "proxy_set_header Connection $connection_upgrade;" in websockets
    assert "--proxy-headers" in SERVICES["web"]["command"]


def test_nginx_accepts_the_largest_upload():
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", NGINX).group(1))
    assert megabytes * 1024 * 1024 > settings.REGISTRATION_DECK_MAX_BYTES


def test_nginx_accepts_recordings_on_the_room_forms_only():
    from django.urls import resolve

    block = _location("~ ^/rooms/(new/[^/]+|[^/]+/edit)/$")
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", block).group(1))
    assert megabytes * 1024 * 1024 > settings.LIVESTREAM_RECORDING_MAX_BYTES
    pattern = re.compile(r"^/rooms/(new/[^/]+|[^/]+/edit)/$")
    for path, view in (("/rooms/new/contest/", "livestream:create"), ("/rooms/demo-room/edit/", "livestream:edit")):
        assert pattern.match(path) and resolve(path).view_name == view
    assert not pattern.match("/rooms/demo-room/") and not pattern.match("/events/x/registration/")
    assert "proxy_pass http://haizhi_web;" in block and "proxy_set_header X-Forwarded-For $remote_addr;" in block


def test_dockerfile_builds_from_the_project():
    def arguments_of(name: str) -> list[str]:
        return [arguments for instruction, arguments in INSTRUCTIONS if instruction == name]

    assert [arguments.split()[0] for arguments in arguments_of("FROM")] == ["python:3.11-slim", "python:3.11-slim"]
    for arguments in arguments_of("COPY"):
        *sources, _destination = arguments.split()
        if not sources[0].startswith("--from="):
            for source in sources:
                assert (ROOT / source).exists(), f"COPY source {source} is missing"
    assert arguments_of("USER") == ["app"]
    # Static files are collected at build time, as the app user, with DEBUG off and a throw-away key.
    collect = [arguments for arguments in arguments_of("RUN") if "collectstatic" in arguments]
    assert len(collect) == 1
    assert re.fullmatch(r"DEBUG=False SECRET_KEY=\S{50,} +python manage.py collectstatic --noinput", collect[0])
    assert INSTRUCTIONS.index(("USER", "app")) < INSTRUCTIONS.index(("RUN", collect[0]))
    # The translations stage compiles messages with the polib pinned for development.
    pins = [line for line in (ROOT / "requirements-dev.txt").read_text().splitlines() if line.startswith("polib==")]
    assert len(pins) == 1
    assert (
        """pip install --no-cache-dir --disable-pip-version-check "$(grep -i '^polib==' requirements-dev.txt)\""""
        in (arguments_of("RUN"))
    )
    assert "mkdir -p locale && python scripts/compile_messages.py" in arguments_of("RUN")
    assert "--from=messages /src/locale ./locale" in arguments_of("COPY")


def test_dockerignore_keeps_secrets_out_and_what_the_build_needs_in():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".env", ".venv", ".git"} <= set(patterns)
    needed = [
        "requirements.txt",
        "requirements-dev.txt",
        "scripts/compile_messages.py",
        "manage.py",
        "static",
        "locale",
    ]
    needed += ["contest_site/settings.py", "templates"]
    for path in needed:
        assert not any(fnmatch.fnmatch(path, pattern.strip("/")) for pattern in patterns), path


def test_the_broker_keeps_its_queue_and_a_stopping_worker_finishes_its_task():
    """Redis writes its append-only file (queued tasks survive a restart), and Docker waits for
    the worker's warm shutdown instead of killing a task that would then wait out the visibility
    timeout (bench/redis_restart_cache_broker.py, bench/fault_worker_kill.py)."""
    command = SERVICES["redis"]["command"]
    assert option(command, "--appendonly") == "yes"
    assert SERVICES["worker"]["stop_grace_period"] == "2m"
    assert settings.CELERY_TASK_ACKS_LATE is True
