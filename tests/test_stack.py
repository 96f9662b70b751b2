"""The archive behind nginx, as deployed: deploy/nginx/mha.conf in front of gunicorn
(deploy/gunicorn.conf.py) and a task worker, on production settings.

A reduced stack, started by the same runner and files as ``make stack`` (scripts/services.py,
service ``web``): nginx, one gunicorn, one worker, SQLite and local storage, so that it
starts in seconds. The demo's main flows go through nginx; files leave through nginx after
Django's access check (X-Accel-Redirect), public pre-cut tiles are sent by nginx alone, and a
restricted file or a withdrawn image is refused.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = [sys.executable, str(ROOT / "scripts" / "services.py")]

SETUP = """
import json
from pathlib import Path
from demo import mediamaker as make
from tests import factories, iiif_support as s
work = Path({work!r})
_, c = factories.site_tree()
pattern, image = s.image_item(work, c)
song = factories.recording(c["dialects"], speaker=factories.person(), title="古歌",
                           title_en="Ancient song", identifier="MHA-DIA-S001")
audio = s.add_media(song, make.tone(work / "song.wav", 3))
secret = factories.recording(c["dialects"], speaker=factories.person(), access="restricted",
                             title="秘歌", title_en="Secret song", identifier="MHA-DIA-S002")
hidden = s.add_media(secret, make.tone(work / "secret.wav", 2, frequency=330))
print(json.dumps({{"image": image.pk, "audio": audio.pk, "hidden": hidden.pk,
                  "pattern": pattern.url, "song": song.url}}))
"""
WITHDRAW = """
from archive.items.models import ItemPage
page = ItemPage.objects.get(url_path__endswith="/iiif-pattern/").specific
page.access_level = "restricted"
page.save_revision().publish()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(port: int, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


class Stack:
    def __init__(self, port: int, app_port: int, work: Path, ids: dict):
        self.port, self.app_port, self.work, self.ids = port, app_port, work, ids
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str, method: str = "GET", **headers) -> tuple:
        """One request on the same keep-alive connection: (response, body)."""
        self.conn.request(method, path, headers=headers)
        response = self.conn.getresponse()
        return response, response.read()

    def access_log(self) -> list[dict]:
        time.sleep(1.5)  # nginx writes its buffered log every second
        log = self.work / "services" / "web" / "logs" / "nginx-access.log"
        return [json.loads(line) for line in log.read_text().splitlines() if line]


@pytest.fixture(scope="module")
def stack():
    if shutil.which("nginx") is None:
        pytest.fail("nginx is missing: run scripts/install.sh test")
    # Not under pytest's 0700 temporary folder: nginx runs as the `mha` user and reads files.
    work = Path(tempfile.mkdtemp(prefix="mha-stack-test-", dir="/var/tmp"))
    work.chmod(0o755)
    port, app_port = _free_port(), _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MHA_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="archive.settings.production",
        DJANGO_SECRET_KEY="stack-test-only-not-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        MHA_HTTPS="0",
        MHA_TRUSTED_PROXY_COUNT="1",
        MHA_VAR_DIR=str(work / "var"),
        MHA_CACHE_DIR=str(work / "cache"),
        MHA_ACCEL_REDIRECT="1",
        MHA_LOG_FORMAT="json",
        MHA_WORKER_BEAT_SECONDS="2",
        GUNICORN_WORKERS="1",
        PYTHONPATH=str(ROOT),
        MHA_SERVICES_DIR=str(work / "services"),
        MHA_WEB_PORT=str(port),
        MHA_WEB_APP=f"127.0.0.1:{app_port}",
        MHA_WEB_APP_2=f"127.0.0.1:{app_port}",
        MHA_WEB_VAR_DIR=str(work / "var"),
    )
    (work / "var").mkdir()

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    processes: list[subprocess.Popen] = []
    try:
        manage("migrate", "--no-input", "-v0")
        manage("collectstatic", "--no-input", "-v0")
        ids = json.loads(manage("shell", "-c", SETUP.format(work=str(work))).splitlines()[-1])
        manage("search_reindex")
        logs = open(work / "app.log", "w")  # noqa: SIM115 - closed with the processes
        for cmd in (
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{app_port}",
            ],
            [sys.executable, "manage.py", "worker", "--interval", "0.5"],
        ):
            processes.append(
                subprocess.Popen(
                    cmd, cwd=ROOT, env=env, stdout=logs, stderr=logs, start_new_session=True
                )
            )
        _wait_http(app_port, "/healthz")
        up = subprocess.run([*SERVICES, "up", "web"], env=env, capture_output=True, text=True)
        assert up.returncode == 0, up.stderr[-3000:]
        result = Stack(port, app_port, work, ids)
        result.manage = manage
        yield result
    finally:
        subprocess.run([*SERVICES, "down", "web"], env=env, capture_output=True)
        for proc in processes:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in processes:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


