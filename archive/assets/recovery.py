"""Recovering what a dead worker left behind, without touching what a live one is doing.

A task that is making derivatives touches its asset's ``updated_at`` every
``MHA_WORKER_BEAT_SECONDS`` (``keep_alive``), so an asset still "processing" after three of those
without a touch has no live worker, and ``tasks.requeue_stale`` queues it again. Work
folders carry the worker's process id, so folders of processes that are gone are removed.
Workers recover on every heartbeat; ``media_recover`` does it by hand.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from .models import MediaAsset

log = logging.getLogger(__name__)


def keepalive_seconds() -> float:
    return settings.MHA_WORKER_BEAT_SECONDS


def stale_after() -> timedelta:
    """Three missed keep-alives: nobody is working on the asset any more."""
    return timedelta(seconds=3 * keepalive_seconds())


WORKDIR_PREFIX = "mha-deriv-"
_WORKDIR = re.compile(rf"^{WORKDIR_PREFIX}(\d+)-")


def touch(asset_id: int, **fields) -> None:
    """Update an asset's fields and ``updated_at`` (``update()`` skips ``auto_now``)."""
    MediaAsset.objects.filter(pk=asset_id).update(updated_at=timezone.now(), **fields)


@contextmanager
def keep_alive(asset_id: int) -> Iterator[None]:
    """Touch the asset from a thread while the body runs, however long one step takes."""
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(keepalive_seconds()):
                close_old_connections()
                try:
                    touch(asset_id)
                except Exception:  # a locked database: try again at the next beat
                    log.warning("keep-alive of asset %s failed", asset_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"mha-keepalive-{asset_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=keepalive_seconds())


def make_workdir() -> Path:
    """A private work folder named after this process, so a dead process's can be found."""
    return Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphan_workdirs(root: Path | None = None) -> list[Path]:
    """Work folders whose process is gone (killed mid-task): removed, and returned."""
    removed = []
    for path in Path(root or tempfile.gettempdir()).glob(f"{WORKDIR_PREFIX}*"):
        match = _WORKDIR.match(path.name)
        if match and path.is_dir() and not _pid_alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def fail_orphaned_task_rows(live_worker_ids: set[str]) -> int:
    """Database-queue rows left RUNNING by a worker that is no longer beating: failed."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return 0
    cutoff = timezone.now() - stale_after()
    orphaned = [
        row.pk
        for row in DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff)
        if not set(row.worker_ids or []) & live_worker_ids
    ]
    return DBTaskResult.objects.filter(pk__in=orphaned).update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="archive.assets.recovery.WorkerDied",
        traceback="The worker running this task stopped beating; the task was recovered.",
    )


class WorkerDied(Exception):
    """Recorded on task rows whose worker died while running them."""
