"""The tus 1.0.0 resumable-upload protocol (core, creation, termination, checksum,
expiration), as the admin's large-file uploader and any tus client speak it.

https://tus.io/protocols/resumable-upload: ``POST`` announces a file and its length and gets
an address; ``PATCH`` appends bytes at the offset the server names; after a dropped link the
client asks ``HEAD`` how much arrived and sends the rest. Each ``PATCH`` may carry an
``Upload-Checksum`` of its bytes, verified before they are kept. When the last byte is in,
the file goes through ``ingest`` like any upload (sniffed, probed, refused with the reason).

Every request is the admin's: signed in, allowed to add media, and only to an item the
user may edit; an upload is visible to the user who started it only (another gets 404).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime
import fcntl
import hashlib
import os

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archive.access.models import AccessLevel
from archive.assets.admin_views import items_for, level_for
from archive.assets.ingest import ingest, safe_display_name
from archive.assets.similar import look_alikes
from media_pipeline.errors import MediaError

from .models import ResumableUpload

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,checksum,expiration"
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
CHUNK = 1024 * 1024


def _respond(status: int = 204, body: str = "", **headers: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata: filename 5o6S6I6rLndhdg==,item MTI=`` → {"filename": ..., ...}."""
    out = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _sep, value = pair.partition(" ")
        try:
            out[key] = base64.b64decode(value, validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            continue
    return out


def _expires(upload: ResumableUpload) -> datetime.datetime:
    return upload.updated_at + datetime.timedelta(hours=settings.MHA_UPLOAD_EXPIRY_HOURS)


def purge_expired() -> int:
    """Forget uploads nobody has added to for MHA_UPLOAD_EXPIRY_HOURS, and their bytes."""
    cutoff = timezone.now() - datetime.timedelta(hours=settings.MHA_UPLOAD_EXPIRY_HOURS)
    stale = ResumableUpload.objects.filter(
        status=ResumableUpload.Status.RECEIVING, updated_at__lt=cutoff
    )
    for upload in stale:
        _discard_bytes(upload)
    return stale.delete()[0]


def _discard_bytes(upload: ResumableUpload) -> None:
    upload.staging_path.unlink(missing_ok=True)
    upload.staging_path.with_suffix(".lock").unlink(missing_ok=True)


def _own(request, upload_id) -> ResumableUpload:
    upload = ResumableUpload.objects.filter(pk=upload_id, user=request.user).first()
    if upload is None:
        raise Http404
    return upload


def _check_version(request) -> HttpResponse | None:
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _respond(412, Tus_Version=TUS_VERSION)
    return None


@require_http_methods(["OPTIONS", "POST"])
def collection(request):
    if not request.user.has_perm("assets.add_mediaasset"):
        raise PermissionDenied
    if request.method == "OPTIONS":
        return _respond(
            204,
            Tus_Version=TUS_VERSION,
            Tus_Extension=EXTENSIONS,
            Tus_Max_Size=str(settings.MHA_MAX_UPLOAD_BYTES),
            Tus_Checksum_Algorithm=",".join(CHECKSUMS),
        )
    if refused := _check_version(request):
        return refused
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        return _respond(400, _("The upload's length (Upload-Length) is missing."))
    if length < 0:
        return _respond(400, _("The upload's length (Upload-Length) is missing."))
    if length > settings.MHA_MAX_UPLOAD_BYTES:
        return _respond(413, _("The file is larger than this archive accepts."))
    meta = _metadata(request.headers.get("Upload-Metadata", ""))
    item_id = meta.get("item", "")
    item = items_for(request.user).filter(pk=int(item_id)).first() if item_id.isdigit() else None
    if item is None:
        return _respond(400, _("Choose an item you may edit."))
    chosen = meta.get("access_level") or AccessLevel.RESTRICTED
    if chosen not in AccessLevel.values:
        chosen = AccessLevel.RESTRICTED
    expected = meta.get("sha256", "").lower()
    purge_expired()
    upload = ResumableUpload.objects.create(
        user=request.user,
        item=item,
        access_level=level_for(request.user, item, chosen),
        filename=safe_display_name(meta.get("filename") or "unnamed"),
        length=length,
        expected_sha256=expected if len(expected) == 64 else "",
    )
    upload.staging_path.parent.mkdir(parents=True, exist_ok=True)
    upload.staging_path.touch()
    if length == 0:
        _finish(upload)
    location = request.build_absolute_uri(reverse("tus_upload", args=[upload.pk]))
    return _respond(
        201,
        Location=location,
        Upload_Offset="0",
        Upload_Expires=http_date(_expires(upload).timestamp()),
    )


@require_http_methods(["HEAD", "GET", "PATCH", "DELETE", "OPTIONS"])
def resource(request, upload_id):
    if not request.user.has_perm("assets.add_mediaasset"):
        raise PermissionDenied
    upload = _own(request, upload_id)
    if request.method == "GET":  # not tus: what became of the file, for the upload screen
        return JsonResponse(status_of(upload, request.user))
    if request.method == "OPTIONS":
        return _respond(204, Tus_Version=TUS_VERSION, Tus_Extension=EXTENSIONS)
    if refused := _check_version(request):
        return refused
    if request.method == "HEAD":
        return _respond(
            200,
            Upload_Offset=str(upload.offset),
            Upload_Length=str(upload.length),
            Upload_Expires=http_date(_expires(upload).timestamp()),
        )
    if request.method == "DELETE":
        if upload.status == ResumableUpload.Status.RECEIVING:
            _discard_bytes(upload)
            upload.delete()
        return _respond(204)
    return _patch(request, upload)


@contextlib.contextmanager
def _locked(upload: ResumableUpload):
    """One PATCH at a time per upload, across processes (a retry racing a stalled request).

    The lock file stays until the upload's bytes are discarded: unlinking it on release would
    let a request that opened the old file and one that creates a new file both hold "the" lock."""
    lock = upload.staging_path.with_suffix(".lock")
    with open(lock, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _patch(request, upload: ResumableUpload) -> HttpResponse:
    if request.content_type != "application/offset+octet-stream":
        return _respond(415)
    if upload.status != ResumableUpload.Status.RECEIVING:
        return _respond(409, Upload_Offset=str(upload.length))
    checksum = None
    if header := request.headers.get("Upload-Checksum"):
        algorithm, _sep, value = header.partition(" ")
        if algorithm not in CHECKSUMS:
            return _respond(400, _("Unsupported checksum algorithm."))
        try:
            expected = base64.b64decode(value, validate=True)
        except binascii.Error:
            return _respond(400, _("Unreadable checksum."))
        checksum = (CHECKSUMS[algorithm](), expected)
    with _locked(upload) as mine:
        if not mine:
            return _respond(423, _("This upload is receiving another request."))
        start = upload.offset
        try:
            claimed = int(request.headers.get("Upload-Offset", ""))
        except ValueError:
            claimed = -1
        if claimed != start:
            return _respond(409, Upload_Offset=str(start))
        announced = request.headers.get("Content-Length")
        room = upload.length - start
        if announced is not None and announced.isdigit() and int(announced) > room:
            return _respond(413, _("More bytes than the upload's length."))
        received, complete_body = _append(request, upload, room, checksum)
        if checksum is not None:
            digest, expected = checksum
            if not complete_body or digest.digest() != expected:
                os.truncate(upload.staging_path, start)  # never keep bytes not verified
                if complete_body:
                    return _respond(460, _("Checksum mismatch."), Upload_Offset=str(start))
                return _respond(400, Upload_Offset=str(start))
        ResumableUpload.objects.filter(pk=upload.pk).update(updated_at=timezone.now())
        offset = start + received
        if offset == upload.length:
            _finish(upload)
    return _respond(204, Upload_Offset=str(offset))


def _append(request, upload: ResumableUpload, room: int, checksum) -> tuple[int, bool]:
    """Append the request's body (at most ``room`` bytes); what arrived before a dropped link
    is kept, flushed to disk, so the next HEAD names it. A disk that fills up keeps none of
    this request's bytes and raises (a 507, archive/ops/unavailable.py): the client resumes
    from the same offset once there is room."""
    announced = request.headers.get("Content-Length")
    want = min(int(announced), room) if announced and announced.isdigit() else room
    received = 0
    # Unbuffered: a failed write is the last one, nothing is left in a buffer to land later.
    with open(upload.staging_path, "ab", buffering=0) as out:
        start = out.seek(0, os.SEEK_END)
        try:
            while received < want:
                try:
                    chunk = request.read(min(CHUNK, want - received))
                except OSError:  # the link dropped mid-body (wsgiref, gunicorn's NoMoreData)
                    break
                if not chunk:
                    break
                view = memoryview(chunk)
                while view:
                    view = view[out.write(view) :]
                if checksum is not None:
                    checksum[0].update(chunk)
                received += len(chunk)
            os.fsync(out.fileno())
        except OSError:  # ENOSPC, EDQUOT, EIO: keep nothing half-written
            with contextlib.suppress(OSError):  # (a device, not a file: nothing to cut)
                os.ftruncate(out.fileno(), start)
            raise
    return received, received == want


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _finish(upload: ResumableUpload) -> None:
    """The whole file is in: check it as any upload, store it or refuse it, forget the bytes."""
    path = upload.staging_path
    try:
        sha = _sha256(path)
        upload.sha256 = sha
        if upload.expected_sha256 and upload.expected_sha256 != sha:
            raise MediaError(
                _("The file arrived damaged: its SHA-256 is not the one the sender computed.")
            )
        result = ingest(
            path, item=upload.item, filename=upload.filename, access_level=upload.access_level
        )
        upload.status, upload.asset = ResumableUpload.Status.STORED, result.asset
    except MediaError as exc:
        upload.status, upload.error = ResumableUpload.Status.REFUSED, str(exc)
    finally:
        _discard_bytes(upload)
    upload.save()


def status_of(upload: ResumableUpload, user) -> dict:
    similar = []
    if upload.asset_id:
        similar = look_alikes(upload.asset.original, user, exclude_item=upload.item)
    return {
        "id": str(upload.pk),
        "name": upload.filename,
        "status": upload.status,
        "status_label": upload.get_status_display(),
        "offset": upload.offset,
        "length": upload.length,
        "sha256": upload.sha256,
        "error": upload.error,
        "asset": upload.asset_id,
        "asset_url": (
            reverse("wagtailsnippets_assets_mediaasset:edit", args=[upload.asset_id])
            if upload.asset_id
            else None
        ),
        "access_level": upload.access_level,
        "similar": [{"identifier": s.identifier, "title": s.title, "url": s.url} for s in similar],
    }
