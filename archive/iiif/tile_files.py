"""Pre-cut tiles as plain files nginx can send (``MHA_ACCEL_REDIRECT`` on).

The pipeline stores an image's pre-cut IIIF tiles as one zip. Behind nginx, the first
request for a tile of an image unpacks that zip once into ``MHA_TILE_ROOT``:
``public/<asset>/`` for an image everyone may see, which nginx then serves by itself at the
very URL of the tile (deploy/nginx/mha.conf, ``try_files``), at the cost of a static file; or
``private/<asset>/`` for any other, which only Django's ``X-Accel-Redirect`` reaches after
the access check. Whenever anything that decides an image's visibility changes (the same
signals that drop its cached descriptor: level, consent, publishing, files) both folders are
removed, so a withdrawn image's tiles leave nginx at once; the next allowed request unpacks
them again.

Tiles off the pre-cut grid (the 256-px tiles many viewers ask for) are rendered once by the
app and written into the same folder (``keep_rendered``), so the next request for one is a
file nginx sends too; they leave with the folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from .sources import _TILE_NAME

#: Marks a folder as complete: written last, after every tile.
COMPLETE = ".complete"


def folder(asset_id: int, public: bool) -> Path:
    return Path(settings.MHA_TILE_ROOT) / ("public" if public else "private") / str(asset_id)


def unpacked(asset_id: int, public: bool, zip_name: str) -> Path | None:
    """The folder of the image's tiles, unpacked from ``zip_name`` if not yet; None when the
    zip cannot be read (the door then answers from the zip or renders)."""
    target = folder(asset_id, public)
    if (target / COMPLETE).exists():
        return target
    work = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    try:
        with default_storage.open(zip_name, "rb") as fh, zipfile.ZipFile(fh) as tiles:
            for info in tiles.infolist():
                match = _TILE_NAME.search(info.filename)
                if not match:
                    continue
                x, y, w, h, sw, sh = match.groups()
                path = work / f"{x},{y},{w},{h}" / f"{sw},{sh}" / "0" / "default.jpg"
                path.parent.mkdir(parents=True, exist_ok=True)
                with tiles.open(info) as src, open(path, "wb") as out:
                    shutil.copyfileobj(src, out)
        (work / COMPLETE).touch()
        work.parent.mkdir(parents=True, exist_ok=True)
        try:
            work.rename(target)
        except OSError:  # another process unpacked it first, or left an incomplete folder
            if not (target / COMPLETE).exists():
                shutil.rmtree(target, ignore_errors=True)
                with contextlib.suppress(OSError):
                    work.rename(target)
            shutil.rmtree(work, ignore_errors=True)
    except (OSError, zipfile.BadZipFile):
        shutil.rmtree(work, ignore_errors=True)
        return None
    return target if (target / COMPLETE).exists() else None


def forget(asset_id: int) -> None:
    """Remove the image's unpacked tiles, public and private."""
    for public in (True, False):
        shutil.rmtree(folder(asset_id, public), ignore_errors=True)


#: Rendered tiles larger than this (either side) are not kept as files: a tile is small, a
#: large region of the image is asked for rarely and would fill the disk.
KEEP_MAX_SIDE = 1024


def tile_path(x: int, y: int, w: int, h: int, out_w: int, out_h: int) -> str:
    return f"{x},{y},{w},{h}/{out_w},{out_h}/0/default.jpg"


def keep_rendered(asset_id: int, public: bool, path: str, data: bytes) -> bool:
    """Keep a rendered tile beside the unpacked pre-cut ones, if they are unpacked (the
    folder is complete); written under a temporary name and renamed, so nginx never sends
    half a file. True when kept."""
    target = folder(asset_id, public)
    if not (target / COMPLETE).exists():
        return False
    final = target / path
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        work = final.with_name(f".{uuid.uuid4().hex}.tmp")
        work.write_bytes(data)
        os.replace(work, final)
    except OSError:  # the folder was forgotten meanwhile, or the disk is full: not kept
        return False
    if not (target / COMPLETE).exists():  # forgotten while writing: leave nothing behind
        forget(asset_id)
        return False
    return True
