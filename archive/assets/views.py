"""The door to media files: every request asks the access policy, then streams with Range."""

from __future__ import annotations

import mimetypes
import re

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from archive.access import policy
from archive.core.accel import accel_response
from archive.core.http import read_only_door, share
from archive.core.pagecache import mark_cacheable

from .models import Derivative, MediaAsset

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_NAME = re.compile(r"^[a-z0-9-]{1,40}$")


def asset_file(request, asset_id: int, name: str):
    if not _NAME.match(name):
        raise Http404
    asset = get_object_or_404(MediaAsset.objects.select_related("item", "original"), pk=asset_id)
    status = policy.probe_status(request.user, asset)
    if status in (401, 403):
        # What sign-in could open says so, as the IIIF Auth 2.0 probe on it does.
        return HttpResponse(status=status, headers={"Cache-Control": "private, no-store"})
    if status != 200:
        raise Http404  # the same answer as for an asset that does not exist
    if name == "original":
        if not policy.is_curator(request.user):
            raise Http404
        fieldfile, content_type = asset.original.file, asset.original.content_type
    else:
        derivative = Derivative.objects.filter(asset=asset, name=name).first()
        if derivative is None:
            raise Http404
        fieldfile, content_type = derivative.file, derivative.content_type
    response = ranged_file_response(request, fieldfile, content_type)
    return share(response, policy.asset_shown_to_everyone(asset), same_for_every_reader=True)


# Wrapped by name rather than with @decorator syntax: mutmut leaves decorated functions
# unmutated, and the mutation run must reach this door (README, "Mutation testing").
asset_file = read_only_door(asset_file)


def ranged_file_response(request, fieldfile, content_type: str | None = None):
    """A file response that honours a single ``Range`` (players seek with it)."""
    content_type = (
        content_type or mimetypes.guess_type(fieldfile.name)[0] or "application/octet-stream"
    )
    accel = accel_response(request, fieldfile, content_type)
    if accel is not None:
        return accel  # nginx sends the bytes, Range included
    size = fieldfile.size
    if request.method == "HEAD":
        # What a GET would say, without opening the file (it may live on object storage).
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(size)
        response["Accept-Ranges"] = "bytes"
        return response
    match = _RANGE.match(request.headers.get("Range", ""))
    if not match or (not match.group(1) and not match.group(2)):
        response = FileResponse(fieldfile.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    fh = fieldfile.open("rb")
    fh.seek(start)
    length = end - start + 1

    def chunks(remaining=length):
        try:
            while remaining > 0:
                data = fh.read(min(65536, remaining))
                if not data:
                    break
                remaining -= len(data)
                yield data
        finally:
            fh.close()

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    return response


def picture_page(request, asset_id: int):
    """One picture of an item, as large as its web rendition, on a page of the site: a
    visitor who taps a picture keeps the header, the caption, the licence and a link back to
    the item, instead of landing on a bare JPEG with only the Back button. Asked of the
    policy like the file door; a refused visitor gets the same 404 as for nothing."""
    asset = get_object_or_404(
        MediaAsset.objects.select_related("item", "original").prefetch_related("derivatives"),
        pk=asset_id,
        status="ready",
    )
    if asset.kind != "image" or not policy.can_view_asset(request.user, asset):
        raise Http404
    web = asset.derivative("web-webp") or asset.derivative("web-jpeg")
    if web is None:
        raise Http404
    if policy.asset_shown_to_everyone(asset):
        mark_cacheable(request)  # the anonymous page cache (and the offline copy) may keep it
    context = {"asset": asset, "item": asset.item.specific, "web": web}
    return render(request, "assets/picture_page.html", context)
