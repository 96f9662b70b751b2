"""``manage.py ingest PATH... --collection SLUG [--wait] [--json]``

Each file (folders are walked) is checked, stored once by checksum and attached to a new
draft item in the collection, restricted until a curator describes it and records consent.
With ``--json`` one JSON object per file: path, status (ok|failed), error, item, sha256.
The exit status is non-zero when any file failed; the other files are unaffected.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.items.models import CollectionPage
from media_pipeline.errors import MediaError
from media_pipeline.ingest import ingest, safe_display_name


def walk(paths: list[str]):
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        else:
            yield path


class Command(BaseCommand):
    help = "Ingest files or folders into a collection as draft items."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--collection", required=True, help="collection slug")
        parser.add_argument("--wait", action="store_true", help="make derivatives now")
        parser.add_argument("--json", action="store_true", help="one JSON object per file")

    def handle(self, *args, **options):
        from media_pipeline.drafts import draft_item_for
        from media_pipeline.tasks import process_asset

        collection = CollectionPage.objects.filter(slug=options["collection"]).first()
        if collection is None:
            raise CommandError(f"no collection with the slug {options['collection']!r}")
        failures = 0
        for path in walk(options["paths"]):
            record = {"path": str(path), "status": "ok", "error": None, "item": None,
                      "sha256": None}  # fmt: skip
            try:
                if not path.is_file():
                    raise MediaError("no such file")
                name = safe_display_name(os.fsencode(path.name))
                with transaction.atomic():
                    result = ingest(
                        path,
                        item_factory=lambda kind, name=name: draft_item_for(collection, name, kind),
                        filename=name,
                        enqueue=not options["wait"],
                    )
                item = result.asset.item
                if options["wait"]:
                    process_asset.call(result.asset.pk)
                    result.asset.refresh_from_db()
                    if result.asset.status == "failed":
                        raise MediaError(result.asset.error)
                record.update(item=item.pk, sha256=result.original.sha256,
                              stored=result.stored)  # fmt: skip
            except (MediaError, OSError) as exc:
                failures += 1
                record.update(status="failed", error=str(exc))
            if options["json"]:
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                line = f"{record['status']:6} {path}"
                self.stdout.write(line + (f": {record['error']}" if record["error"] else ""))
        if failures:
            raise SystemExit(1)
