"""Rebuild the search index from the live items, with progress, without downtime."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from search import documents, engines, indexing
from search.models import PendingIndexOp


class Command(BaseCommand):
    help = (
        "Index every live item afresh. On Elasticsearch/OpenSearch a new versioned index is "
        "filled and the alias swapped atomically; the database engine is rebuilt too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-only", action="store_true", help="rebuild only the database engine"
        )

    def handle(self, *args, **options):
        total = documents.live_items().count()
        started = time.monotonic()
        targets = [engines.database_engine()]
        if not options["database_only"] and engines.is_external():
            targets.insert(0, engines.get_engine())
        for engine in targets:
            self.stdout.write(f"{engine.name}: indexing {total} live items")

            def progress(n, name=engine.name):
                rate = n / max(time.monotonic() - started, 1e-6)
                self.stdout.write(f"  {name}: {n}/{total} ({rate:.0f} docs/s)")

            try:
                n = indexing.rebuild(engine, progress=progress)
            except engines.EngineUnavailable as exc:
                self.stderr.write(self.style.ERROR(f"{engine.name} did not answer: {exc}"))
                raise SystemExit(1) from exc
            self.stdout.write(self.style.SUCCESS(f"{engine.name}: {n} items indexed"))
        if len(targets) > 1:
            PendingIndexOp.objects.all().delete()
