"""Fixity: are the stored originals still exactly the bytes that were ingested?"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils import timezone

from .models import Original

CHUNK = 1024 * 1024


@dataclass
class FixityResult:
    original: Original
    status: str  # ok | mismatch | missing
    actual: str | None = None


def audit(original: Original) -> FixityResult:
    digest = hashlib.sha256()
    try:
        with original.file.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    except (FileNotFoundError, OSError):
        result = FixityResult(original, "missing")
    else:
        actual = digest.hexdigest()
        result = FixityResult(original, "ok" if actual == original.sha256 else "mismatch", actual)
    Original.objects.filter(pk=original.pk).update(
        last_fixity_check=timezone.now(), fixity_ok=result.status == "ok"
    )
    return result
