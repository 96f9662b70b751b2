"""``GET /healthz``: is every configured service answering?

200 only when the database, search engine, storage and task queue all answer; 503 with the
failing component named otherwise. Each probe is cheap and bounded so a load balancer can
poll it.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks import task_backends

from archive.workers import heartbeat
from search import engines, indexing


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"engine": connection.vendor}


def _search() -> dict:
    engine = engines.get_engine()
    # The database engine answers whenever the database does; a cluster says its colour.
    return {"engine": engine.name, **engine.health(), "pending": indexing.pending()}


def _storage() -> dict:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as fh:
            if fh.read() != b"ok":
                raise OSError("storage returned different bytes")
    finally:
        default_storage.delete(name)
    return {"backend": type(getattr(default_storage, "_wrapped", default_storage)).__name__}


#: A task waiting longer than this to start means the workers are gone or overwhelmed.
OVERDUE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class QueueState:
    """The task queue as curators and load balancers need to know it."""

    backend: str
    #: False when tasks run inside the request (tests): there is no worker to watch.
    watched: bool
    workers: int = 0
    waiting: int | None = None
    overdue: int = 0
    #: Seconds the oldest waiting task has waited (None: none waiting, or unknown).
    oldest_seconds: float | None = None

    @property
    def problem(self) -> str:
        if not self.watched:
            return ""
        if self.overdue:
            return f"{self.overdue} task(s) waiting over {OVERDUE_AFTER} to start"
        if not self.workers:
            return "no task worker is alive (start one: manage.py worker)"
        return ""


def queue_state() -> QueueState:
    backend = task_backends["default"]
    name = type(backend).__name__
    if backend.__class__.__module__.startswith("django_tasks.backends.immediate"):
        return QueueState(name, watched=False)
    waiting = overdue = oldest = None
    if backend.__class__.__module__.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult, get_date_max

        ready = DBTaskResult.objects.filter(status="READY")
        waiting = ready.count()
        cutoff = timezone.now() - OVERDUE_AFTER
        # run_after holds the largest date for "as soon as possible".
        overdue = ready.filter(
            Q(run_after__lt=cutoff) | Q(run_after=get_date_max(), enqueued_at__lt=cutoff)
        ).count()
        first = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        if first is not None:
            oldest = (timezone.now() - first).total_seconds()
    elif _is_rq(backend):
        waiting, overdue, oldest = _rq_queues(backend)
    return QueueState(name, True, len(heartbeat.alive()), waiting, overdue or 0, oldest)


def _is_rq(backend) -> bool:
    from django_tasks_rq.backend import RQBackend

    return isinstance(backend, RQBackend)


def _rq_queues(backend) -> tuple[int, int, float | None]:
    """Depth of the RQ queues, how many jobs waited too long, the oldest job's wait."""
    import django_rq

    waiting = overdue = 0
    oldest: float | None = None
    now = timezone.now()
    for queue_name in backend.queues:
        queue = django_rq.get_queue(queue_name)
        waiting += queue.count
        for job_id in queue.get_job_ids(0, 49):  # the head of the queue is its oldest
            job = queue.fetch_job(job_id)
            if job is None or job.enqueued_at is None:
                continue
            enqueued = job.enqueued_at
            if timezone.is_naive(enqueued):
                enqueued = timezone.make_aware(enqueued, UTC)
            age = (now - enqueued).total_seconds()
            oldest = age if oldest is None else max(oldest, age)
            overdue += age > OVERDUE_AFTER.total_seconds()
    return waiting, overdue, oldest


def _tasks() -> dict:
    state = queue_state()
    if state.problem:
        raise RuntimeError(state.problem)
    info: dict = {"backend": state.backend}
    if state.watched:
        info["workers"] = state.workers
    if state.waiting is not None:
        info["waiting"] = state.waiting
    if state.oldest_seconds is not None:
        info["oldest_waiting_seconds"] = round(state.oldest_seconds, 1)
    return info


def _cache() -> dict:
    """The shared cache (Redis in a stack): a withdrawal clears pages through it."""
    key = f"healthz:{uuid.uuid4().hex}"
    caches["default"].set(key, "ok", 10)
    try:
        if caches["default"].get(key) != "ok":
            raise ConnectionError("the cache did not keep a value")
    finally:
        caches["default"].delete(key)
    return {"backend": type(caches["default"]).__name__}


PROBES = {
    "database": _database,
    "search": _search,
    "storage": _storage,
    "tasks": _tasks,
    "cache": _cache,
}


@never_cache
def healthz(request):
    report: dict = {}
    ok = True
    for name, probe in PROBES.items():
        started = time.monotonic()
        try:
            detail = probe()
            report[name] = {"status": "ok", **detail}
        except Exception as exc:  # any failure is a health answer, never a 500
            ok = False
            report[name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        report[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    body = {"status": "ok" if ok else "error", "version": settings.MHA_VERSION, **report}
    return JsonResponse(body, status=200 if ok else 503)
