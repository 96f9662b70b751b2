"""Background tasks (django-tasks API: database worker by default, Redis/RQ when configured).

``process_asset`` is idempotent: it remakes every derivative from the original, replacing
what is there, so it can be retried, re-run by ``rebuild_derivatives``, or resumed by
``media_recover`` after a worker died mid-way.
"""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from media_pipeline import steps
from media_pipeline.errors import MediaError

from .files import copy_to_temp, save_derivative
from .models import AssetStatus, MediaAsset
from .recovery import keep_alive, make_workdir, stale_after, touch
from .signals import asset_ready

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
    touch(asset_id, status=AssetStatus.PROCESSING, progress=5, error="")

    def progress(percent: int) -> None:
        touch(asset_id, progress=max(0, min(99, percent)))

    try:
        with keep_alive(asset_id):
            build_derivatives(asset, progress)
    except MediaError as exc:
        touch(asset_id, status=AssetStatus.FAILED, error=str(exc))
        log.warning("asset %s failed: %s", asset_id, exc)
        return "failed"
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"[:500]
        if attempt < MAX_ATTEMPTS:
            touch(asset_id, status=AssetStatus.QUEUED, error=f"retrying after: {reason}")
            delay = RETRY_DELAYS[min(attempt - 1, len(RETRY_DELAYS) - 1)]
            _enqueue(asset_id, attempt + 1, run_after=timezone.now() + delay)
            log.warning("asset %s attempt %s failed, retrying: %s", asset_id, attempt, reason)
            return "retrying"
        touch(asset_id, status=AssetStatus.FAILED, error=reason)
        raise
    with transaction.atomic():
        touch(asset_id, status=AssetStatus.READY, progress=100)
        _update_item_duration(asset)
    asset_ready.send(MediaAsset, asset_id=asset_id, item_id=asset.item_id)
    return "ready"


def build_derivatives(asset: MediaAsset, progress: steps.Progress = lambda p: None) -> None:
    """Make every derivative of ``asset`` from its original, storing each as it is finished."""
    original = asset.original
    workdir = make_workdir()
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


#: The asset's error while the task queue (Redis) did not take its task: the saved upload
#: stays, and the next worker beat after the queue is back queues it (``requeue_stale``).
QUEUE_UNREACHABLE = "the task queue did not answer; it is queued again when it does"


def enqueue_processing(asset: MediaAsset) -> None:
    """Queue ``asset`` (marking it queued) once the surrounding transaction commits."""
    touch(asset.pk, status=AssetStatus.QUEUED, progress=0)
    transaction.on_commit(lambda: _queue_or_mark(asset.pk))


def _queue_or_mark(asset_id: int) -> bool:
    """Queue the asset's task; a queue that does not answer leaves it marked, not lost."""
    try:
        process_asset.enqueue(asset_id)
    except Exception:  # any backend's failure to take the task (Redis down: ConnectionError)
        log.warning("asset %s: the task queue did not take it", asset_id, exc_info=True)
        touch(asset_id, error=QUEUE_UNREACHABLE)
        return False
    return True


def requeue_stale(older_than: timedelta | None = None) -> list[int]:
    """Queue again the assets left "processing" by a worker that died; return their ids.

    ``older_than`` is never shorter than ``stale_after()``: a live task touches its asset
    more often than that, so it is never taken from the worker doing it.
    """
    cutoff = timezone.now() - max(older_than or stale_after(), stale_after())
    requeued = []
    for pk in MediaAsset.objects.filter(
        status=AssetStatus.PROCESSING, updated_at__lt=cutoff
    ).values_list("pk", flat=True):
        # Conditional: of two workers recovering at once, only one wins each asset.
        won = MediaAsset.objects.filter(
            pk=pk, status=AssetStatus.PROCESSING, updated_at__lt=cutoff
        ).update(status=AssetStatus.QUEUED, progress=0, updated_at=timezone.now())
        if won:
            process_asset.enqueue(pk)
            requeued.append(pk)
    # Assets whose task the queue never took (it was down when they were saved).
    for pk in MediaAsset.objects.filter(
        status=AssetStatus.QUEUED, error=QUEUE_UNREACHABLE
    ).values_list("pk", flat=True):
        won = MediaAsset.objects.filter(
            pk=pk, status=AssetStatus.QUEUED, error=QUEUE_UNREACHABLE
        ).update(error="", updated_at=timezone.now())
        if won and _queue_or_mark(pk):
            requeued.append(pk)
    return requeued


def _update_item_duration(asset: MediaAsset) -> None:
    duration = asset.original.probe.get("duration")
    if not duration:
        return
    item = asset.item.specific
    if hasattr(item, "duration_seconds") and not item.duration_seconds:
        type(item).objects.filter(pk=item.pk).update(duration_seconds=duration)
