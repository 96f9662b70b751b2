"""Near-duplicate pictures: "this looks like MHA-EMB-0014".

Identical bytes are already linked by checksum at ingest. A second photograph or scan of
the same 背扇 has other bytes but nearly the same perceptual hash (kept in the original's
``probe["phash"]`` at ingest); a curator uploading it is told which items already hold
such a picture, so one piece is not described twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from archive.items.admin_scope import admin_items
from archive.items.models import ItemPage
from media_pipeline.similarity import NEAR, distance

from .models import MediaAsset, Original

#: At most this many look-alikes are named.
LIMIT = 5


@dataclass(frozen=True)
class LookAlike:
    identifier: str
    title: str
    url: str
    bits: int


def look_alikes(original: Original, user, *, exclude_item=None) -> list[LookAlike]:
    """Items ``user`` may open in the admin that hold a picture like ``original``'s,
    nearest first (another item's copy of the very same bytes counts too)."""
    mine = (original.probe or {}).get("phash")
    if not mine:
        return []
    near: dict[int, int] = {}
    candidates = Original.objects.filter(kind="image").values_list("pk", "probe")
    for pk, probe in candidates.iterator():
        other = (probe or {}).get("phash")
        if other and (bits := distance(mine, other)) <= NEAR:
            near[pk] = bits
    if not near:
        return []
    rows = MediaAsset.objects.filter(original_id__in=near).values_list("item_id", "original_id")
    if exclude_item is not None:
        rows = rows.exclude(item_id=exclude_item.pk)
    best: dict[int, int] = {}
    for item_id, original_id in rows:
        best[item_id] = min(best.get(item_id, 64), near[original_id])
    items = admin_items(ItemPage.objects.filter(pk__in=best), user).only("title", "identifier")
    found = [
        LookAlike(
            identifier=item.identifier,
            title=item.title,
            url=reverse("wagtailadmin_pages:edit", args=[item.pk]),
            bits=best[item.pk],
        )
        for item in items
    ]
    return sorted(found, key=lambda x: (x.bits, x.identifier))[:LIMIT]
