"""Background tasks (django-tasks API: database worker by default, Redis when configured)."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from .errors import MediaError
from .models import AssetStatus, MediaAsset

log = logging.getLogger(__name__)


@task(queue_name="media")
def process_asset(asset_id: int) -> str:
    """Make the derivatives of one asset. Idempotent: running it again remakes them."""
    from .steps import build_derivatives

    asset = MediaAsset.objects.select_related("original").filter(pk=asset_id).first()
    if asset is None:
        return "gone"
    MediaAsset.objects.filter(pk=asset_id).update(
        status=AssetStatus.PROCESSING, progress=10, error=""
    )
    try:
        build_derivatives(asset)
    except MediaError as exc:
        MediaAsset.objects.filter(pk=asset_id).update(status=AssetStatus.FAILED, error=str(exc))
        log.warning("asset %s failed: %s", asset_id, exc)
        return "failed"
    except Exception as exc:
        # An unexpected failure is still reported to curators, then re-raised so the task
        # backend records it too.
        MediaAsset.objects.filter(pk=asset_id).update(
            status=AssetStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    with transaction.atomic():
        MediaAsset.objects.filter(pk=asset_id).update(status=AssetStatus.READY, progress=100)
        _update_item_duration(asset)
    return "ready"


def _update_item_duration(asset: MediaAsset) -> None:
    duration = asset.original.probe.get("duration")
    if not duration:
        return
    item = asset.item.specific
    if hasattr(item, "duration_seconds") and not item.duration_seconds:
        type(item).objects.filter(pk=item.pk).update(duration_seconds=duration)
