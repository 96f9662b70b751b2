"""Storing an uploaded photo the way every file is stored: checked by the media pipeline
(refused with a reason if damaged, hostile or too large), then kept once by checksum as an
``assets.Original``."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from archive.assets.ingest import MediaError, check_file, safe_display_name
from archive.assets.models import Original


def _spool(source: BinaryIO, out: BinaryIO) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(1024 * 1024):
        digest.update(chunk)
        out.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def is_fresh_upload(fieldfile) -> bool:
    """A file a form (or a script) just handed over, not yet stored anywhere."""
    return bool(fieldfile) and getattr(fieldfile, "_committed", True) is False


def store_original(
    source: BinaryIO | Path, filename: str, kind: str = "image", refusal: str | None = None
) -> Original:
    """Check ``source`` with the pipeline and store it once by checksum; a file that is
    not a readable ``kind`` (image, audio) is refused with the pipeline's reason, or
    ``refusal`` when it is readable but of another kind (``MediaError``)."""
    fd, tmp = tempfile.mkstemp(prefix="mha-market-")
    tmp_path = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(source, Path):
                with open(source, "rb") as fh:
                    sha, size = _spool(fh, out)
            else:
                sha, size = _spool(source, out)
        existing = Original.objects.filter(sha256=sha).first()
        if existing is not None:
            return existing
        found = check_file(tmp_path)
        if found.kind != kind:
            raise MediaError(refusal or _("A product photo must be an image."))
        original = Original(
            sha256=sha,
            size=size,
            original_filename=safe_display_name(filename),
            content_type=found.content_type,
            kind=found.kind,
            probe=found.probe,
        )
        with open(tmp_path, "rb") as fh:
            original.file.save(f"{sha[:2]}/{sha}{found.extension}", File(fh), save=False)
        original.save()
        return original
    finally:
        tmp_path.unlink(missing_ok=True)


def adopt_upload(
    fieldfile, field: str, kind: str = "image", refusal: str | None = None
) -> Original:
    """Store a fresh upload as an ``Original``; a refusal is the form's error on ``field``."""
    try:
        return store_original(fieldfile, fieldfile.name, kind, refusal)
    except MediaError as exc:
        raise ValidationError({field: str(exc)}) from exc


def discard(original_id: int | None, renditions: Iterable[FieldFile]) -> None:
    """A removed photo's files: its renditions, and its original unless another record
    (an asset, another photo, a pronunciation) holds the same bytes. Rows go now, files
    once the transaction commits, so a rollback never leaves a record without its file."""
    doomed = [(f.storage, f.name) for f in renditions if f]
    original = Original.objects.filter(pk=original_id).first() if original_id else None
    if original is not None:
        try:
            with transaction.atomic():
                original.delete()
        except (ProtectedError, RestrictedError):
            pass  # the same bytes serve something else: they stay
        else:
            doomed.append((original.file.storage, original.file.name))
    for storage, name in doomed:
        transaction.on_commit(functools.partial(storage.delete, name))
