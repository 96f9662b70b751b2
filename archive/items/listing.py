"""The queries behind the public pages: collection filters, thumbnails, related items.

Every query starts from ``policy.visible_items`` / ``policy.visible_assets``; each helper
runs a fixed number of queries however many items, assets or related items there are, so a
page's cost does not grow with the corpus (bench/pages_bench.py counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive.access import policy
from archive.vocabularies import models as vocab


@dataclass
class Filter:
    """One way to narrow a collection: a query parameter naming a vocabulary term."""

    param: str
    label: Any
    model: type
    lookup: str
    choices: list = field(default_factory=list)
    selected: Any = None


#: The vocabularies a collection's items are described with, by collection slug.
COLLECTION_FILTERS: dict[str, list[tuple[str, Any, type, str]]] = {
    "embroidery": [
        ("motif", _("Motif"), vocab.Motif, "embroiderypatternpage__motifs"),
        ("technique", _("Technique"), vocab.Technique, "embroiderypatternpage__techniques"),
        ("garment", _("Garment"), vocab.Garment, "embroiderypatternpage__garment"),
    ],
    "dialects": [
        ("dialect", _("Dialect"), vocab.Dialect, "recordingpage__dialect"),
    ],
    "folk-music": [
        ("genre", _("Genre"), vocab.Genre, "musicpiecepage__genre"),
        ("instrument", _("Instrument"), vocab.Instrument, "musicpiecepage__instruments"),
        ("festival", _("Festival or occasion"), vocab.Festival, "musicpiecepage__festival"),
    ],
}

#: Periods a visitor can choose; an item belongs to a period its years overlap.
PERIODS: list[tuple[str, Any, int | None, int | None]] = [
    ("before-1950", _("Before 1950"), None, 1949),
    ("1950-1979", _("1950–1979"), 1950, 1979),
    ("1980-1999", _("1980–1999"), 1980, 1999),
    ("since-2000", _("Since 2000"), 2000, None),
]


def period_q(slug: str) -> Q | None:
    for s, _label, start, end in PERIODS:
        if s != slug:
            continue
        q = Q()
        # An item spans year_from..year_to (year_to defaults to year_from).
        if end is not None:
            q &= Q(year_from__lte=end)
        if start is not None:
            q &= Q(year_to__gte=start) | Q(year_to__isnull=True, year_from__gte=start)
        return q & Q(year_from__isnull=False)
    return None


def village_q(slug: str) -> Q:
    """Items from a village, or from any village of a township or county."""
    return (
        Q(place__slug=slug) | Q(place__broader__slug=slug) | Q(place__broader__broader__slug=slug)
    )


def filter_collection(collection_slug: str, items: QuerySet, params) -> tuple[QuerySet, list, list]:
    """Apply the query parameters; returns the queryset, the filters and the problems.

    An unknown term is not an error page: the visitor is told which value was not found and
    the rest of the filters still apply.
    """
    filters: list[Filter] = []
    problems: list[str] = []
    for param, label, model, lookup in COLLECTION_FILTERS.get(collection_slug, []):
        f = Filter(param, label, model, lookup, choices=list(model.objects.order_by("slug")))
        value = (params.get(param) or "").strip()
        if value:
            term = next((t for t in f.choices if t.slug == value), None)
            if term is None:
                problems.append(
                    _("There is no %(what)s called “%(value)s”; that filter was left out.")
                    % {"what": str(label).lower(), "value": value[:80]}
                )
            else:
                f.selected = term
                items = items.filter(**{lookup: term})
        filters.append(f)

    places = list(
        vocab.Place.objects.filter(kind__in=["village", "township"]).order_by("kind", "slug")
    )
    place_filter = Filter("village", _("Village"), vocab.Place, "place", choices=places)
    value = (params.get("village") or "").strip()
    if value:
        term = next((t for t in places if t.slug == value), None)
        if term is None:
            problems.append(
                _("There is no village called “%(value)s”; that filter was left out.")
                % {"value": value[:80]}
            )
        else:
            place_filter.selected = term
            items = items.filter(village_q(term.slug))
    filters.append(place_filter)

    period = (params.get("period") or "").strip()
    period_filter = Filter("period", _("Period"), object, "year_from", choices=PERIODS)
    if period:
        q = period_q(period)
        if q is None:
            problems.append(
                _("There is no period called “%(value)s”; that filter was left out.")
                % {"value": period[:80]}
            )
        else:
            period_filter.selected = period
            items = items.filter(q)
    filters.append(period_filter)
    if any(
        f.selected for f in filters if f.lookup.endswith(("motifs", "techniques", "instruments"))
    ):
        items = items.distinct()
    return items, filters, problems


def attach_thumbs(items: list, user) -> list:
    """Give each item ``thumb`` (url, width, height, and ``web`` for srcset) of its first
    image the user may see. One query whatever the number of items."""
    from archive.assets.models import Derivative, MediaAsset

    ids = [i.pk for i in items]
    for i in items:
        i.thumb = None
    if not ids:
        return items
    visible = policy.visible_assets(MediaAsset.objects.filter(item_id__in=ids), user)
    rows = (
        Derivative.objects.filter(name__in=("thumb", "web-webp"), asset__in=visible)
        .order_by("asset__item_id", "asset__position", "asset_id")
        .values_list("asset__item_id", "asset_id", "name", "width", "height")
    )
    first: dict[int, dict] = {}
    for item_id, asset_id, name, w, h in rows:
        entry = first.setdefault(item_id, {"asset": asset_id})
        if entry["asset"] != asset_id:
            continue
        url = reverse("asset-file", args=[asset_id, name])
        if name == "thumb":
            entry.update(url=url, width=w or 400, height=h or 300)
        else:
            entry.update(web=url, web_width=w or 1200)
    for i in items:
        entry = first.get(i.pk)
        if entry and "url" in entry:
            i.thumb = entry
    return items


def item_assets(item, user) -> list:
    """The item's visible assets with originals and derivatives loaded (two queries)."""
    from archive.assets.models import Derivative

    return list(
        policy.visible_assets(item.assets.all(), user)
        .select_related("original")
        .prefetch_related(Prefetch("derivatives", queryset=Derivative.objects.order_by("name")))
        .order_by("position", "pk")
    )


