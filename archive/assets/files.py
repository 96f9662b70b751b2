"""Originals and derivatives between storage and the local paths the toolkit works on."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from django.core.files import File
from django.db import transaction

from media_pipeline.steps import Made

from .models import Derivative, MediaAsset, Original

CHUNK = 1024 * 1024


def copy_to_temp(original: Original, directory: Path | None = None) -> Path:
    """A local copy of an original for tools that need a path (storage may be remote)."""
    suffix = Path(original.file.name).suffix
    fd, tmp = tempfile.mkstemp(prefix="mha-orig-", suffix=suffix, dir=directory)
    with os.fdopen(fd, "wb") as out, original.file.open("rb") as src:
        shutil.copyfileobj(src, out, CHUNK)
    return Path(tmp)


def save_derivative(asset: MediaAsset, made: Made) -> Derivative:
    """Store a finished file and record it, replacing (then deleting) the one it remakes."""
    with open(made.path, "rb") as fh, transaction.atomic():
        old = Derivative.objects.filter(asset=asset, name=made.name).first()
        derivative = Derivative(
            asset=asset,
            name=made.name,
            content_type=made.content_type,
            size=made.path.stat().st_size,
            width=made.width,
            height=made.height,
        )
        derivative.file.save(f"{asset.pk}/{made.name}{made.path.suffix}", File(fh), save=False)
        if old is not None:
            old_file, storage = old.file.name, old.file.storage
            old.delete()
            transaction.on_commit(lambda: storage.delete(old_file))
        derivative.save()
    return derivative
