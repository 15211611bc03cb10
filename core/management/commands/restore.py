from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into an empty database and empty media folders. Every "
        "file is checked against the archive's manifest before anything is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz archive written by `manage.py backup`.")
        parser.add_argument(
            "--replace",
            "--force",
            action="store_true",
            dest="replace",
            help="Drop the database's tables and empty the media folders first (everything there is lost).",
        )
        parser.add_argument(
            "--check", action="store_true", help="Only verify the archive and that this site can take it."
        )

    def handle(self, *args, archive: Path, replace: bool, check: bool, **options):
        try:
            if check:
                manifest, pending = backup_verify(archive=archive)
            else:
                result = backup_restore(archive=archive, replace=replace)
                manifest, pending = result.manifest, result.pending_migrations
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        media = sum(1 for entry in manifest["files"] if not entry["path"].startswith("database/"))
        summary = f"{len(manifest['tables'])} tables, {rows} rows, {media} media files; made {manifest['created_at']}"
        if check:
            self.stdout.write(self.style.SUCCESS(f"Archive is intact and fits this site ({summary})."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Restored {archive} ({summary}); row counts match the archive."))
        if pending:
            self.stdout.write(
                f"This version of the site has {len(pending)} migrations the archive lacks: "
                "run `python manage.py migrate` next."
            )