pytestmark = pytest.mark.processes


def test_health_names_every_component_through_nginx(stack):
    response, body = stack.get("/healthz")
    report = json.loads(body)
    assert response.status == 200, report
    assert {"database", "search", "storage", "tasks", "cache"} <= set(report)
    assert report["tasks"]["workers"] >= 1
    assert response.getheader("X-Request-ID")


def test_pages_keep_the_connection_and_carry_the_security_headers(stack):
    for path in ("/", "/embroidery/", stack.ids["pattern"], stack.ids["song"]):
        response, body = stack.get(path)
        assert response.status == 200, path
        assert response.getheader("Connection", "keep-alive").lower() != "close"
        csp = response.getheader("Content-Security-Policy")
        assert "script-src 'self'" in csp and "object-src 'none'" in csp
        assert "camera=()" in response.getheader("Permissions-Policy")
    # The item page links its manifest, which answers through nginx with CORS.
    assert b"iiif.io/api/presentation/3/context.json" in body
    response, body = stack.get("/search/?q=Ancient")
    assert response.status == 200 and "古歌".encode() in body
    response, body = stack.get("/api/v1/search?q=Ancient")
    assert response.status == 200 and json.loads(body)["total"] >= 1
    response, _ = stack.get(stack.ids["pattern"], method="HEAD")
    assert response.status == 200


def test_a_recording_leaves_through_nginx_with_range(stack):
    audio = stack.ids["audio"]
    response, full = stack.get(f"/assets/{audio}/opus")
    assert response.status == 200 and len(full) > 1000
    response, part = stack.get(f"/assets/{audio}/opus", Range="bytes=100-199")
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes 100-199/{len(full)}"
    assert part == full[100:200]
    assert response.getheader("Content-Type").startswith("audio/")
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert response.getheader("Cache-Control") == "public, max-age=60"  # once, not twice
    assert response.getheader("Vary") is None  # the same bytes for everyone
    # nginx sent the bytes: the app answered 200 with no body, nginx 206 with the range.
    line = [e for e in stack.access_log() if e["uri"] == f"/assets/{audio}/opus"][-1]
    assert line["status"] == 206 and line["upstream_status"] == "200"
    response, _ = stack.get(f"/assets/{audio}/opus", method="HEAD")
    assert response.status == 200 and int(response.getheader("Content-Length")) == len(full)


def test_a_restricted_file_is_refused(stack):
    hidden = stack.ids["hidden"]
    response, _ = stack.get(f"/assets/{hidden}/opus")
    assert response.status == 404
    response, _ = stack.get(f"/assets/{hidden}/opus", Range="bytes=0-9")
    assert response.status == 404
    # The internal locations cannot be asked for directly.
    response, _ = stack.get("/_protected/media/")
    assert response.status == 404


def test_public_tiles_are_plain_files_until_the_image_is_withdrawn(stack):
    image = stack.ids["image"]
    response, body = stack.get(f"/iiif/3/{image}/info.json")
    assert response.status == 200
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    tile = f"/iiif/3/{image}/0,0,512,512/512,512/0/default.jpg"
    first, first_body = stack.get(tile)
    assert first.status == 200 and first.getheader("Content-Type") == "image/jpeg"
    assert first.getheader("Cache-Control") == "public, max-age=60"
    second, second_body = stack.get(tile)
    assert second.status == 200 and second_body == first_body
    assert second.getheader("Access-Control-Allow-Origin") == "*"
    assert second.getheader("Vary") is None
    # Only the first reached the app (and the log); nginx sent the second from the file.
    lines = [e for e in stack.access_log() if e["uri"] == tile]
    assert len(lines) == 1 and lines[0]["upstream"]
    stack.manage("shell", "-c", WITHDRAW)
    response, _ = stack.get(tile)
    assert response.status == 404
    response, _ = stack.get(f"/iiif/3/{image}/info.json")
    assert response.status == 404


def test_metrics_answer_locally_but_not_through_nginx(stack):
    response, _ = stack.get("/metrics")
    assert response.status == 404
    conn = http.client.HTTPConnection("127.0.0.1", stack.app_port, timeout=10)
    conn.request("GET", "/metrics")
    direct = conn.getresponse()
    text = direct.read().decode()
    assert direct.status == 200
    assert "mha_request_seconds_bucket" in text and "mha_queue_depth" in text
