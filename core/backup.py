"""Backups: one archive holding the database and both media folders, and bringing it back.

An archive is a ``.tar.gz`` with these members::

    database/postgresql.dump   pg_dump's custom format (PostgreSQL), or
    database/sqlite3.db        a copy made through SQLite's backup API (consistent even while
                               the site writes; a raw copy of a WAL database can miss commits)
    media/...                  MEDIA_ROOT (public uploads: avatars, recordings)
    private_media/...          the private folder (entrants' files, deal documents, photos)
    manifest.json              written last: format version, creation time, engine and server
                               version, the applied migrations per app, the row count of every
                               table, and every other member's size and sha256

The database state in the manifest is read inside the dump's own snapshot (PostgreSQL: an
exported snapshot shared with pg_dump; SQLite: the copy), so the counts describe the dump.

A restore checks every member against the manifest in a staging folder before it touches
anything, refuses a database that has tables (or media folders that hold files) unless told to
replace them, and compares every table's row count with the manifest afterwards.

core is the lowest app: everything here is generic (settings, the database connection, the
migration records), nothing names another project app.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader

from core.files import private_media_root

FORMAT = "haizhi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
ARCHIVE_NAME = re.compile(r"^haizhi-backup-(\d{8}T\d{6}Z)\.tar\.gz$")
DATABASE_MEMBER = {"postgresql": "database/postgresql.dump", "sqlite": "database/sqlite3.db"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK = 1024 * 1024
PG_VERSION = re.compile(r"\(PostgreSQL\) (\d+)(?:\.(\d+))?")
# Compression is a trade: uploads (images, PDFs, video) are compressed already, the dump is too.
COMPRESS_LEVEL = 6


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    removed: list[Path] = field(default_factory=list)

    @property
    def media_files(self) -> int:
        return sum(1 for entry in self.manifest["files"] if not entry["path"].startswith("database/"))


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    media_files: int
    pending_migrations: list[str]


def media_folders() -> dict[str, Path]:
    """The archive's media prefixes and the folders they come from and go back to."""
    return {"media": Path(settings.MEDIA_ROOT), "private_media": private_media_root()}


# --- Making an archive ----------------------------------------------------------------------


