from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (consistent dump) and every media file with its SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("dest", help="a new (or empty) folder for the backup")

    def handle(self, *args, dest, **options):
        try:
            summary = backup(Path(dest))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup: {summary.engine} database, {summary.files} files, "
            f"{summary.bytes} bytes in {dest}"
        )
