from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one .tar.gz archive of the database (pg_dump custom format, or an SQLite copy) and both "
        "media folders, with a manifest of checksums. --keep N removes all but the newest N archives."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Folder for the archive (default: the BACKUP_DIR setting).")
        parser.add_argument("--output", type=Path, help="Write the archive to exactly this file instead.")
        parser.add_argument(
            "--keep", type=int, help="After writing, keep only the newest N archives in the folder (N >= 1)."
        )

    def handle(self, *args, dir: Path | None, output: Path | None, keep: int | None, **options):
        if output is not None and (dir is not None or keep is not None):
            raise CommandError("--output names one file: it cannot be combined with --dir or --keep.")
        try:
            result = backup_create(directory=dir, output=output, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        size = filesizeformat(result.path.stat().st_size)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {result.path} ({size}; {len(manifest['tables'])} tables, "
                f"{sum(manifest['tables'].values())} rows, {result.media_files} media files)."
            )
        )
        for path in result.removed:
            self.stdout.write(f"Removed old backup: {path}")
