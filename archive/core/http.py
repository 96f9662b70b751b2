"""Response headers every door shares: who may keep a copy, and who may read it cross-origin."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

#: Methods the read-only doors (files, IIIF) answer.
READ_METHODS = ("GET", "HEAD", "OPTIONS")
#: Request headers a cross-origin viewer may send: content negotiation (a IIIF client's
#: ``Accept: application/ld+json;profile=…``), seeking in a recording (``Range``),
#: revalidation, and a IIIF Auth 2.0 token (``Authorization``).
ALLOWED_HEADERS = (
    "Accept",
    "Accept-Language",
    "Authorization",
    "If-Modified-Since",
    "If-None-Match",
    "Range",
)
#: Response headers a cross-origin script may read besides the safelisted ones: the canonical
#: and profile ``Link`` of an image, and what a player needs to seek.
EXPOSED_HEADERS = ("Accept-Ranges", "Content-Length", "Content-Range", "Link")
PREFLIGHT_SECONDS = 86400


def share(
    response: HttpResponse,
    for_everyone: bool,
    *,
    vary: tuple[str, ...] = (),
    same_for_every_reader: bool = False,
) -> HttpResponse:
    """Material for everyone may be kept by shared caches, briefly (a withdrawal or an
    unpublish must leave them within ``MHA_PUBLIC_CACHE_SECONDS``), and read from any origin
    (IIIF viewers, waveform drawers); anything else is the reader's own and kept by no one.

    ``same_for_every_reader``: the body of material for everyone does not depend on who
    asks (a file, an image, an info.json), so its ``Vary`` is exactly ``vary``, without the
    ``Cookie`` and ``Accept-Language`` that the session and locale middleware add to every
    response; a shared cache then keeps one copy, not one per visitor."""
    if for_everyone:
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
        response["Cache-Control"] = f"public, max-age={settings.MHA_PUBLIC_CACHE_SECONDS}"
        if same_for_every_reader:
            response.mha_exact_vary = vary
    else:
        response["Cache-Control"] = "private, no-store"
        vary = ("Cookie", *vary)
    if vary:
        patch_vary_headers(response, vary)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def preflight() -> HttpResponse:
    """The answer to a CORS preflight (``OPTIONS``) on a read-only door.

    It is the same for every URL of the door, existing or not, visible or not: it names
    methods and headers only, so it reveals nothing the access policy guards. Whether the
    reader may then have the resource is decided by the ``GET`` that follows."""
    response = HttpResponse(status=204)
    response["Allow"] = ", ".join(READ_METHODS)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ", ".join(READ_METHODS)
    response["Access-Control-Allow-Headers"] = ", ".join(ALLOWED_HEADERS)
    response["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)
    response["Cache-Control"] = f"public, max-age={PREFLIGHT_SECONDS}"
    return response


def read_only_door(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view answering ``GET`` and ``HEAD``, and the CORS preflight before it runs."""

    @wraps(view)
    def door(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            return preflight()
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(READ_METHODS)
        return view(request, *args, **kwargs)

    return door


class ExactVaryMiddleware:
    """Sets ``Vary`` to exactly what ``share(..., same_for_every_reader=True)`` asked for.

    First in ``MIDDLEWARE``, so it sees the response after the session and locale
    middleware have added their ``Cookie`` and ``Accept-Language``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exact = getattr(response, "mha_exact_vary", None)
        if exact is not None:
            if exact:
                response["Vary"] = ", ".join(exact)
            elif response.has_header("Vary"):
                del response["Vary"]
        return response


#: What is worth compressing on a slow link: text. Pictures, sound and tiles are already
#: compressed, and a compressed byte range would no longer be the range asked for.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/ld+json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    """Django's gzip (with its BREACH length padding) for pages, JSON, CSS and JavaScript only.

    Pages, search and the API; not the doors that set an exact ``Vary`` (IIIF, files),
    whose shared-cache keys stay as they chose. An item page's HTML shrinks to about a
    quarter, which on a 400 kbit/s link is most of a second.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if (
            response.has_header("Content-Range")
            or not content_type.startswith(COMPRESSIBLE_TYPES)
            # The IIIF and file doors chose their exact Vary for shared caches: left alone.
            or getattr(response, "mha_exact_vary", None) is not None
        ):
            return response
        return super().process_response(request, response)
