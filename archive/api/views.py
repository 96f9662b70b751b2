"""The API's operations: thin, each one asks the access policy for what the caller may see.

Every answer carries a strong ``ETag`` (a hash of its bytes) and answers ``304 Not
Modified`` to a matching ``If-None-Match``; answers for the anonymous visitor may be kept by
shared caches for ``MHA_PUBLIC_CACHE_SECONDS``, anyone else's by nobody.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from archive.access import policy
from archive.assets.models import AssetStatus, MediaAsset
from archive.items import registry
from archive.items.models import CollectionPage, ItemPage
from search import views as search_views

from . import schemas
from .support import NOT_MODIFIED, conditional_json, cursor_page

router = Router(tags=["items"])


def _languages(obj, field: str, codes=("zh", "en", "hmn")) -> dict[str, str]:
    return {code: getattr(obj, f"{field}_{code}", "") or "" for code in codes}


def _collection_paths() -> dict[str, str]:
    return {c.path: c.slug for c in CollectionPage.objects.filter(depth=3).only("path", "slug")}


def _summary(request, item: ItemPage, slugs: dict[str, str]) -> dict:
    found = registry.by_model(item.content_type.model)
    return {
        "identifier": item.identifier,
        "type": found.item_type if found else "item",
        "collection": slugs.get(item.path[: -ItemPage.steplen], ""),
        "title": _languages(item, "title"),
        "url": request.build_absolute_uri(item.url or ""),
        "api_url": request.build_absolute_uri(
            reverse("api-v1:item", kwargs={"identifier": item.identifier})
        ),
        "updated": item.last_published_at,
    }


def _visible(request) -> object:
    return policy.visible_items(ItemPage.objects.all(), request.user)


CollectionSlug = Literal[registry.SLUGS]
ItemType = Literal[tuple(c.item_type for c in registry.COLLECTIONS)]


class ItemFilters(Schema):
    collection: CollectionSlug | None = Field(None, description="A collection slug")
    type: ItemType | None = Field(None, description="The kind of item")
    updated_since: datetime.datetime | None = Field(
        None, description="Only items published at or after this instant"
    )
    person: str | None = Field(None, description="Only items crediting this person's slug")
    cursor: str | None = Field(None, description="The opaque cursor from a previous page")
    limit: int = Field(20, ge=1, le=100)


@router.get(
    "/items",
    response={200: schemas.ItemList, **NOT_MODIFIED, 400: schemas.Problem},
    url_name="items",
    summary="List items",
)
def list_items(request, filters: Query[ItemFilters]):
    """Items the caller may see, oldest first, a page at a time (cursor pagination)."""
    items = _visible(request).select_related("content_type")
    if filters.collection:
        parent = CollectionPage.objects.filter(slug=filters.collection, depth=3).first()
        if parent is None:
            raise HttpError(
                400, _("There is no collection %(slug)s.") % {"slug": filters.collection[:80]}
            )
        items = items.child_of(parent)
    if filters.type:
        found = registry.by_type(filters.type)
        if found is None:
            raise HttpError(400, _("There is no item type %(type)s.") % {"type": filters.type[:80]})
        items = items.filter(content_type__model=found.model_name)
    if filters.updated_since:
        items = items.filter(last_published_at__gte=filters.updated_since)
    if filters.person:
        items = items.filter(people__person__slug=filters.person).distinct()
    page, next_url = cursor_page(request, items, filters.cursor, filters.limit)
    slugs = _collection_paths()
    return conditional_json(
        request, {"results": [_summary(request, i, slugs) for i in page], "next": next_url}
    )


@router.get(
    "/items/{identifier}",
    response={200: schemas.Item, **NOT_MODIFIED, 404: schemas.Problem},
    url_name="item",
    summary="One item",
)
def get_item(request, identifier: str):
    """An item by its accession number; 404 for one the caller may not see, as for one
    that does not exist."""
    item = _visible(request).filter(identifier=identifier).select_related("content_type").first()
    if item is None:
        raise Http404
    item = item.specific
    data = _summary(request, item, _collection_paths())
    data.update(
        description=_languages(item, "description"),
        date_text={**_languages(item, "date_text", ("zh", "en")), "hmn": ""},
        year_from=item.year_from,
        year_to=item.year_to,
        place=str(item.place) if item.place_id else None,
        access_level=item.access_level,
        licence=item.licence,
        licence_uri=item.licence_uri,
        rights_holder=item.rights_holder,
        tk_labels=list(item.tk_labels or []),
        manifest=request.build_absolute_uri(reverse("iiif-manifest", args=[item.pk])),
        dublin_core=item.dublin_core(),
    )
    return conditional_json(request, data)


@router.get(
    "/items/{identifier}/media",
    response={200: schemas.MediaList, **NOT_MODIFIED, 404: schemas.Problem},
    url_name="item-media",
    summary="An item's media and their renditions",
)
def item_media(request, identifier: str):
    """The pictures, sounds and videos of an item the caller may see, each with the web
    renditions the archive made (never the original file) and, for pictures, the IIIF
    Image API service."""
    item = _visible(request).filter(identifier=identifier).first()
    if item is None:
        raise Http404
    assets = policy.visible_assets(MediaAsset.objects.filter(item=item), request.user)
    results = []
    for asset in assets.select_related("original").prefetch_related("derivatives"):
        renditions = [
            {
                "name": d.name,
                "content_type": d.content_type,
                "width": d.width,
                "height": d.height,
                "size": d.size,
                "url": request.build_absolute_uri(asset.url(d.name)),
            }
            for d in sorted(asset.derivatives.all(), key=lambda d: d.name)
            if d.name not in ("tiles", "pyramid")  # read by the IIIF server, not served
        ]
        iiif = None
        if asset.kind == "image" and asset.status == AssetStatus.READY:
            iiif = request.build_absolute_uri(f"/iiif/3/{asset.pk}")
        results.append(
            {
                "position": asset.position,
                "kind": asset.kind,
                "caption": {"zh": asset.caption_zh, "en": asset.caption_en, "hmn": ""},
                "status": asset.status,
                "renditions": renditions,
                "iiif_image": iiif,
            }
        )
    return conditional_json(request, {"identifier": item.identifier, "results": results})


def _collection(request, page: CollectionPage) -> dict:
    api_url = reverse("api-v1:collection", kwargs={"slug": page.slug})
    return {
        "slug": page.slug,
        "title": _languages(page, "title"),
        "intro": {**_languages(page, "intro", ("zh", "en")), "hmn": ""},
        "url": request.build_absolute_uri(page.url or ""),
        "api_url": request.build_absolute_uri(api_url),
        "items_url": request.build_absolute_uri(
            reverse("api-v1:items") + "?collection=" + page.slug
        ),
        "item_count": page.visible_items(request.user).count(),
    }


@router.get(
    "/collections",
    response={200: schemas.CollectionList, **NOT_MODIFIED},
    url_name="collections",
    summary="List collections",
)
def list_collections(request):
    """The archive's collections, with how many items the caller may see in each."""
    pages = CollectionPage.objects.live().filter(depth=3).order_by("path")
    return conditional_json(request, {"results": [_collection(request, p) for p in pages]})


