"""The IIIF Image API 3 door: ``/iiif/3/<asset_id>/info.json`` and
``/iiif/3/<asset_id>/<region>/<size>/<rotation>/<quality>.<format>``.

Every request asks the access policy (through ``descriptor()``); a refused one gets the same
404 as an identifier that does not exist. Tiles cut in advance are served from the ``tiles``
zip; anything else is computed from the ``pyramid`` with libvips and cached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect

from archive.access import policy
from archive.assets.models import Derivative, MediaAsset
from archive.core.http import read_only_door, share
from media_pipeline.tiles import TILE_SIZE

from . import sources, tile_files
from .auth import AUTH_CONTEXT, probe_service
from .image_api import CONTEXT, IIIFError, info_document, parse_image_request
from .negotiation import jsonld_content_type

log = logging.getLogger(__name__)

_IDENT = re.compile(r"^[1-9][0-9]{0,11}$")
MAX_PATH = 1024
#: Computed images up to this size are kept in the cache (tiles come from the zip anyway).
CACHE_MAX_BYTES = 2 * 1024 * 1024
CACHE_SECONDS = 24 * 3600
DESCRIPTOR_SECONDS = 300
PROFILE_URI = "http://iiif.io/api/image/3/level2.json"
#: What an image sign-in could open answers when not (yet) admitted.
LOCKED = {
    401: "Sign in to see this image.",
    403: "This image is not shared with you.",
}


@dataclass
class Descriptor:
    """What serving an image needs, without touching the database again."""

    asset_id: int
    public: bool
    width: int
    height: int
    tiles: str
    source: str  # the pyramid, or the original when no pyramid was made yet


def descriptor_key(asset_id: int) -> str:  # pragma: no mutate block
    return f"iiif:asset:{asset_id}"


def descriptor(asset_id: int, user) -> Descriptor | None:
    """The image asset ``asset_id`` if ``user`` may see it, else None."""
    desc, status = access_descriptor(asset_id, user)
    return desc if status == 200 else None


def access_descriptor(asset_id: int, user) -> tuple[Descriptor | None, int]:
    """The image asset ``asset_id`` and what ``user`` gets for it (the access policy's
    :func:`~archive.access.policy.probe_status`): 200, or 401/403 for an image sign-in could
    open (described, so a viewer can offer sign-in; not delivered). None and 404 for what
    does not exist or is not announced.

    Only descriptors of public material are cached (they are the same for everyone); the
    signal handlers drop them when an asset, its derivatives or its item change.
    """
    cached = cache.get(descriptor_key(asset_id))
    if cached is not None:
        return Descriptor(**cached), 200
    asset = (
        MediaAsset.objects.select_related("item", "original")
        .prefetch_related(
            Prefetch(
                "derivatives", queryset=Derivative.objects.filter(name__in=["tiles", "pyramid"])
            )
        )
        .filter(pk=asset_id, original__kind="image")
        .first()
    )
    if asset is None:
        return None, 404
    status = policy.probe_status(user, asset)
    if status == 404:
        return None, 404
    pyramid, tiles = asset.derivative("pyramid"), asset.derivative("tiles")
    if pyramid is None or not pyramid.width or not pyramid.height:
        # Nothing is ever cut from the original: it keeps EXIF, GPS included. Until the
        # pipeline has made the scrubbed pyramid (still processing, or failed), no image.
        return None, 404
    # The pipeline records the pyramid at the size shown (after EXIF orientation).
    source, width, height = pyramid.file.name, pyramid.width, pyramid.height
    desc = Descriptor(
        asset_id=asset.pk,
        public=policy.asset_shown_to_everyone(asset),
        width=width,
        height=height,
        tiles=tiles.file.name if tiles is not None else "",
        source=source,
    )
    if desc.public:
        cache.set(descriptor_key(asset_id), asdict(desc), DESCRIPTOR_SECONDS)
    return desc, status


def _headers(
    response: HttpResponse, desc: Descriptor | None, vary: tuple[str, ...] = ()
) -> HttpResponse:
    # An image and its info.json are the same bytes for everyone who may see them.
    return share(response, desc is not None and desc.public, vary=vary, same_for_every_reader=True)


def _error(status: int, message: str) -> HttpResponse:  # pragma: no mutate block
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # an error reveals nothing; viewers read it
    response["Cache-Control"] = "no-store"
    return response


def service_id(request, asset_id: int) -> str:  # pragma: no mutate block
    return request.build_absolute_uri(f"/iiif/3/{asset_id}")


@read_only_door
def image_api(request, rest: str):
    """Dispatch the Image API URL forms; everything else is a 400 or a 404."""
    if len(rest) > MAX_PATH:
        return _error(400, "The request is too long.")
    parts = rest.split("/")
    ident = parts[0]
    if not _IDENT.match(ident) or int(ident) > 2**31 - 1:  # beyond any key: not a DB error
        return _error(404, "No such image.")
    if len(parts) not in (1, 2, 5) or (len(parts) == 2 and parts[1] != "info.json"):
        return _error(400, "Not a IIIF Image API request.")
    desc, status = access_descriptor(int(ident), request.user)
    if desc is None:
        return _error(404, "No such image.")
    if status != 200 and len(parts) == 2:
        # Described with its probe (IIIF Auth 2.0), so a viewer can offer sign-in.
        return _info(request, desc, status)
    if status != 200:
        return _error(status, LOCKED[status])
    if len(parts) == 1:
        return _headers(
            HttpResponseRedirect(f"{service_id(request, desc.asset_id)}/info.json", status=303),
            desc,
        )
    if len(parts) == 2:
        return _info(request, desc)
    try:
        req = parse_image_request(*parts[1:], desc.width, desc.height)
    except IIIFError as exc:
        return _error(exc.status, exc.message)
    return _image(request, desc, req)


def _info(request, desc: Descriptor, status: int = 200) -> HttpResponse:  # pragma: no mutate block
    doc = info_document(service_id(request, desc.asset_id), desc.width, desc.height, TILE_SIZE)
    if not desc.public:
        # Not for everyone: the IIIF Auth 2.0 probe tells a viewer what it may have.
        doc["@context"] = [AUTH_CONTEXT, CONTEXT]
        doc["service"] = [probe_service(request, desc.asset_id)]
    content_type = jsonld_content_type(request.headers.get("Accept"), CONTEXT)
    response = HttpResponse(
        json.dumps(doc, ensure_ascii=False), content_type=content_type, status=status
    )
    response["Link"] = f'<{PROFILE_URI}>;rel="profile"'
    # The body is the same, its Content-Type is not: a cache must key it by Accept.
    response = _headers(response, desc, vary=("Accept",))
    if status != 200:
        # A viewer on another origin must read the probe to offer sign-in; under '*' no
        # cookie is sent, so it reads only what an anonymous visitor gets.
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _accel_tile(request, desc: Descriptor, req) -> HttpResponse | None:  # pragma: no mutate block
    """Behind nginx, a pre-cut tile is sent by nginx from the unpacked tile files."""
    if not (settings.MHA_ACCEL_REDIRECT and request.method == "GET" and desc.tiles):
        return None
    if not req.is_plain:
        return None
    folder = tile_files.unpacked(desc.asset_id, desc.public, desc.tiles)
    path = f"{req.x},{req.y},{req.w},{req.h}/{req.out_w},{req.out_h}/0/default.jpg"
    if folder is None or not (folder / path).is_file():
        return None
    kind = "public" if desc.public else "private"
    response = HttpResponse(content_type=req.content_type)
    response["X-Accel-Redirect"] = f"{settings.MHA_ACCEL_TILES_PREFIX}{kind}/{desc.asset_id}/{path}"
    return response


def _keep_for_nginx(request, desc: Descriptor, req, data: bytes) -> None:
    """Behind nginx, a rendered tile off the pre-cut grid is kept as a file nginx sends the
    next time (public: at its own URL, without the app; else after the access check)."""
    if not (settings.MHA_ACCEL_REDIRECT and request.method == "GET" and desc.tiles):
        return
    if not req.is_plain or max(req.out_w, req.out_h) > tile_files.KEEP_MAX_SIDE:
        return
    path = tile_files.tile_path(req.x, req.y, req.w, req.h, req.out_w, req.out_h)
    tile_files.keep_rendered(desc.asset_id, desc.public, path, data)


def _image(request, desc: Descriptor, req) -> HttpResponse:  # pragma: no mutate block
    accel = _accel_tile(request, desc, req)
    if accel is not None:
        return _headers(accel, desc)
    data = sources.pre_cut_tile(desc.tiles, req) if desc.tiles else None
    if data is None:
        key = "iiif:img:" + hashlib.sha256(f"{desc.source}|{req.canonical}".encode()).hexdigest()
        data = cache.get(key)
        if data is None:
            try:
                path = sources.local_path(desc.source)
                data = sources.render(path, desc.width, desc.height, req)
            except Exception as exc:  # a damaged source: a clear answer, never a 500
                log.warning("IIIF render of asset %s failed: %s", desc.asset_id, exc)
                return _error(503, "This image cannot be produced right now.")
            if len(data) <= CACHE_MAX_BYTES:
                cache.set(key, data, CACHE_SECONDS)
        _keep_for_nginx(request, desc, req, data)
    response = HttpResponse(data, content_type=req.content_type)
    base = service_id(request, desc.asset_id)
    response["Link"] = (
        f'<{base}/{req.canonical}>;rel="canonical", '
        f'<{base}/info.json>;rel="describedby", '
        f'<{PROFILE_URI}>;rel="profile"'
    )
    return _headers(response, desc)
