"""New draft items for files ingested into a collection without an item of their own."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django.db import transaction

from archive.access.models import AccessLevel
from archive.items import registry
from archive.items.models import CollectionPage


@transaction.atomic
def draft_item_for(
    collection: CollectionPage, filename: str, media_kind: str, metadata: dict | None = None
):
    """A restricted, unpublished item titled after the file, for a curator to describe.

    ``metadata`` (cleaned ``metadata.csv`` values) fills in what the CSV gives; the item
    still starts unpublished, so consent is checked when a curator publishes it.
    """
    model = registry.item_class_for(collection.slug, media_kind)
    stem = Path(filename).stem[:200] or "untitled"
    token = uuid.uuid4().hex[:8].upper()
    slug = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")[:40] or "item"
    meta = dict(metadata or {})
    tags = meta.pop("tags", [])
    for key in ("caption_zh", "caption_en"):
        meta.pop(key, None)
    page = model(
        title=meta.pop("title_zh", None) or stem,
        identifier=meta.pop("identifier", None) or f"MHA-NEW-{token}",
        slug=f"{slug}-{token.lower()}",
        access_level=meta.pop("access_level", AccessLevel.RESTRICTED),
        live=False,
        **meta,
    )
    if tags:
        page.tags.add(*tags)
    collection.add_child(instance=page)
    page.save_revision()
    return page