def backup_create(
    *, directory: Path | None = None, output: Path | None = None, keep: int | None = None, using: str = "default"
) -> BackupResult:
    """Write one archive of the database and both media folders.

    ``output`` names the file; otherwise it goes into ``directory`` (``BACKUP_DIR``) as
    ``haizhi-backup-<UTC time>.tar.gz``, and ``keep`` then removes all but the newest ``keep``
    archives there. The file is written under a temporary name, readable by its owner only
    (it holds password hashes and entrants' files), and renamed once complete.
    """
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1.")
    created_at = datetime.now(UTC).replace(microsecond=0)
    if output is None:
        directory = Path(directory or settings.BACKUP_DIR)
        output = directory / f"haizhi-backup-{created_at:%Y%m%dT%H%M%SZ}.tar.gz"
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists; nothing was written.")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create the backup folder {output.parent}: {error.strerror}.") from error
    partial = output.with_name(f".{output.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix=".backup-", dir=output.parent) as staging:
            engine = _engine(using)
            dump_path = Path(staging) / "database"
            database = _dump_postgresql(using, dump_path) if engine == "postgresql" else _dump_sqlite(using, dump_path)
            manifest = _write_archive(partial, engine, database, dump_path, created_at)
        os.replace(partial, output)
    except (OSError, sqlite3.Error, DatabaseError) as error:
        raise BackupError(f"Writing {output} failed: {error}. Nothing was kept.") from error
    finally:
        partial.unlink(missing_ok=True)
    removed = backup_prune(directory=output.parent, keep=keep) if keep else []
    return BackupResult(path=output, manifest=manifest, removed=removed)


def backup_prune(*, directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` archives named ``haizhi-backup-<time>.tar.gz`` in ``directory``.

    Only files with exactly that name are touched; the time in the name orders them.
    """
    if keep < 1:
        raise BackupError("--keep must be at least 1.")
    archives = sorted(
        (path for path in Path(directory).iterdir() if path.is_file() and ARCHIVE_NAME.match(path.name)),
        key=lambda path: ARCHIVE_NAME.match(path.name).group(1),
    )
    removed = archives[:-keep]
    for path in removed:
        path.unlink()
    return removed


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DATABASE_MEMBER:
        raise BackupError(f"Backups support PostgreSQL and SQLite; this site uses {vendor}.")
    return vendor


def _write_archive(
    partial: Path, engine: str, database: dict[str, Any], dump_path: Path, created_at: datetime
) -> dict[str, Any]:
    files: list[dict[str, Any]] = []
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with (
        os.fdopen(descriptor, "wb") as handle,
        tarfile.open(fileobj=handle, mode="w:gz", compresslevel=COMPRESS_LEVEL) as tar,
    ):
        files.append(_add_file(tar, dump_path, DATABASE_MEMBER[engine]))
        for prefix, root in media_folders().items():
            skip = [other for other in media_folders().values() if other != root]
            for path in _walk(root, skip=skip):
                files.append(_add_file(tar, path, f"{prefix}/{path.relative_to(root).as_posix()}"))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created_at.isoformat(),
            "engine": engine,
            **database,
            "files": files,
        }
        body = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(body), 0o600, int(created_at.timestamp())
        tar.addfile(info, io.BytesIO(body))
    return manifest


def _walk(root: Path, *, skip: list[Path]) -> Iterator[Path]:
    """Regular files under ``root`` in a stable order; a folder listed in ``skip`` (the other media
    folder, when one is configured inside the other) is left to its own prefix."""
    if not root.is_dir():
        return
    skipped = {folder.resolve() for folder in skip}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if (Path(folder) / name).resolve() not in skipped)
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


class _HashingReader:
    """Hashes exactly the bytes tarfile copies into the archive (a file cannot change in between)."""

    def __init__(self, handle: IO[bytes]):
        self._handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self.digest.update(chunk)
        return chunk


def _add_file(tar: tarfile.TarFile, path: Path, member: str) -> dict[str, Any]:
    with path.open("rb") as handle:
        info = tar.gettarinfo(arcname=member, fileobj=handle)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": member, "size": info.size, "sha256": reader.digest.hexdigest()}


# --- The database: dump, state, restore -----------------------------------------------------


def _state(cursor, tables: list[str], quote) -> dict[str, Any]:
    """Row counts of ``tables`` and the applied migrations per app, read through ``cursor``."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from the catalogue, quoted)
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return {"tables": counts, "migrations": migrations}


def _dump_sqlite(using: str, target: Path) -> dict[str, Any]:
    connection = connections[using]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # The copy stands alone: no -wal file beside it when it is opened again.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        tables = [row[0] for row in cursor.fetchall()]
        state = _state(cursor, tables, connection.ops.quote_name)
    finally:
        copy.close()
    return {"database": {"sqlite_version": sqlite3.sqlite_version}, **state}


def _pg_environment(using: str) -> dict[str, str]:
    """libpq's environment for the site's database: no password on a command line."""
    settings_dict = connections[using].settings_dict
    options = settings_dict.get("OPTIONS", {})
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
        "PGCONNECT_TIMEOUT": options.get("connect_timeout"),
    }
    return {**os.environ, **{name: str(value) for name, value in values.items() if value not in (None, "")}}


def _tool_major(path: Path) -> int | None:
    try:
        # The PostgreSQL client programs found by pg_tool, with fixed arguments.
        result = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    except OSError:
        return None
    match = PG_VERSION.search(result.stdout)
    return int(match.group(1)) if match else None


def pg_tool(name: str, *, at_least: int) -> tuple[Path, int]:
    """The ``name`` program (pg_dump, pg_restore) of the lowest major version >= ``at_least``.

    pg_dump refuses a server newer than itself and pg_restore an archive from a newer pg_dump;
    one of the server's own version is the safest. Looks in ``BACKUP_PG_BIN_DIR`` when set,
    otherwise in Debian's per-version folders and on PATH.
    """
    configured = getattr(settings, "BACKUP_PG_BIN_DIR", "")
    if configured:
        candidates = [Path(configured) / name]
    else:
        candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
        if on_path := shutil.which(name):
            candidates.append(Path(on_path))
    found = {path: _tool_major(path) for path in candidates if path.is_file() and os.access(path, os.X_OK)}
    suitable = sorted((major, str(path)) for path, major in found.items() if major is not None and major >= at_least)
    if not suitable:
        seen = ", ".join(f"{path} ({major})" for path, major in found.items()) or "none"
        raise BackupError(
            f"{name} for PostgreSQL {at_least} or newer was not found (found: {seen}). Install the "
            f"PostgreSQL {at_least} client (Debian: postgresql-client-{at_least}) or set BACKUP_PG_BIN_DIR "
            f"to the folder that holds its {name}."
        )
    major, path = suitable[0]
    return Path(path), major


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (pg_tool paths)
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-10:])
        raise BackupError(f"{what} failed (exit code {result.returncode}):\n{detail}")


def _dump_postgresql(using: str, target: Path) -> dict[str, Any]:
    """pg_dump in the custom format, inside a snapshot this connection exports and reads too."""
    connection = connections[using].copy()
    try:
        connection.ensure_connection()
        server_major = connection.pg_version // 10000
        pg_dump, dump_major = pg_tool("pg_dump", at_least=server_major)
        raw = connection.connection
        raw.autocommit = True
        with connection.wrap_database_errors, raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            state = _state(cursor, connection.introspection.table_names(cursor), connection.ops.quote_name)
            _run(
                [str(pg_dump), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
                env=_pg_environment(using),
                what="pg_dump",
            )
            cursor.execute("COMMIT")
    finally:
        connection.close()
    return {"database": {"server_version": server_version, "pg_dump_major": dump_major}, **state}


def _tables(using: str) -> list[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor, include_views=True)


def _drop_postgresql(using: str) -> None:
    """Drop every table, view and sequence in the site's schema, in one transaction."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        )
        relations = cursor.fetchall()
    kinds = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    statements = []
    for kind in ("TABLE", "FOREIGN TABLE", "MATERIALIZED VIEW", "VIEW", "SEQUENCE"):
        names = [connection.ops.quote_name(name) for relkind, name in relations if kinds[relkind] == kind]
        if names:
            statements.append(f"DROP {kind} IF EXISTS {', '.join(names)} CASCADE")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _restore_postgresql(using: str, dump: Path, manifest: dict[str, Any]) -> None:
    connection = connections[using]
    server_major = connection.pg_version // 10000
    made_by = int(manifest.get("database", {}).get("pg_dump_major") or 0)
    pg_restore, _major = pg_tool("pg_restore", at_least=max(server_major, made_by))
    env = _pg_environment(using)
    # Reads the archive's table of contents: a dump pg_restore cannot read stops us here.
    _run([str(pg_restore), "--list", str(dump)], env=env, what="Reading the database dump")
    connection.close()
    _run(
        [
            str(pg_restore),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={env.get('PGDATABASE', '')}",
            str(dump),
        ],
        env=env,
        what="pg_restore",
    )


def _restore_sqlite(using: str, copy_path: Path) -> None:
    """Copy the archived database over the site's through SQLite's backup API.

    The backup API replaces the whole target database (every page), so nothing needs dropping
    first, and it works on the open connection (WAL or not, file or in-memory).
    """
    connection = connections[using]
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{copy_path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _current_state(using: str) -> dict[str, Any]:
    connection = connections[using]
    with connection.cursor() as cursor:
        return _state(cursor, connection.introspection.table_names(cursor), connection.ops.quote_name)


# --- Reading and restoring an archive -------------------------------------------------------


def _safe_member(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        return None
    if len(path.parts) < 2 or path.parts[0] not in ("database", *media_folders()):
        return None
    return path


def _unpack(archive: Path, staging: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Extract every member into ``staging`` while hashing it; return the manifest and what was found."""
    manifest_body: bytes | None = None
    found: dict[str, dict[str, Any]] = {}
    with tarfile.open(archive, mode="r|gz") as tar:
        for member in tar:
            if member.name == MANIFEST and member.isfile():
                if manifest_body is not None or member.size > MANIFEST_MAX_BYTES:
                    raise BackupError(f"{archive} is damaged: an unexpected manifest.json.")
                manifest_body = tar.extractfile(member).read()
                continue
            relative = _safe_member(member.name)
            if relative is None or not member.isfile() or member.name in found:
                raise BackupError(f"{archive} is damaged or not a backup: unexpected member {member.name!r}.")
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            source = tar.extractfile(member)
            with target.open("wb") as handle:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
            found[member.name] = {"size": size, "sha256": digest.hexdigest()}
    if manifest_body is None:
        raise BackupError(f"{archive} is not a backup archive: it has no manifest.json.")
    try:
        manifest = json.loads(manifest_body)
    except ValueError as error:
        raise BackupError(f"{archive} is damaged: its manifest.json is not valid JSON.") from error
    return manifest, found


def _check_manifest(archive: Path, manifest: Any, found: dict[str, dict[str, Any]]) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a Haizhi Events backup (its manifest has another format).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"{archive} has backup format {version!r}; this version of the site reads format {FORMAT_VERSION} "
            "and older. Restore it with the version of the site that made it."
        )
    try:
        listed = {entry["path"]: {"size": entry["size"], "sha256": entry["sha256"]} for entry in manifest["files"]}
        tables, migrations, engine = manifest["tables"], manifest["migrations"], manifest["engine"]
    except (KeyError, TypeError) as error:
        raise BackupError(f"{archive} is damaged: its manifest lacks {error}.") from error
    if not isinstance(tables, dict) or not isinstance(migrations, dict) or engine not in DATABASE_MEMBER:
        raise BackupError(f"{archive} is damaged: its manifest is incomplete.")
    if DATABASE_MEMBER[engine] not in listed:
        raise BackupError(f"{archive} is damaged: it holds no database dump.")
    for name in sorted(set(listed) | set(found)):
        if name not in found:
            raise BackupError(f"{archive} is damaged: {name} is listed in the manifest but missing.")
        if name not in listed:
            raise BackupError(f"{archive} is damaged: {name} is not listed in the manifest.")
        if found[name] != listed[name]:
            raise BackupError(f"{archive} is damaged: the checksum of {name} does not match the manifest.")


def _check_compatible(manifest: dict[str, Any], using: str) -> list[str]:
    """Refuse an archive this site cannot take; return the site's migrations the archive lacks."""
    engine = _engine(using)
    if manifest["engine"] != engine:
        raise BackupError(
            f"This archive holds a {ENGINE_NAMES[manifest['engine']]} database and the site uses "
            f"{ENGINE_NAMES[engine]}: restore it on a site configured for {ENGINE_NAMES[manifest['engine']]}."
        )
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    archived = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(archived - on_disk)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"The archive's database has migrations this version of the site does not know ({listed}"
            f"{', ...' if len(unknown) > 5 else ''}): restore it with the version of the site that made it."
        )
    return [f"{app}.{name}" for app, name in sorted(on_disk - archived)]


def _media_in_place() -> list[Path]:
    return [path for prefix, root in media_folders().items() for path in _walk(root, skip=[])][:3]


def _empty_folder(root: Path) -> None:
    """Remove what is inside ``root`` (often a mounted volume: the folder itself stays)."""
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def backup_verify(*, archive: Path, using: str = "default") -> tuple[dict[str, Any], list[str]]:
    """Check an archive without changing anything: every member against the manifest, and that
    this site can take it. Returns the manifest and the migrations the site would still apply."""
    with _unpacked(Path(archive)) as (manifest, _staging):
        return manifest, _check_compatible(manifest, using)


@contextlib.contextmanager
def _unpacked(archive: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    if not archive.is_file():
        raise BackupError(f"No backup archive at {archive}.")
    with tempfile.TemporaryDirectory(prefix="haizhi-restore-") as staging:
        try:
            manifest, found = _unpack(archive, Path(staging))
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise BackupError(f"{archive} is damaged or not a .tar.gz backup ({error}).") from error
        except OSError as error:
            raise BackupError(f"Reading {archive} failed: {error}.") from error
        _check_manifest(archive, manifest, found)
        yield manifest, Path(staging)


def backup_restore(*, archive: Path, replace: bool = False, using: str = "default") -> RestoreResult:
    """Bring an archive back: database first, then both media folders.

    Nothing is touched until every member matched its checksum and the archive suits this site
    (same database engine, no migration the code does not know). The database must have no
    tables and the media folders no files, unless ``replace``: then everything is dropped and
    emptied first. Afterwards every table's row count must equal the manifest's.
    """
    try:
        return _restore(Path(archive), replace=replace, using=using)
    except (OSError, sqlite3.Error, DatabaseError) as error:
        raise BackupError(f"Restoring {archive} failed: {error}") from error


def _restore(archive: Path, *, replace: bool, using: str) -> RestoreResult:
    with _unpacked(archive) as (manifest, staging):
        pending = _check_compatible(manifest, using)
        tables = _tables(using)
        present = _media_in_place()
        if (tables or present) and not replace:
            found = []
            if tables:
                found.append(f"the database has {len(tables)} tables (e.g. {', '.join(sorted(tables)[:3])})")
            if present:
                found.append(f"the media folders hold files (e.g. {present[0]})")
            raise BackupError(
                f"Refusing to restore: {' and '.join(found)}. Restore into an empty database and empty media "
                "folders, or pass --replace to drop the database's tables and empty the media folders first."
                " Nothing was changed."
            )
        engine = manifest["engine"]
        dump = staging / DATABASE_MEMBER[engine]
        if engine == "postgresql":
            if tables:
                _drop_postgresql(using)
            _restore_postgresql(using, dump, manifest)
        else:
            _restore_sqlite(using, dump)
        media_files = 0
        for prefix, root in media_folders().items():
            _empty_folder(root)
            source = staging / prefix
            if not source.is_dir():
                continue
            for path in _walk(source, skip=[]):
                target = root / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)
                media_files += 1
    restored = _current_state(using)
    if restored["tables"] != manifest["tables"]:
        differing = sorted(
            table
            for table in set(restored["tables"]) | set(manifest["tables"])
            if restored["tables"].get(table) != manifest["tables"].get(table)
        )
        raise BackupError(f"The restored database differs from the archive in {', '.join(differing[:5])}.")
    return RestoreResult(
        manifest=manifest, tables=len(restored["tables"]), media_files=media_files, pending_migrations=pending
    )