@router.get(
    "/collections/{slug}",
    response={200: schemas.Collection, **NOT_MODIFIED, 404: schemas.Problem},
    url_name="collection",
    summary="One collection",
)
def get_collection(request, slug: str):
    page = CollectionPage.objects.live().filter(depth=3, slug=slug).first()
    if page is None:
        raise Http404
    return conditional_json(request, _collection(request, page))


class SearchParams(Schema):
    q: str = Field("", description="Words to look for (no query syntax)")
    page: int = Field(1, ge=1)
    sort: str = Field("relevance", description="relevance, newest or oldest")
    collection: list[str] = Field([], description="Facet filter; every facet name is one")


@router.get(
    "/search",
    response=schemas.SearchResults,
    url_name="search",
    summary="Search items",
    description=(
        "Served by `search.views.api_search` (the DESIGN.md contract): filters are query "
        "parameters named after facets (collection, type, motif, technique, dialect, genre, "
        "village, period, licence), each repeatable."
    ),
)
def search(request, params: Query[SearchParams]):
    return search_views.api_search(request)


@router.get(
    "/search/suggest",
    response=schemas.Suggestions,
    url_name="suggest",
    summary="Suggest titles as the visitor types",
)
def suggest(request, q: str = ""):
    return search_views.api_suggest(request)
