"""New draft items for files ingested into a collection without an item of their own."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django.db import transaction

from archive.access.models import AccessLevel
from archive.items.models import (
    CollectionPage,
    EmbroideryPatternPage,
    MusicPiecePage,
    RecordingPage,
)

#: Which kind of item a collection's uploads become, by collection slug; other collections
#: choose by the media kind.
COLLECTION_KINDS = {
    "embroidery": EmbroideryPatternPage,
    "dialects": RecordingPage,
    "folk-music": MusicPiecePage,
}
MEDIA_KINDS = {"image": EmbroideryPatternPage, "audio": RecordingPage, "video": MusicPiecePage}


@transaction.atomic
def draft_item_for(collection: CollectionPage, filename: str, media_kind: str):
    """A restricted, unpublished item titled after the file, for a curator to describe."""
    model = COLLECTION_KINDS.get(collection.slug) or MEDIA_KINDS[media_kind]
    stem = Path(filename).stem[:200] or "untitled"
    token = uuid.uuid4().hex[:8].upper()
    slug = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")[:40] or "item"
    page = model(
        title=stem,
        identifier=f"MHA-NEW-{token}",
        slug=f"{slug}-{token.lower()}",
        access_level=AccessLevel.RESTRICTED,
        live=False,
    )
    collection.add_child(instance=page)
    page.save_revision()
    return page