def related_items(item, user, people_ids: list[int], limit: int = 6) -> list:
    """Visible items sharing a person, a motif or the village with ``item``, in that order.

    One small query per kind of relation (each stops at ``limit``) rather than one query
    OR-ing them: on a 100k-item corpus the OR defeats the indexes and sorts thousands of
    rows. The number of queries stays the same however many relations there are.
    """
    from archive.items.models import EmbroideryPatternPage, ItemPage, ItemPerson

    base = policy.visible_items(ItemPage.objects.exclude(pk=item.pk), user).select_related("place")
    filters = []
    if people_ids:
        filters.append(
            Q(pk__in=ItemPerson.objects.filter(person_id__in=people_ids).values("item_id"))
        )
    if isinstance(item, EmbroideryPatternPage):
        through = EmbroideryPatternPage.motifs.through
        motif_ids = through.objects.filter(embroiderypatternpage_id=item.pk).values("motif_id")
        filters.append(
            Q(
                pk__in=through.objects.filter(motif_id__in=motif_ids).values(
                    "embroiderypatternpage_id"
                )
            )
        )
    if item.place_id:
        filters.append(Q(place_id=item.place_id))
    found: dict[int, Any] = {}
    for q in filters:
        # Every query runs even when the first filled the list: a constant query count.
        for other in base.filter(q).order_by("-path")[:limit]:
            found.setdefault(other.pk, other)
    return attach_thumbs(list(found.values())[:limit], user)
