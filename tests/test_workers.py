"""The real workers: the database worker (embedded default) and RQ on a real Redis.

These run the project as separate processes, exactly as deployed: a web-side process queues
work, a worker process does it. A worker killed mid-task leaves nothing half-made visible,
and the next worker finds and finishes it by itself.
"""

import ast
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demo import mediamaker as make

ROOT = Path(__file__).resolve().parent.parent
SETUP = """
from tests import factories
from archive.assets.ingest import ingest
from django.db import transaction
_, c = factories.site_tree()
item = factories.recording(c['dialects'], speaker=factories.person())
with transaction.atomic():
    r = ingest(__import__('pathlib').Path({path!r}), item=item, filename='field.wav')
print(r.asset.pk)
"""
STATUS = """
from archive.assets.models import MediaAsset
a = MediaAsset.objects.get(pk={pk})
print(a.status, a.derivatives.count(), sorted(a.derivatives.values_list('name', flat=True)))
"""


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="archive.settings.dev",
        MHA_VAR_DIR=str(tmp_path / "var"),
        MHA_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def _manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def _prepare(tmp_path: Path, env: dict, seconds: int) -> int:
    _manage(env, "migrate", "--no-input", "-v0")
    wav = make.tone(tmp_path / "field.wav", seconds, frequency=220)
    out = _manage(env, "shell", "--no-imports", "-c", SETUP.format(path=str(wav)))
    return int(out.splitlines()[-1])


def _status(env: dict, pk: int) -> tuple[str, int, str]:
    status, count, names = _manage(env, "shell", "--no-imports", "-c", STATUS.format(pk=pk)).split(
        " ", 2
    )
    return status, int(count), names


@pytest.mark.processes
def test_the_database_worker_processes_queued_media(tmp_path):
    env = _env(tmp_path)
    pk = _prepare(tmp_path, env, 3)
    assert _status(env, pk)[0] == "queued"
    _manage(env, "db_worker", "--queue-name", "default,media", "--batch", "--no-reload")
    status, count, names = _status(env, pk)
    assert status == "ready" and {"opus", "aac", "peaks", "waveform"} <= set(
        ast.literal_eval(names)
    )


HEALTH = """
from django.test import RequestFactory
from archive.portal.health import healthz
import json
body = json.loads(healthz(RequestFactory().get('/healthz')).content)
print(body['status'], body['tasks']['status'], body['tasks'].get('error', ''))
"""
TASK_ROWS = """
from django_tasks_db.models import DBTaskResult
print(DBTaskResult.objects.filter(status='RUNNING').count())
"""


@pytest.mark.processes
def test_a_killed_worker_is_seen_and_the_next_worker_recovers_its_task_by_itself(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = _env(tmp_path, MHA_WORKER_BEAT_SECONDS="1", TMPDIR=str(scratch))
    pk = _prepare(tmp_path, env, 900)  # a 15-minute recording takes long enough to kill
    assert _manage(env, "shell", "--no-imports", "-c", HEALTH).split()[:2] == ["error", "error"]
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while _status(env, pk)[0] != "processing":
            assert time.monotonic() < deadline, "the worker never started the task"
            time.sleep(0.2)
        time.sleep(4)  # longer than three beats: a live task is never taken from its worker
        assert _manage(env, "shell", "--no-imports", "-c", HEALTH).startswith("ok ok")
        assert "re-queued 0 assets" in _manage(env, "media_recover", "--stale-minutes", "0")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its ffmpeg, as a crash would
        worker.wait()
    status, count, _ = _status(env, pk)
    assert status == "processing" and count == 0  # nothing half-made is visible
    assert list(scratch.glob("mha-deriv-*")), "the dead worker's folder is there to clean"
    time.sleep(4)  # three missed beats
    status_line = _manage(env, "shell", "--no-imports", "-c", HEALTH)
    assert status_line.startswith("error error") and "no task worker is alive" in status_line
    # A new worker recovers by itself: no media_recover, no cron.
    _manage(env, "worker", "--batch", "--interval", "0.2", timeout=600)
    status, count, _ = _status(env, pk)
    assert status == "ready" and count == 4
    assert not list(scratch.glob("mha-deriv-*"))
    assert _manage(env, "shell", "--no-imports", "-c", TASK_ROWS) == "0"


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason='REDIS_URL not set: scripts/services.py up redis && eval "$(scripts/services.py env)"',
)
def test_media_is_processed_by_an_rq_worker_on_real_redis(tmp_path):
    import redis

    db = 7  # a database of its own, flushed, so runs never see each other's jobs
    url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{db}"
    redis.Redis.from_url(url).flushdb()
    env = _env(tmp_path, MHA_TASKS_BACKEND="rq", REDIS_URL=url)
    pk = _prepare(tmp_path, env, 3)
    assert redis.Redis.from_url(url).llen("rq:queue:media") == 1
    _manage(env, "rqworker", "default", "media", "--burst", "--job-class", "django_tasks_rq.Job")
    status, _, names = _status(env, pk)
    assert status == "ready" and "opus" in names


@pytest.mark.django_db
def test_curators_see_in_chinese_that_no_worker_is_running(client, settings):
    from django.utils import timezone

    from archive.workers.models import Heartbeat
    from tests import factories

    settings.TASKS = {  # a real queue, as deployed: tasks wait for a worker
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "media"],
        }
    }
    # (django-tasks rebuilds its backends when TASKS changes.)
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    home = client.get("/admin/").content.decode()
    assert "没有任务进程在运行" in home
    Heartbeat.objects.create(
        worker_id="w1", host="h", pid=1, queues="media", beat_at=timezone.now()
    )
    assert "mha-worker-warning" not in client.get("/admin/").content.decode()
