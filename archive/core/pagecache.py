"""A cache of rendered public pages, for anonymous visitors only.

Pages are cheap to cache and expensive to render under load (an item page asks a dozen
queries). A response is stored only when the page said it may be (``mark_cacheable``), the
visitor is anonymous, the method is GET/HEAD and the response sets no cookie. The key holds
the host, the full path (with the query string), the language and the low-bandwidth flag.

Invalidation is by generation: publishing, unpublishing, moving or deleting a page, saving
or deleting a site, or a media asset changing, bumps a counter that is part of every key, so
all cached pages are left behind at once (they expire on their own). With Redis the counter
is shared by every web process; with the local-memory cache each process has its own.

A signed-in user never reads from nor writes to this cache, so a curator's view of a
restricted item can never be served to anyone else.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from wagtail.signals import page_published, page_unpublished, post_page_move

GENERATION_KEY = "mha:pagecache:generation"
#: What a page the policy showed to an anonymous visitor says to the browser: anyone may
#: keep it (the offline copy, ``static/js/sw.js``, keeps only responses that say so), but
#: must ask again before each use, so an unpublished or withdrawn page is never shown from
#: a cache while online; asking again costs a 304 (``ConditionalGetMiddleware``'s ETag).
FOR_EVERYONE = "public, max-age=0, must-revalidate"
LOW_BANDWIDTH_COOKIE = "mha_lowbw"


def timeout() -> int:
    return int(getattr(settings, "MHA_PAGE_CACHE_SECONDS", 300))


def mark_cacheable(request: HttpRequest) -> None:
    """Called by a page's ``serve`` once the policy admitted the visitor."""
    request._mha_page_cacheable = True


def low_bandwidth(request: HttpRequest) -> bool:
    return request.COOKIES.get(LOW_BANDWIDTH_COOKIE) == "1"


def generation() -> int:
    gen = cache.get(GENERATION_KEY)
    if gen is None:
        cache.add(GENERATION_KEY, 1, None)
        gen = cache.get(GENERATION_KEY) or 1
    return int(gen)


def invalidate(*args, **kwargs) -> None:
    """Leave every cached page behind (signal receiver, hence the loose signature)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def cache_key(request: HttpRequest) -> str:
    lang = getattr(request, "LANGUAGE_CODE", "") or ""
    raw = "|".join(
        [request.get_host(), request.get_full_path(), lang, "lb" if low_bandwidth(request) else ""]
    )
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"mha:page:{generation()}:{digest}"


def _user_is_anonymous(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class AnonymousPageCacheMiddleware:
    """Serves and stores rendered pages for anonymous visitors (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        eligible = (
            timeout() > 0 and request.method in ("GET", "HEAD") and _user_is_anonymous(request)
        )
        key = cache_key(request) if eligible else None
        if key:
            hit = cache.get(key)
            if hit is not None:
                content, headers = hit
                response = HttpResponse(content)
                for name, value in headers:
                    response[name] = value
                response["X-Page-Cache"] = "hit"
                response["Cache-Control"] = FOR_EVERYONE
                return response
        response = self.get_response(request)
        if not _user_is_anonymous(request):
            # Whatever a signed-in user sees must not be kept by a shared cache either.
            response.setdefault("Cache-Control", "private, no-store")
            return response
        for_everyone = (
            getattr(request, "_mha_page_cacheable", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and request.method in ("GET", "HEAD")
        )
        if for_everyone:
            # Said whether or not this server keeps a copy (MHA_PAGE_CACHE_SECONDS=0).
            patch_vary_headers(response, ["Cookie"])
            response.setdefault("Cache-Control", FOR_EVERYONE)
        if key and for_everyone and request.method == "GET":
            headers = [
                (k, v)
                for k, v in response.items()
                if k.lower() in ("content-type", "content-language", "vary", "link")
            ]
            cache.set(key, (response.content, headers), timeout())
            response["X-Page-Cache"] = "miss"
        return response


#: The media asset model, named lazily: ``core`` is the floor and imports no app above it.
ASSET_MODEL = "assets.MediaAsset"
ITEM_MODEL = "items.ItemPage"


def item_changed(item_id: int | None) -> None:
    """Something shown on an item changed: leave every page behind if the item is published.

    A draft item's media (a curator's upload in progress, its derivatives) is on no public
    page, so it must not empty the cache of the whole site: under load, every upload did.
    A withdrawal or narrower access reaches public pages through the item (unpublished) or
    through an asset of a published item, both of which still leave everything behind."""
    from django.apps import apps

    items = apps.get_model(ITEM_MODEL)
    if item_id is None or items.objects.filter(pk=item_id, live=True).exists():
        invalidate()


def _asset_saved_or_deleted(sender, instance, **kwargs) -> None:
    item_changed(getattr(instance, "item_id", None))


def connect_signals() -> None:
    page_published.connect(invalidate, dispatch_uid="mha-pagecache-published")
    page_unpublished.connect(invalidate, dispatch_uid="mha-pagecache-unpublished")
    post_page_move.connect(invalidate, dispatch_uid="mha-pagecache-moved")
    post_delete.connect(invalidate, sender="wagtailcore.Page", dispatch_uid="mha-pagecache-deleted")
    # A site's host or root page: cached pages and the route cache (``core.routing``).
    post_save.connect(invalidate, sender="wagtailcore.Site", dispatch_uid="mha-pagecache-site")
    post_delete.connect(
        invalidate, sender="wagtailcore.Site", dispatch_uid="mha-pagecache-site-del"
    )
    post_save.connect(_asset_saved_or_deleted, sender=ASSET_MODEL, dispatch_uid="mha-pc-asset")
    post_delete.connect(
        _asset_saved_or_deleted, sender=ASSET_MODEL, dispatch_uid="mha-pc-asset-del"
    )
