"""The queries behind the public pages: collection filters, thumbnails, an item's assets.

Every query starts from ``policy.visible_items`` / ``policy.visible_assets`` (related items
are ``ItemPage.related_items``; an item page's own assets are each asked of
``policy.can_view_asset``); each helper runs a fixed number of queries however many
items or assets there are, so a page's cost does not grow with the corpus
(bench/pages_bench.py counts them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from archive.access import policy
from archive.assets.models import Derivative, MediaAsset
from archive.core.pagecache import generation
from archive.vocabularies import models as vocab

from . import periods, registry


@dataclass
class Filter:
    """One way to narrow a collection, as the page shows it: the parameter, the choices
    and what is selected."""

    param: str
    label: Any
    choices: list = field(default_factory=list)
    selected: Any = None
    #: The selected value as the visitor reads it (for choices that are not terms).
    selected_label: str = ""
    #: Whether the lookup crosses a many-to-many relation (the queryset needs ``distinct``).
    many: bool = False


def village_q(slug: str) -> Q:
    """Items from a village, or from any village of a township or county."""
    return (
        Q(place__slug=slug) | Q(place__broader__slug=slug) | Q(place__broader__broader__slug=slug)
    )


def _not_found(what: Any, value: str) -> str:
    return _("There is no %(what)s called “%(value)s”; that filter was left out.") % {
        "what": str(what).lower(),
        "value": value[:80],
    }


def filter_collection(
    collection_slug: str, items: QuerySet, params, kept=None
) -> tuple[QuerySet, list, list]:
    """Apply the query parameters; returns the queryset, the filters and the problems.

    An unknown term is not an error page: the visitor is told which value was not found and
    the rest of the filters still apply. ``period`` takes the keys search facets use
    (``1980s``, ``c19``: see ``periods``), offered for the periods the collection's items
    touch. ``kept(name, compute)``, if given, may answer that from a cache.
    """
    filters: list[Filter] = []
    problems: list[str] = []
    founding = registry.by_slug(collection_slug)

    def spans() -> list:
        # ``order_by()``: a page tree's default order (by path) would make every row distinct.
        return list(items.order_by().values_list("year_from", "year_to").distinct())

    period_spans = kept("spans", spans) if kept else spans()
    for spec in founding.filters if founding else ():
        model = apps.get_model("vocabularies", spec.vocabulary)
        field_ = getattr(founding.page_class, spec.field).field
        f = Filter(
            spec.param,
            spec.label,
            choices=list(model.objects.order_by("slug")),
            many=field_.many_to_many,
        )
        value = (params.get(spec.param) or "").strip()
        if value:
            term = next((t for t in f.choices if t.slug == value), None)
            if term is None:
                problems.append(_not_found(spec.label, value))
            else:
                f.selected = term
                items = items.filter(**{founding.lookup(spec): term})
        filters.append(f)

    places = list(
        vocab.Place.objects.filter(kind__in=["village", "township"]).order_by("kind", "slug")
    )
    place_filter = Filter("village", _("Village"), choices=places)
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
    period_filter = Filter("period", _("Period"), choices=periods.period_choices(period_spans))
    if period:
        q = periods.period_q(period)
        if q is None:
            problems.append(
                _("There is no period called “%(value)s”; that filter was left out.")
                % {"value": period[:80]}
            )
        else:
            period_filter.selected = period
            period_filter.selected_label = periods.period_label(period)
            items = items.filter(q)
    filters.append(period_filter)
    if any(f.selected and f.many for f in filters):
        items = items.distinct()
    return items, filters, problems


#: A card's picture is about 170 CSS px wide on a phone: it is offered at this width too,
#: cut by the Image API from the picture's pyramid (and cached there), so a phone at any
#: pixel density fetches a third of the stored 400 px thumbnail's bytes. The ``sizes``
#: below ask at most about 1.5 device pixels per CSS pixel, as the item page's picture does.
CARD_WIDTH = 260
CARD_SIZES = "(min-resolution: 2.5dppx) 5rem, (min-resolution: 1.5dppx) 8rem, 15rem"


def attach_thumbs(items: list, user) -> list:
    """Give each item ``thumb`` (url, width, height, ``web`` and, for a picture with an
    Image API pyramid, ``srcset``/``sizes`` with a card-sized cut) of its first image the
    user may see. One query whatever the number of items."""
    ids = [i.pk for i in items]
    for i in items:
        i.thumb = None
    if not ids:
        return items
    visible = policy.visible_assets(MediaAsset.objects.filter(item_id__in=ids), user)
    rows = (
        Derivative.objects.filter(name__in=("thumb", "web-webp", "pyramid"), asset__in=visible)
        .order_by("asset__item_id", "asset__position", "asset_id")
        .values_list("asset__item_id", "asset_id", "name", "width", "height")
    )
    first: dict[int, dict] = {}
    for item_id, asset_id, name, w, h in rows:
        entry = first.setdefault(item_id, {"asset": asset_id})
        if entry["asset"] != asset_id:
            continue
        if name == "pyramid":
            entry["iiif"] = True
            continue
        url = reverse("asset-file", args=[asset_id, name])
        if name == "thumb":
            entry.update(url=url, width=w or 400, height=h or 300)
        else:
            entry.update(web=url, web_width=w or 1200)
    for i in items:
        entry = first.get(i.pk)
        if entry and "url" in entry:
            if entry.get("iiif") and entry["width"] > CARD_WIDTH:
                card = f"/iiif/3/{entry['asset']}/full/{CARD_WIDTH},/0/default.webp"
                entry["srcset"] = f"{card} {CARD_WIDTH}w, {entry['url']} {entry['width']}w"
                entry["sizes"] = CARD_SIZES
            i.thumb = entry
    return items


def all_assets_prefetch() -> Prefetch:
    """Every asset of an item, in order, with its original and derivatives (two queries for
    ``prefetch_related_objects``). Which of them a visitor sees is the policy's to say
    (``policy.can_view_asset`` on each); the transcript rule reads them all."""
    return Prefetch(
        "assets",
        queryset=MediaAsset.objects.select_related("original")
        .prefetch_related(Prefetch("derivatives", queryset=Derivative.objects.order_by("name")))
        .order_by("position", "pk"),
    )


def collection_cache_seconds() -> int:
    return int(getattr(settings, "MHA_COLLECTION_CACHE_SECONDS", 0))


def filter_params(collection_slug: str) -> set[str]:
    """The query parameters :func:`filter_collection` reads for this collection."""
    founding = registry.by_slug(collection_slug)
    return {spec.param for spec in (founding.filters if founding else ())} | {"village", "period"}


def kept_for(collection, user, params):
    """``kept(name, compute)`` for a collection page: a collection's item count (for the
    filters asked) and its periods, which scan every item of the collection, kept in the
    cache per audience until anything is published or unpublished (the page cache's
    generation), so a collection page's cost does not grow with the collection. None when
    ``MHA_COLLECTION_CACHE_SECONDS`` is 0."""
    seconds = collection_cache_seconds()
    if seconds <= 0:
        return None
    # Only the filters the listing reads make a count of their own: a shared link's added
    # parameters (``from=singlemessage``, ``utm_source``…) or a page number ask the same one.
    read = filter_params(collection.slug)
    query = sorted((k, v) for k, v in params.items() if k in read)
    digest = hashlib.sha256(repr(query).encode()).hexdigest()[:16]
    prefix = f"mha:coll:{generation()}:{collection.pk}:{policy.audience(user).key}"

    def kept(name: str, compute):
        key = f"{prefix}:{name}" + (f":{digest}" if name == "count" else "")
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, seconds)
        return value

    return kept


class KeptCountPaginator(Paginator):
    """A paginator whose count may come from ``kept`` (see :func:`kept_for`)."""

    def __init__(self, object_list, per_page, kept=None, **kw):
        super().__init__(object_list, per_page, **kw)
        self.kept = kept

    @cached_property
    def count(self) -> int:
        if self.kept is None:
            return super().count
        return self.kept("count", lambda: self.object_list.count())
