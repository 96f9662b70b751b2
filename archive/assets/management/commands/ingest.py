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

from archive.assets import metadata_csv
from archive.assets.drafts import draft_item_for
from archive.assets.ingest import ingest, safe_display_name
from archive.assets.tasks import process_asset
from archive.items.models import CollectionPage
from media_pipeline.errors import MediaError


def walk(paths: list[str]):
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and name != metadata_csv.FILENAME:
                        yield Path(root) / name
        else:
            yield path


def shown_path(path: Path) -> str:
    """The path as valid text: bytes that are not UTF-8 (a name from an old camera or a
    Windows archive) are shown as ``\\xNN`` escapes instead of making the JSON line invalid."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_metadata(paths: list[str]) -> dict[Path, metadata_csv.Row]:
    """Every metadata.csv in the given folders, keyed by the file path each row describes."""
    rows: dict[Path, metadata_csv.Row] = {}
    for raw in paths:
        path = Path(raw)
        folders = [path] if path.is_dir() else [path.parent]
        if path.is_dir():
            folders += [Path(r) for r, _, files in os.walk(path) if metadata_csv.FILENAME in files]
        for folder in dict.fromkeys(folders):
            csv_path = folder / metadata_csv.FILENAME
            if csv_path.is_file():
                for name, row in metadata_csv.read(csv_path).items():
                    rows[(folder / name).resolve()] = row
    return rows


class Command(BaseCommand):
    help = "Ingest files or folders into a collection as draft items."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--collection", required=True, help="collection slug")
        parser.add_argument("--wait", action="store_true", help="make derivatives now")
        parser.add_argument("--json", action="store_true", help="one JSON object per file")

    def handle(self, *args, **options):
        collection = CollectionPage.objects.filter(slug=options["collection"]).first()
        if collection is None:
            raise CommandError(f"no collection with the slug {options['collection']!r}")
        try:
            metadata = read_metadata(options["paths"])
        except metadata_csv.MetadataError as exc:
            raise CommandError(f"{exc}. Nothing was ingested.") from exc
        seen: set[Path] = set()
        failures = 0
        for path in walk(options["paths"]):
            record = {
                "path": shown_path(path),
                "status": "ok",
                "error": None,
                "item": None,
                "sha256": None,
            }
            try:
                if not path.is_file():
                    raise MediaError("no such file")
                name = safe_display_name(os.fsencode(path.name))
                row = metadata.get(path.resolve())
                seen.add(path.resolve())
                if row is not None and row.errors:
                    raise MediaError(metadata_csv.describe(row))
                meta = row.cleaned if row else {}
                with transaction.atomic():
                    result = ingest(
                        path,
                        item_factory=lambda kind, name=name, meta=meta: draft_item_for(
                            collection, name, kind, meta
                        ),
                        filename=name,
                        enqueue=not options["wait"],
                        caption_zh=meta.get("caption_zh", ""),
                        caption_en=meta.get("caption_en", ""),
                    )
                item = result.asset.item
                if options["wait"]:
                    process_asset.call(result.asset.pk)
                    result.asset.refresh_from_db()
                    if result.asset.status == "failed":
                        raise MediaError(result.asset.error)
                record.update(item=item.pk, sha256=result.original.sha256, stored=result.stored)
            except (MediaError, OSError) as exc:
                failures += 1
                record.update(status="failed", error=str(exc))
            if options["json"]:
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                line = f"{record['status']:6} {path}"
                self.stdout.write(line + (f": {record['error']}" if record["error"] else ""))
        for path, row in metadata.items():
            if path not in seen:
                failures += 1
                error = f"{metadata_csv.FILENAME} line {row.line}: no such file"
                record = {
                    "path": shown_path(path),
                    "status": "failed",
                    "item": None,
                    "sha256": None,
                    "error": error,
                }
                self.stdout.write(
                    json.dumps(record, ensure_ascii=False)
                    if options["json"]
                    else f"failed {path}: {record['error']}"
                )
        if failures:
            raise SystemExit(1)
