"""Replay index work the search engine missed while it was down."""

from django.core.management.base import BaseCommand

from search import indexing


class Command(BaseCommand):
    help = "Send the search engine the index changes recorded while it did not answer."

    def handle(self, *args, **options):
        before = indexing.pending()
        done = indexing.catch_up()
        left = indexing.pending()
        self.stdout.write(f"{done} of {before} pending items indexed; {left} still pending")
        if left:
            raise SystemExit(1)
