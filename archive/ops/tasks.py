"""Tasks carry the id of the request that enqueued them, and report how long they ran.

On RQ the request id rides in the job's ``meta``; the worker binds it (or, for a task that
no request enqueued, ``task-<id>``) while the task runs, so its log lines share the id of the
upload that caused them. Each finished task is counted in ``mha_task_seconds``.
"""

from __future__ import annotations

import contextlib
import logging

from django_tasks.signals import task_enqueued, task_finished, task_started

from . import metrics, requestid

log = logging.getLogger("archive.tasks")
_tokens: dict[str, object] = {}


def _rq_job(task_id: str):
    try:
        from rq import get_current_job
    except ImportError:
        return None
    job = get_current_job()
    return job if job is not None and job.id == task_id else None


def on_enqueued(sender, task_result, **kwargs) -> None:
    request_id = requestid.current()
    log.info("task %s enqueued: %s", task_result.id, task_result.task.module_path)
    from django_tasks_rq.backend import RQBackend

    if not request_id or not issubclass(sender, RQBackend):
        return
    try:
        import django_rq
        from rq.job import Job

        job = Job.fetch(task_result.id, connection=django_rq.get_connection("default"))
        job.meta["request_id"] = request_id
        job.save_meta()
    except Exception:  # noqa: BLE001 - a missing id in a log never fails an upload
        log.warning("could not attach the request id to task %s", task_result.id)


def on_started(sender, task_result, **kwargs) -> None:
    job = _rq_job(task_result.id)
    request_id = (job.meta.get("request_id") if job is not None else "") or f"task-{task_result.id}"
    _tokens[task_result.id] = requestid.bind(request_id)


def on_finished(sender, task_result, **kwargs) -> None:
    started, finished = task_result.started_at, task_result.finished_at
    if started and finished:
        seconds = (finished - started).total_seconds()
        metrics.TASK_SECONDS.labels(
            task=task_result.task.module_path.rsplit(".", 1)[-1], status=str(task_result.status)
        ).observe(seconds)
        log.info(
            "task %s %s in %.2f s: %s",
            task_result.id,
            task_result.status,
            seconds,
            task_result.task.module_path,
        )
    token = _tokens.pop(task_result.id, None)
    if token is not None:
        with contextlib.suppress(ValueError):  # finished in another context than it started
            requestid.reset(token)


def connect() -> None:
    task_enqueued.connect(on_enqueued, dispatch_uid="mha-ops-enqueued")
    task_started.connect(on_started, dispatch_uid="mha-ops-started")
    task_finished.connect(on_finished, dispatch_uid="mha-ops-finished")
