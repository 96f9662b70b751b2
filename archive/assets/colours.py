"""An item's colours, for browsing embroidery by colour (the ``colour`` search facet).

Each picture's palette is read at ingest by ``media_pipeline.colours`` and kept with its
original (``Original.probe["colours"]``); for originals ingested before that, it is read from
the picture's thumbnail (400 px WebP: small to read, the same colours), remembered per
thumbnail so re-indexing reads each one once. Taken only from a picture at least as open as
the item, so the facet never tells anything of a picture a finder may not see.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.files.storage import default_storage

from archive.access import policy
from media_pipeline.colours import dominant_colours

from .models import MediaAsset


@lru_cache(maxsize=4096)
def _colours_of(name: str, size: int) -> tuple[str, ...]:
    with default_storage.open(name, "rb") as fh:
        return tuple(dominant_colours(fh.read()))


def item_colours(item: Any) -> list[str]:
    assets = (
        MediaAsset.objects.filter(item_id=item.pk, status="ready")
        .select_related("original")
        .prefetch_related("derivatives")
        .order_by("position", "pk")
    )
    for asset in assets:
        if asset.kind != "image":
            continue
        if asset.access_level != item.access_level and not policy.shown_to_everyone(
            asset.access_level
        ):
            continue
        stored = (asset.original.probe or {}).get("colours") if asset.original_id else None
        if stored is not None:  # read at ingest and kept with the original
            return list(stored)
        thumb = asset.derivative("thumb")  # an original ingested before palettes were kept
        if thumb is None or not thumb.file:
            continue
        try:
            return list(_colours_of(thumb.file.name, thumb.file.size))
        except Exception:  # noqa: BLE001 (a missing or unreadable thumbnail has no colours)
            return []
    return []
