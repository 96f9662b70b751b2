from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from archive.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty database and storage, then check every original "
        "(fixity_audit) and rebuild the search index."
    )

    def add_arguments(self, parser):
        parser.add_argument("src", help="a folder made by manage.py backup")

    def handle(self, *args, src, **options):
        try:
            summary = restore(Path(src))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restore: {summary.engine} database, {summary.files} files")
        call_command("migrate", "--no-input", verbosity=0)  # a backup of an older version
        call_command("search_reindex", stdout=self.stdout)
        call_command("fixity_audit", stdout=self.stdout)  # exits 1 on any problem
