"""Heartbeats of worker processes, and what ``/healthz`` concludes from them.

A worker beats every ``MHA_WORKER_BEAT_SECONDS`` from a thread of its own, so a long ffmpeg run does
not silence it; a worker missing for three beats is dead. Each beat also gives the worker
the chance to recover what a dead worker left behind (see ``archive.assets.recovery``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from .models import Heartbeat

log = logging.getLogger(__name__)


def beat_seconds() -> float:
    return settings.MHA_WORKER_BEAT_SECONDS


def dead_after() -> timedelta:
    """Three missed beats: the process is gone (killed, machine down), not merely busy."""
    return timedelta(seconds=3 * beat_seconds())


def beat(worker_id: str, queues: str) -> None:
    now = timezone.now()
    Heartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "queues": queues[:255],
            "beat_at": now,
        },
    )
    Heartbeat.objects.filter(beat_at__lt=now - 10 * dead_after()).delete()


def alive() -> list[Heartbeat]:
    return list(Heartbeat.objects.filter(beat_at__gte=timezone.now() - dead_after()))


class Beating:
    """A context manager that beats in a daemon thread and runs ``on_beat`` each time."""

    def __init__(self, worker_id: str, queues: str, on_beat: Callable[[], None] = lambda: None):
        self.worker_id, self.queues, self.on_beat = worker_id, queues, on_beat
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mha-heartbeat", daemon=True)

    def __enter__(self) -> Beating:
        beat(self.worker_id, self.queues)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=beat_seconds())
        Heartbeat.objects.filter(worker_id=self.worker_id).delete()

    def _run(self) -> None:
        try:
            while not self._stop.wait(beat_seconds()):
                close_old_connections()
                try:
                    beat(self.worker_id, self.queues)
                    self.on_beat()
                except Exception:  # a busy database must not kill the heartbeat
                    log.warning("heartbeat of %s failed", self.worker_id, exc_info=True)
        finally:
            connection.close()
