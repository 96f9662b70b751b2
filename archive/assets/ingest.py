"""Ingest: check a file, store the original once by checksum, attach it to an item.

Everything is checked *before* anything is stored, so a refused file leaves no trace and a
stored one is known to be readable. The same bytes uploaded twice are stored once and linked.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import transaction

from media_pipeline.colours import palette
from media_pipeline.errors import MediaError
from media_pipeline.probe import Identified, identify
from media_pipeline.similarity import perceptual_hash

from .models import MediaAsset, Original
from .tasks import enqueue_processing

CHUNK = 1024 * 1024


@dataclass
class IngestResult:
    asset: MediaAsset
    original: Original
    #: False when these exact bytes were already in the archive and were linked instead.
    stored: bool


def safe_display_name(name: str | bytes) -> str:
    """The uploaded name, safe to show: no directories, no control characters, valid text."""
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return (name or "unnamed")[:200]


def check_file(path: Path) -> Identified:
    """What ``path`` holds, within this archive's limits, or a MediaError saying why not."""
    return identify(
        path,
        max_pixels=settings.MHA_MAX_IMAGE_PIXELS,
        max_duration=settings.MHA_MAX_DURATION_SECONDS,
    )


def _spool(source: BinaryIO) -> tuple[Path, str, int]:
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(prefix="mha-ingest-")
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return Path(tmp), digest.hexdigest(), size


def ingest(
    source: BinaryIO | Path,
    *,
    item=None,
    item_factory=None,
    filename: str | bytes,
    access_level: str | None = None,
    caption_zh: str = "",
    caption_en: str = "",
    enqueue: bool = True,
) -> IngestResult:
    """Check and store ``source`` as an original of ``item``; queue its derivatives.

    ``item_factory(kind)`` makes the item instead, once the file is known to be good (the
    ``ingest`` command makes a draft item per file this way, in the same transaction).
    """
    if isinstance(source, Path):
        with open(source, "rb") as fh:
            tmp, sha, size = _spool(fh)
    else:
        tmp, sha, size = _spool(source)
    try:
        existing = Original.objects.filter(sha256=sha).first()
        if existing is None:
            found = check_file(tmp)
        with transaction.atomic():
            stored = existing is None
            if stored:
                probe = dict(found.probe)
                if found.kind == "image":
                    # Kept to notice the same piece photographed twice (archive.assets.similar).
                    probe["phash"] = perceptual_hash(tmp)
                    # Its palette, stored with it: browse by colour reads it (assets.colours).
                    probe["colours"] = palette(tmp)
                original = Original(
                    sha256=sha,
                    size=size,
                    original_filename=safe_display_name(filename),
                    content_type=found.content_type,
                    kind=found.kind,
                    probe=probe,
                )
                with open(tmp, "rb") as fh:
                    original.file.save(f"{sha[:2]}/{sha}{found.extension}", File(fh), save=False)
                original.save()
            else:
                original = existing
            if item is None:
                item = item_factory(original.kind)
            position = item.assets.count()
            asset = MediaAsset.objects.create(
                item=item,
                original=original,
                position=position,
                caption_zh=caption_zh,
                caption_en=caption_en,
                **({"access_level": access_level} if access_level else {}),
            )
            if enqueue:
                # Saved even while the queue (Redis) is down: marked, queued again once back.
                enqueue_processing(asset)
    finally:
        tmp.unlink(missing_ok=True)
    return IngestResult(asset=asset, original=original, stored=stored)


__all__ = ["IngestResult", "MediaError", "ingest", "safe_display_name", "check_file"]
