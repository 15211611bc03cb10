"""Backups: an archive of the database and both media folders comes back whole, or not at all.

The round trips run in whichever mode the suite runs (SQLite in embedded mode, PostgreSQL with
DATABASE_URL). The demo round trip needs PostgreSQL: it builds a database of its own from
scratch with migrate and seed_demo, backs it up, drops it, restores it and compares.
"""

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from core.backup import BackupError, backup_create, backup_restore, media_folders
from registration.models import Attachment
from tests.factories import EntryFactory, UserFactory

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _folders(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private_media")
    settings.BACKUP_DIR = tmp_path / "backups"


@pytest.fixture
def schema_back():
    """A test that drops the tables and fails before restoring them leaves the schema migrated."""
    yield
    if "django_migrations" not in connection.introspection.table_names():
        call_command("migrate", verbosity=0)


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def media_checksums() -> dict[str, str]:
    return {
        f"{prefix}/{path.relative_to(root).as_posix()}": hashlib.sha256(path.read_bytes()).hexdigest()
        for prefix, root in media_folders().items()
        if root.is_dir()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def wipe() -> None:
    """Drop every table and empty both media folders: a new, empty site."""
    with connection.cursor() as cursor:
        quoted = [connection.ops.quote_name(table) for table in connection.introspection.table_names(cursor)]
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in quoted:
                cursor.execute(f"DROP TABLE {table}")
            cursor.execute("PRAGMA foreign_keys = ON")
        else:
            cursor.execute(f"DROP TABLE {', '.join(quoted)} CASCADE")
    for root in media_folders().values():
        for path in sorted(root.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()


def seed() -> dict:
    """A little of everything: users, an entry with a private pitch deck, a public avatar."""
    owner = UserFactory(email="li.ming@example.com")
    owner.avatar.save("li.png", ContentFile(b"\x89PNG avatar bytes"), save=True)
    entry = EntryFactory(owner=owner)
    attachment = Attachment(entry=entry, kind="deck", original_name="deck.pdf", content_type="application/pdf", size=9)
    attachment.file.save("deck.pdf", ContentFile(b"%PDF-1.4 deck"), save=False)
    attachment.save()
    UserFactory.create_batch(3)
    return {"owner": owner.pk, "password": owner.password, "deck": attachment.file.name, "avatar": owner.avatar.name}


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar}


def write_archive(path: Path, contents: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, body in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_an_empty_site_brings_back_every_row_and_file(schema_back):
    seeded = seed()
    counts, checksums = table_counts(), media_checksums()
    assert {f"private_media/{seeded['deck']}", f"media/{seeded['avatar']}"} <= set(checksums)

    result = backup_create()
    wipe()
    assert table_counts() == {} and media_checksums() == {}
    restored = backup_restore(archive=result.path)

    assert table_counts() == counts
    assert media_checksums() == checksums
    assert restored.tables == len(counts)
    assert restored.media_files == len(checksums) == 2
    assert restored.pending_migrations == []
    owner = User.objects.get(pk=seeded["owner"])
    assert (owner.email, owner.password) == ("li.ming@example.com", seeded["password"])
    assert Attachment.objects.get().file.read() == b"%PDF-1.4 deck"
    # The restored database takes new rows after the old ones (its sequences came back too).
    highest = User.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert UserFactory().pk > highest


@pytest.mark.django_db(transaction=True)
def test_archive_holds_a_manifest_of_checksums_and_is_private(settings):
    seed()
    result = backup_create()
    assert result.path.parent == settings.BACKUP_DIR
    assert result.path.name.startswith("haizhi-backup-") and result.path.name.endswith(".tar.gz")
    assert result.path.stat().st_mode & 0o777 == 0o600
    contents = members(result.path)
    manifest = json.loads(contents.pop("manifest.json"))
    assert manifest["format"] == "haizhi-backup" and manifest["format_version"] == 1
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"] == table_counts()
    assert "0001_initial" in manifest["migrations"]["registration"]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(contents)
    for name, body in contents.items():
        assert listed[name]["sha256"] == hashlib.sha256(body).hexdigest()
        assert listed[name]["size"] == len(body)
    database_member = {"sqlite": "database/sqlite3.db", "postgresql": "database/postgresql.dump"}[connection.vendor]
    assert database_member in contents
    if connection.vendor == "sqlite":
        assert contents[database_member].startswith(b"SQLite format 3\x00")
    else:
        assert contents[database_member].startswith(b"PGDMP")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_site_that_has_tables_and_changes_nothing():
    seed()
    archive = backup_create().path
    UserFactory(email="added.after@example.com")
    counts, checksums = table_counts(), media_checksums()

    with pytest.raises(BackupError, match=r"^Refusing to restore: the database has \d+ tables .* --replace"):
        backup_restore(archive=archive)
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("restore", str(archive))
    assert table_counts() == counts
    assert media_checksums() == checksums


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_media_folders_that_hold_files(schema_back):
    seed()
    archive = backup_create().path
    wipe()
    stray = Path(media_folders()["media"]) / "stray.txt"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left over")
    with pytest.raises(BackupError, match="the media folders hold files"):
        backup_restore(archive=archive)
    assert table_counts() == {}
    backup_restore(archive=archive, replace=True)
    assert not stray.exists()


@pytest.mark.django_db(transaction=True)
def test_replace_drops_what_is_there_first():
    seeded = seed()
    counts, checksums = table_counts(), media_checksums()
    archive = backup_create().path
    newcomer = UserFactory(email="newcomer@example.com")
    newcomer.avatar.save("new.png", ContentFile(b"new avatar"), save=True)
    User.objects.filter(pk=seeded["owner"]).update(name_en="changed")

    out = io.StringIO()
    call_command("restore", str(archive), "--replace", stdout=out)

    assert out.getvalue().startswith(f"Restored {archive} (")
    assert table_counts() == counts
    assert media_checksums() == checksums
    assert not User.objects.filter(email="newcomer@example.com").exists()
    assert User.objects.get(pk=seeded["owner"]).name_en != "changed"


@pytest.mark.django_db(transaction=True)
def test_a_tampered_archive_is_refused_before_anything_is_touched(tmp_path, schema_back):
    seeded = seed()
    original = backup_create().path
    contents = members(original)
    wipe()
    deck = f"private_media/{seeded['deck']}"

    def refused(name: str, changed: dict[str, bytes], message: str) -> None:
        archive = write_archive(tmp_path / name, changed)
        with pytest.raises(BackupError, match=message):
            backup_restore(archive=archive)
        assert table_counts() == {}
        assert media_checksums() == {}

    refused("changed.tar.gz", {**contents, deck: b"%PDF-1.4 forged"}, f"the checksum of {deck} does not match")
    refused("extra.tar.gz", {**contents, "media/extra.txt": b"x"}, "media/extra.txt is not listed in the manifest")
    without_deck = {name: body for name, body in contents.items() if name != deck}
    refused("missing.tar.gz", without_deck, f"{deck} is listed in the manifest but missing")
    refused("escape.tar.gz", {**contents, "../escape.txt": b"x"}, "unexpected member '../escape.txt'")
    no_manifest = {name: body for name, body in contents.items() if name != "manifest.json"}
    refused("nomanifest.tar.gz", no_manifest, "has no manifest.json")
    future = json.loads(contents["manifest.json"])
    future["migrations"]["registration"].append("9999_from_the_future")
    refused(
        "future.tar.gz",
        {**contents, "manifest.json": json.dumps(future).encode()},
        r"migrations this version of the site does not know \(registration.9999_from_the_future\)",
    )
    assert not (tmp_path / "escape.txt").exists()
    # The untouched archive still restores.
    backup_restore(archive=original)
    assert f"private_media/{seeded['deck']}" in media_checksums()


@pytest.mark.django_db(transaction=True)
def test_damaged_or_missing_archives_give_a_clear_error(tmp_path):
    archive = backup_create().path
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive at all")
    for path, message in (
        (tmp_path / "nowhere.tar.gz", "^No backup archive at "),
        (truncated, "is damaged or not a .tar.gz backup"),
        (garbage, "is damaged or not a .tar.gz backup"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(path))


def test_the_command_line_prints_the_error_without_a_traceback(tmp_path):
    missing = tmp_path / "missing.tar.gz"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(missing)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr == f"CommandError: No backup archive at {missing}.\n"


@pytest.mark.django_db(transaction=True)
def test_check_verifies_without_restoring():
    seed()
    archive = backup_create().path
    counts = table_counts()
    out = io.StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert out.getvalue().startswith("Archive is intact and fits this site (")
    assert table_counts() == counts


@pytest.mark.django_db(transaction=True)
def test_keep_removes_all_but_the_newest_archives(settings, clock):
    folder = settings.BACKUP_DIR
    folder.mkdir()
    unrelated = folder / "notes.txt"
    unrelated.write_text("kept")
    out = io.StringIO()
    for day in (1, 2, 3):
        clock.freeze(dt.datetime(2026, 3, day, 2, tzinfo=dt.UTC))
        call_command("backup", "--keep", "2", stdout=out)
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["haizhi-backup-20260302T020000Z.tar.gz", "haizhi-backup-20260303T020000Z.tar.gz", "notes.txt"]
    assert out.getvalue().splitlines()[-1] == f"Removed old backup: {folder / 'haizhi-backup-20260301T020000Z.tar.gz'}"
    with pytest.raises(CommandError, match="--keep must be at least 1"):
        call_command("backup", "--keep", "0")


def test_output_cannot_be_combined_with_keep(tmp_path):
    with pytest.raises(CommandError, match="--output names one file"):
        call_command("backup", "--output", str(tmp_path / "one.tar.gz"), "--keep", "3")


# --- PostgreSQL: the demo programme, end to end through the commands ---------------------------


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


@pytest.mark.skipif(not _postgres_url(), reason="needs DATABASE_URL pointing at PostgreSQL (services mode)")
@pytest.mark.django_db(transaction=True)  # the test database exists, and no transaction holds it open
def test_demo_round_trip_on_postgresql(tmp_path):
    import psycopg
    from psycopg import sql

    base_url = _postgres_url()
    # A database of this test's own, named after the configured one (each checkout its own name).
    name = f"{base_url.rsplit('/', 1)[1].split('?')[0]}_backup_demo"
    url = f"{base_url.rsplit('/', 1)[0]}/{name}"
    maintenance = psycopg.conninfo.make_conninfo(base_url, dbname="postgres")

    def recreate(template: str = "template1") -> None:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
            )

    env = {
        **{key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "PRIVATE_MEDIA_ROOT")},
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private_media"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "EMAIL_URL": "memorymail://",
    }

    def manage(*arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def database_state() -> dict:
        with psycopg.connect(url) as database:
            tables = [
                row[0]
                for row in database.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            ]
            counts = {
                table: database.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
                for table in tables
            }
            sequences = dict(
                database.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
            )
        return {"rows": counts, "sequences": sequences}

    def files() -> dict[str, str]:
        return {
            str(path.relative_to(tmp_path)): hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in ("media", "private_media")
            for path in sorted((tmp_path / folder).rglob("*"))
            if path.is_file()
        }

    # The suite's test database is migrated already: copying it saves running migrate again
    # (a minute on a loaded machine). It can be copied only while nobody is connected to it.
    migrated = connection.settings_dict["NAME"]
    connection.close()
    try:
        recreate(template=migrated)
        steps = [("seed_demo", "--quiet-logins")]
    except psycopg.errors.ObjectInUse:
        recreate()
        steps = [("migrate", "--noinput", "-v", "0"), ("seed_demo", "--quiet-logins")]
    try:
        for step in steps:
            done = manage(*step)
            assert done.returncode == 0, done.stderr[-2000:]
        before, stored = database_state(), files()
        assert sum(before["rows"].values()) > 1000 and len(stored) > 50

        done = manage("backup")
        assert done.returncode == 0, done.stderr[-2000:]
        (archive,) = (tmp_path / "backups").glob("haizhi-backup-*.tar.gz")

        recreate()
        for folder in ("media", "private_media"):
            for path in sorted((tmp_path / folder).rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
        done = manage("restore", str(archive))
        assert done.returncode == 0, done.stderr[-2000:]
        assert "row counts match the archive" in done.stdout

        assert database_state() == before
        assert files() == stored

    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_backup_module_names_no_other_project_app():
    """core is the lowest app: the backup reaches every app's data through the database only."""
    import ast

    from django.apps import apps

    project_apps = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
    commands = ROOT / "core" / "management" / "commands"
    imported = set()
    for path in (ROOT / "core" / "backup.py", commands / "backup.py", commands / "restore.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
    assert "core" in project_apps and "registration" in project_apps
    assert imported & project_apps == {"core"}
