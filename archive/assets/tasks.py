"""Background tasks (django-tasks API: database worker by default, Redis/RQ when configured).

``process_asset`` is idempotent: it remakes every derivative from the original, replacing
what is there, so it can be retried, re-run by ``rebuild_derivatives``, or resumed by
``media_recover`` after a worker died mid-way.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from media_pipeline import steps
from media_pipeline.errors import MediaError

from .files import copy_to_temp, save_derivative
from .models import AssetStatus, MediaAsset

log = logging.getLogger(__name__)
#: Unexpected failures (a full disk, storage timing out) are retried; a bad file is not.
MAX_ATTEMPTS = 3
RETRY_DELAYS = [timedelta(seconds=30), timedelta(minutes=5)]


@task(queue_name="media")
def process_asset(asset_id: int, attempt: int = 1) -> str:
    """Make the derivatives of one asset."""
    asset = MediaAsset.objects.select_related("original", "item").filter(pk=asset_id).first()
    if asset is None:
        return "gone"
    MediaAsset.objects.filter(pk=asset_id).update(
        status=AssetStatus.PROCESSING, progress=5, error=""
    )

    def progress(percent: int) -> None:
        MediaAsset.objects.filter(pk=asset_id).update(progress=max(0, min(99, percent)))

    try:
        build_derivatives(asset, progress)
    except MediaError as exc:
        MediaAsset.objects.filter(pk=asset_id).update(status=AssetStatus.FAILED, error=str(exc))
        log.warning("asset %s failed: %s", asset_id, exc)
        return "failed"
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"[:500]
        if attempt < MAX_ATTEMPTS:
            MediaAsset.objects.filter(pk=asset_id).update(
                status=AssetStatus.QUEUED, error=f"retrying after: {reason}"
            )
            delay = RETRY_DELAYS[min(attempt - 1, len(RETRY_DELAYS) - 1)]
            _enqueue(asset_id, attempt + 1, run_after=timezone.now() + delay)
            log.warning("asset %s attempt %s failed, retrying: %s", asset_id, attempt, reason)
            return "retrying"
        MediaAsset.objects.filter(pk=asset_id).update(status=AssetStatus.FAILED, error=reason)
        raise
    with transaction.atomic():
        MediaAsset.objects.filter(pk=asset_id).update(status=AssetStatus.READY, progress=100)
        _update_item_duration(asset)
    return "ready"


def build_derivatives(asset: MediaAsset, progress: steps.Progress = lambda p: None) -> None:
    """Make every derivative of ``asset`` from its original, storing each as it is finished."""
    original = asset.original
    workdir = Path(tempfile.mkdtemp(prefix="mha-deriv-"))
    try:
        try:
            src = copy_to_temp(original, workdir)
        except FileNotFoundError as exc:
            raise MediaError(_("The original file is missing from storage.")) from exc
        for made in steps.derivatives(original.kind, src, workdir, original.probe, progress):
            save_derivative(asset, made)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _enqueue(asset_id: int, attempt: int, run_after=None) -> None:
    t = process_asset
    if run_after is not None:
        try:
            t = process_asset.using(run_after=run_after)
        except Exception:  # backends without deferred tasks (immediate) run it now
            t = process_asset
    t.enqueue(asset_id, attempt)


def enqueue_processing(asset: MediaAsset) -> None:
    """Queue ``asset`` (marking it queued) once the surrounding transaction commits."""
    MediaAsset.objects.filter(pk=asset.pk).update(status=AssetStatus.QUEUED, progress=0)
    transaction.on_commit(lambda: process_asset.enqueue(asset.pk))


def _update_item_duration(asset: MediaAsset) -> None:
    duration = asset.original.probe.get("duration")
    if not duration:
        return
    item = asset.item.specific
    if hasattr(item, "duration_seconds") and not item.duration_seconds:
        type(item).objects.filter(pk=item.pk).update(duration_seconds=duration)
