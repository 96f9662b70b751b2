"""A part of the stack that fails: the visitor is told so (503 / 507), nothing is lost.

Each test meets a real fault: a database file that cannot be opened, /dev/full, an S3 port
that never answers, a Redis port nobody listens on. The same faults on the running stack
(PostgreSQL restarted, Redis stopped, S3 SIGSTOPped, a full disk, a worker killed) are
bench/stack_faults.py's.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests import factories

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.urls("tests.fault_urls"), pytest.mark.django_db]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def test_a_database_that_does_not_answer_is_a_clear_503_with_retry_after(visitor):
    page = visitor.get("/en/_fault/database/")
    assert page.status_code == 503
    assert page["Retry-After"] == "30" and page["Cache-Control"] == "no-store"
    text = page.content.decode()
    assert "database is not answering" in text and "Traceback" not in text
    api = visitor.get("/api/v1/_fault/database/")
    assert api.status_code == 503 and api.json()["unavailable"] == "database"


def test_the_503_page_speaks_chinese(visitor):
    page = visitor.get("/_fault/database/")  # the site's default language
    assert page.status_code == 503 and "数据库暂时没有响应" in page.content.decode()


def test_a_full_disk_is_a_507_saying_nothing_was_saved(visitor):
    page = visitor.get("/en/_fault/disk/")
    assert page.status_code == 507 and page["Retry-After"] == "30"
    assert "storage is full, so nothing was saved" in page.content.decode()


def test_a_hung_s3_server_is_a_bounded_503(visitor, settings):
    page = visitor.get("/en/_fault/storage/")
    assert page.status_code == 503
    assert "media store is not answering" in page.content.decode()
    # and the stack's own storage gives up in bounded time (two attempts of 10 s, not 60 s)
    from archive.settings import base

    if "client_config" in base.STORAGES["default"].get("OPTIONS", {}):
        assert base.STORAGES["default"]["OPTIONS"]["client_config"].read_timeout <= 10


def test_with_redis_down_pages_are_served_uncached_and_healthz_names_the_cache(visitor, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1},
        }
    }
    factories.site_tree()
    assert visitor.get("/").status_code == 200
    assert visitor.get("/").status_code == 200  # the page cache's miss, twice
    health = visitor.get("/healthz")
    assert health.status_code == 503 and health.json()["cache"]["status"] == "error"
    assert health.json()["database"]["status"] == "ok"


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
print(a.status, '|', a.error)
"""


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


REQUEUE = """
from django.db import transaction
from archive.assets.models import MediaAsset
from archive.assets.tasks import enqueue_processing
with transaction.atomic():
    enqueue_processing(MediaAsset.objects.get(pk={pk}))
"""


@pytest.mark.processes
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis)")
def test_a_task_the_queue_did_not_take_is_kept_and_queued_when_it_is_back(tmp_path):
    """A recording saved while Redis is down (its item page too: Wagtail's bookkeeping tasks
    run in the request) is kept, marked, and made once the queue is back; so is one queued
    again for reprocessing while it is down."""
    import redis

    from demo import mediamaker as make

    url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/8"
    queue = redis.Redis.from_url(url)
    queue.flushdb()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "archive.settings.dev",
        "MHA_VAR_DIR": str(tmp_path / "var"),
        "MHA_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
        "MHA_TASKS_BACKEND": "rq",
        "REDIS_URL": url,
    }
    down = env | {"REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}
    _manage(env, "migrate", "--no-input", "-v0")
    wav = make.tone(tmp_path / "field.wav", 3, frequency=220)

    def state() -> tuple[str, str]:
        out = _manage(env, "shell", "--no-imports", "-c", STATUS.format(pk=pk))
        status, _, error = out.partition(" |")
        return status, error.strip()

    def back_and_made() -> None:
        assert "re-queued 1 assets" in _manage(env, "media_recover")  # what every worker beat does
        burst = ("--burst", "--job-class", "django_tasks_rq.Job")
        _manage(env, "rqworker", "default", "media", *burst)
        assert state() == ("ready", "")

    # Saved (ingested) while the queue is down: the save succeeds and nothing is lost.
    pk = int(_manage(down, "shell", "--no-imports", "-c", SETUP.format(path=str(wav))).split()[-1])
    status, error = state()
    assert status == "queued" and "task queue did not answer" in error
    back_and_made()

    # Queued again for reprocessing while the queue is down.
    _manage(down, "shell", "--no-imports", "-c", REQUEUE.format(pk=pk))
    status, error = state()
    assert status == "queued" and "task queue did not answer" in error  # kept, not lost
    back_and_made()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (a disk that fills up)")
def test_an_upload_onto_a_full_disk_is_refused_clearly_and_resumes_once_there_is_room(
    settings, tmp_path, item
):
    import base64
    import hashlib

    from django.urls import reverse

    from archive.assets.models import MediaAsset
    from demo import mediamaker as make

    staging = tmp_path / "staging"
    staging.mkdir()
    settings.MHA_UPLOAD_STAGING_DIR = staging
    body = make.tone(tmp_path / "field.wav", 3.0).read_bytes()  # ~260 kB
    curator = Client(raise_request_exception=False)
    curator.force_login(factories.user(groups=("Curators",), is_staff=True))
    tus = {"HTTP_TUS_RESUMABLE": "1.0.0"}
    meta = ",".join(
        f"{k} {base64.b64encode(str(v).encode()).decode()}"
        for k, v in {"item": item.pk, "filename": "field.wav"}.items()
    )
    location = curator.post(
        reverse("tus_uploads"), HTTP_UPLOAD_LENGTH=str(len(body)), HTTP_UPLOAD_METADATA=meta, **tus
    )["Location"]

    def send():
        return curator.generic(
            "PATCH",
            location,
            body,
            content_type="application/offset+octet-stream",
            HTTP_UPLOAD_OFFSET="0",
            **tus,
        )

    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(staging)], check=True)
    try:
        full = send()
        assert full.status_code == 507 and full["Retry-After"] == "30"
        assert "存储空间已满" in full.content.decode()  # the admin speaks Chinese by default
        assert curator.head(location, **tus)["Upload-Offset"] == "0"  # nothing half-kept
    finally:
        subprocess.run(["umount", "-l", str(staging)], check=True)
    assert not MediaAsset.objects.exists()
    done = send()  # room again: the client sends the same piece from the same offset
    assert done.status_code == 204
    asset = MediaAsset.objects.get(pk=curator.get(location).json()["asset"])
    assert asset.original.sha256 == hashlib.sha256(body).hexdigest()
