"""Delete enquiries older than ``MHA_ENQUIRY_RETENTION_DAYS`` (also run on the worker's beat)."""

from django.core.management.base import BaseCommand

from archive.marketplace.retention import purge_expired


class Command(BaseCommand):
    help = "Delete marketplace enquiries past their retention period."

    def handle(self, *args, **options):
        n = purge_expired()
        self.stdout.write(f"{n} enquiries purged")
