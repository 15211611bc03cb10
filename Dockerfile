# syntax=docker/dockerfile:1
# Haizhi Events: one image for every process of docker-compose.yml (daphne web, the migrate
# one-shot, Celery worker and beat, the nightly backup). Build context: the repository root (see .dockerignore).

# --- Translations -------------------------------------------------------------------
# locale/*.po are compiled to .mo here with polib, a development tool that stays out of the
# runtime image; the image is right whether or not compiled .mo files are committed.
FROM python:3.11-slim AS messages
WORKDIR /src
COPY requirements-dev.txt ./
RUN pip install --no-cache-dir --disable-pip-version-check "$(grep -i '^polib==' requirements-dev.txt)"
COPY . .
RUN mkdir -p locale && python scripts/compile_messages.py

# --- Runtime ----------------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/srv/static \
    MEDIA_ROOT=/srv/media \
    PRIVATE_MEDIA_ROOT=/srv/private_media \
    BACKUP_DIR=/srv/backups
WORKDIR /app

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# pg_dump and pg_restore for `manage.py backup` / `restore`: they must be at least as new as the
# PostgreSQL server: the base image's Debian (trixie) ships 17, newer than the compose file's postgres:16.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code stays owned by root (read-only for the app user); only /srv is writable.
COPY . .
COPY --from=messages /src/locale ./locale
RUN mkdir -p /srv/static /srv/media /srv/private_media /srv/beat /srv/backups && chown -R app:app /srv

USER app
# Hashed, compressed static files baked into the image. The key only lets the settings load
# with DEBUG off for this one command; at run time docker-compose.yml sets the real SECRET_KEY.
RUN DEBUG=False SECRET_KEY=collectstatic-at-build-time-only-not-a-runtime-secret-0123456789 \
    python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "contest_site.asgi:application"]
