"""Ingest: check a file, store the original once by checksum, attach it to an item.

Everything is checked *before* anything is stored, so a refused file leaves no trace and a
stored one is known to be readable. The same bytes uploaded twice are stored once and linked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.files import File
from django.db import transaction

from .errors import MediaError
from .models import MediaAsset, Original
from .probe import probe_av, probe_image
from .sniff import sniff

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


def check_file(path: Path) -> tuple[str, str, str, dict]:
    """Sniff and probe ``path``; return (kind, content type, extension, probe) or raise."""
    sniffed = sniff(path)
    if sniffed.kind == "image":
        info = probe_image(path)
        return "image", sniffed.content_type, sniffed.extension, info
    info = probe_av(path, sniffed)
    kind = info.pop("kind")
    content_type = sniffed.content_type
    if kind == "audio" and content_type.startswith("video/"):
        content_type = "audio/mp4"
    return kind, content_type, sniffed.extension, info


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
            kind, content_type, ext, info = check_file(tmp)
        with transaction.atomic():
            stored = existing is None
            if stored:
                original = Original(
                    sha256=sha,
                    size=size,
                    original_filename=safe_display_name(filename),
                    content_type=content_type,
                    kind=kind,
                    probe=info,
                )
                with open(tmp, "rb") as fh:
                    original.file.save(f"{sha[:2]}/{sha}{ext}", File(fh), save=False)
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
                from .tasks import process_asset

                transaction.on_commit(lambda: process_asset.enqueue(asset.pk))
    finally:
        tmp.unlink(missing_ok=True)
    return IngestResult(asset=asset, original=original, stored=stored)


def copy_to_temp(original: Original, directory: Path | None = None) -> Path:
    """A local copy of an original for tools that need a path (storage may be remote)."""
    suffix = Path(original.file.name).suffix
    fd, tmp = tempfile.mkstemp(prefix="mha-orig-", suffix=suffix, dir=directory)
    with os.fdopen(fd, "wb") as out, original.file.open("rb") as src:
        shutil.copyfileobj(src, out, CHUNK)
    return Path(tmp)


__all__ = ["IngestResult", "MediaError", "ingest", "safe_display_name", "check_file"]
