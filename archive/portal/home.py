"""What the home page offers: collections with a picture and a story, items to start from,
ways in by motif, technique, village, genre and dialect, and a light map of the villages.

Each way in links to a filtered collection listing (``/embroidery/?motif=butterfly``); only
terms that some item the visitor may see carries are offered, most used first.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive.access import policy
from archive.core.i18n import localized
from archive.items import registry
from archive.items.listing import attach_thumbs
from archive.items.models import (
    CollectionPage,
    EmbroideryPatternPage,
    ItemPage,
    MusicPiecePage,
    RecordingPage,
)
from archive.vocabularies import models as vocab
from search.engines import SearchQuery
from search.labels import facet_label
from search.views import run

log = logging.getLogger(__name__)

#: Width and height of the map's drawing, in SVG user units.
MAP_W, MAP_H, MAP_PAD = 320, 240, 18


def _top(through_qs, term_field: str, model, limit: int) -> list:
    rows = list(
        through_qs.values(term_field).annotate(n=Count("pk")).order_by("-n", term_field)[:limit]
    )
    terms = model.objects.in_bulk([r[term_field] for r in rows])
    return [(terms[r[term_field]], r["n"]) for r in rows if r[term_field] in terms]


def home_context(home, user) -> dict:
    """What the home page shows ``user``: collections with their cover, the newest items,
    the ways in and the map."""
    collections = list(CollectionPage.objects.child_of(home).live().order_by("path"))
    by_slug = {c.slug: c for c in collections}
    covers = [c.cover_item_for(user) for c in collections]
    attach_thumbs([c for c in covers if c is not None], user)
    for c, cover in zip(collections, covers, strict=True):
        c.cover = cover.thumb if cover is not None else None
    items = policy.visible_items(ItemPage.objects.descendant_of(home), user)
    featured = list(items.select_related("place").order_by("-first_published_at", "path")[:6])
    return {
        "collections": collections,
        "featured": attach_thumbs(featured, user),
        "ways_in": ways_in(home, user, by_slug),
        "map": village_map(home, user, by_slug),
        "colours": embroidery_colours(user),
    }


def embroidery_colours(user) -> list[dict]:
    """Browse embroidery by colour: the ``colour`` facet (``archive.assets.colours``) of the
    patterns ``user`` may see, most common first, each a link to those patterns in search.
    Counted by the search engine, which filters by the visitor's audience before it counts."""
    slug = registry.EMBROIDERY.slug
    query = SearchQuery(
        filters={"collection": [slug]},
        access=policy.audience(user),
        highlight=False,
        per_page=1,
    )
    try:
        facets = run(query).facets.get("colour", [])
    except Exception:  # noqa: BLE001 (the home page never fails for a way in)
        log.warning("colour facet unavailable for the home page", exc_info=True)
        return []
    search = reverse("search")
    return [
        {
            "value": value,
            "label": facet_label("colour", value),
            "count": n,
            "url": f"{search}?collection={slug}&colour={value}",
        }
        for value, n in facets
    ]


def ways_in(home, user, collections: dict) -> list[dict]:
    visible = policy.visible_items(ItemPage.objects.descendant_of(home), user).values("pk")
    groups = []

    def add(slug, label, param, pairs):
        c = collections.get(slug)
        if c is None or not pairs:
            return
        groups.append(
            {
                "label": label,
                "links": [
                    {"term": t, "count": n, "url": f"{c.url}?{param}={t.slug}"} for t, n in pairs
                ],
            }
        )

    emb = EmbroideryPatternPage.motifs.through.objects.filter(embroiderypatternpage_id__in=visible)
    add(registry.EMBROIDERY.slug, _("Motifs"), "motif", _top(emb, "motif_id", vocab.Motif, 12))
    tech = EmbroideryPatternPage.techniques.through.objects.filter(
        embroiderypatternpage_id__in=visible
    )
    add(
        registry.EMBROIDERY.slug,
        _("Techniques"),
        "technique",
        _top(tech, "technique_id", vocab.Technique, 8),
    )
    music = MusicPiecePage.objects.filter(pk__in=visible, genre__isnull=False)
    add(
        registry.FOLK_MUSIC.slug,
        _("Genres of song and music"),
        "genre",
        _top(music, "genre_id", vocab.Genre, 8),
    )
    rec = RecordingPage.objects.filter(pk__in=visible, dialect__isnull=False)
    add(registry.DIALECTS.slug, _("Dialects"), "dialect", _top(rec, "dialect_id", vocab.Dialect, 8))
    return groups


