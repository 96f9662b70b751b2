from django.core.management.base import BaseCommand, CommandError

from archive.portal.setup import load_founding_collections
from archive.vocabularies.loader import DataError, load_all_vocabularies


class Command(BaseCommand):
    help = "Load the founding collections and all vocabularies from collections/ (idempotent)."

    def handle(self, *args, **options):
        try:
            report = load_all_vocabularies()
            collections = load_founding_collections()
        except DataError as exc:
            raise CommandError(str(exc)) from exc
        for name, (created, updated) in report.items():
            self.stdout.write(f"vocabulary {name}: {created} created, {updated} updated")
        self.stdout.write(f"collections: {', '.join(c.slug for c in collections)}")