#: Map label size in the SVG's units: the map is drawn at least as wide as its 320 units on
#: a phone, so this is never under 12 px on screen (CSS ``.map-label`` says the same).
MAP_FONT = 13


def _label_box(v: dict, side: str) -> tuple[float, float, float, float, float, float, str]:
    """(left, top, right, bottom, text x, text y, anchor) of ``v``'s label on ``side``."""
    name = localized(v["place"], "label")
    width = sum(MAP_FONT if ord(c) > 0x2E80 else MAP_FONT * 0.6 for c in name)
    x, y, r = v["x"], v["y"], v["r"]
    if side == "right":
        left, top, anchor = x + r + 3, y - MAP_FONT / 2, "start"
        tx, ty = left, y + MAP_FONT * 0.35
    elif side == "left":
        left, top, anchor = x - r - 3 - width, y - MAP_FONT / 2, "end"
        tx, ty = x - r - 3, y + MAP_FONT * 0.35
    elif side == "above":
        left, top, anchor = x - width / 2, y - r - 2 - MAP_FONT, "middle"
        tx, ty = x, y - r - 4
    else:
        left, top, anchor = x - width / 2, y + r + 2, "middle"
        tx, ty = x, y + r + MAP_FONT
    return left, top, left + width, top + MAP_FONT, tx, ty, anchor


def place_labels(located: list[dict]) -> None:
    """Put each village's name beside its dot where it overlaps no other name or dot and
    stays on the map; the busiest villages choose first. A name with no free place is left
    off the map (the list under it names every village)."""
    taken = [(v["x"] - v["r"], v["y"] - v["r"], v["x"] + v["r"], v["y"] + v["r"]) for v in located]
    for v in located:  # already sorted busiest first
        v["label"] = None
        for side in ("right", "left", "above", "below"):
            left, top, right, bottom, tx, ty, anchor = _label_box(v, side)
            if left < 2 or top < 2 or right > MAP_W - 2 or bottom > MAP_H - 2:
                continue
            own = (v["x"] - v["r"], v["y"] - v["r"], v["x"] + v["r"], v["y"] + v["r"])
            if any(
                a < right and left < c and b < bottom and top < d
                for (a, b, c, d) in taken
                if (a, b, c, d) != own
            ):
                continue
            taken.append((left, top, right, bottom))
            v["label"] = {"x": round(tx, 1), "y": round(ty, 1), "anchor": anchor}
            break


def village_map(home, user, collections: dict) -> dict:
    """Villages with items, placed on a small equirectangular map, each linked to the
    collection that holds most of its items."""
    rows = (
        policy.visible_items(ItemPage.objects.descendant_of(home), user)
        .filter(place__isnull=False)
        .values("place_id", "content_type__model")
        .annotate(n=Count("pk"))
    )
    kind_to_slug = {c.model_name: c.slug for c in registry.COLLECTIONS}
    per_place: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        per_place[r["place_id"]][kind_to_slug.get(r["content_type__model"], "")] += r["n"]
    places = vocab.Place.objects.filter(pk__in=per_place.keys()).select_related(
        "broader", "broader__broader"
    )
    villages = []
    for p in places:
        counts = per_place[p.pk]
        best = max(counts, key=lambda k: (counts[k], k))
        c = collections.get(best)
        villages.append(
            {
                "place": p,
                "count": sum(counts.values()),
                "url": f"{c.url}?village={p.slug}" if c else "",
                "lat": float(p.latitude) if p.latitude is not None else None,
                "lon": float(p.longitude) if p.longitude is not None else None,
            }
        )
    villages.sort(key=lambda v: (-v["count"], v["place"].slug))
    located = [v for v in villages if v["lat"] is not None]
    if located:
        lats = [v["lat"] for v in located]
        lons = [v["lon"] for v in located]
        mid = math.cos(math.radians(sum(lats) / len(lats)))
        span_x = max((max(lons) - min(lons)) * mid, 0.05)
        span_y = max(max(lats) - min(lats), 0.05)
        scale = min((MAP_W - 2 * MAP_PAD) / span_x, (MAP_H - 2 * MAP_PAD) / span_y)
        off_x = (MAP_W - span_x * scale) / 2
        off_y = (MAP_H - span_y * scale) / 2
        for v in located:
            v["x"] = round(off_x + (v["lon"] - min(lons)) * mid * scale, 1)
            v["y"] = round(off_y + (max(lats) - v["lat"]) * scale, 1)
            v["r"] = round(4 + min(v["count"], 20) ** 0.5 * 1.5, 1)
        place_labels(located)
    return {"villages": villages, "located": located, "width": MAP_W, "height": MAP_H}
