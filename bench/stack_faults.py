"""Faults during load on the running stack (`make stack`): what was served, what failed.

    .venv/bin/python bench/stack_faults.py [--seconds 20] [--out bench/figures/stack_faults.txt]

Bounded: every scenario drives a fixed mix through nginx on 127.0.0.1:8180 for ``--seconds``
with 4 client threads, injects its fault after a third of the time, and stops by itself.

* ``search-node``: ``kill -9`` one of the three OpenSearch nodes during search traffic. Goal:
  no 5xx, queries keep answering from the replicas, ``/healthz`` says yellow (not red), and the
  node, started again with ``scripts/services.py up search-cluster-2``, rejoins (green).
* ``app-instance``: ``kill -9`` one gunicorn instance (supervisor restarts it) during page
  traffic. Goal: nginx sends the requests to the other instance, no 5xx.
* ``postgres-restart``: PostgreSQL stopped for a few seconds and started again, during page,
  search and health traffic. Goal: no 500/502, the requests that need the database get a 503
  with Retry-After, and the app recovers by itself (no restart); no row lost.
* ``redis-stop``: Redis (cache and queue) stopped, then started. Goal: pages keep answering
  (uncached), /healthz names the cache, and the workers and cache are back by themselves.
* ``s3-hang``: the S3 server SIGSTOPped, then SIGCONTed, during page and media traffic.
  Goal: pages without media keep answering, media answer a 503 in bounded time (nginx's
  15 s to S3, the app's two 10 s reads), nothing hangs for a minute.
* ``worker-kill``: a 15-minute recording is queued; the worker that takes it is
  ``kill -9``ed (with its work-horse) mid-derivative. Goal: no half-made derivative is ever
  recorded (each is stored whole, then recorded, one by one, so the finished ones are listed
  while the rest are made), and the other worker finishes it (recovered on a heartbeat).

A full media disk is a test, not a scenario (tests/test_faults.py mounts a small tmpfs
under the upload staging folder: 507, nothing half-kept, the upload resumes).

The PostgreSQL, Redis and S3 scenarios stop the services of ``MHA_SERVICES_DIR``: run the
stack on a state folder of its own (``MHA_SERVICES_DIR=/somewhere make stack``) when other
people's tests use the default one. Figures go to ``--out``, which the README quotes.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("MHA_SERVICES_DIR") or REPO / ".cache" / "services")
BASE = "http://127.0.0.1:8180"
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SERVICES = [sys.executable, str(REPO / "scripts" / "services.py")]


RETRY_AFTER: collections.Counter = collections.Counter()


def get(path: str, timeout: float = 40) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with HTTP.open(BASE + path, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        if status == 503:
            RETRY_AFTER["with" if error.headers.get("Retry-After") else "without"] += 1
        error.read()
    except OSError:
        status = 0  # no answer at all
    return status, time.perf_counter() - started


def health() -> dict:
    try:
        with HTTP.open(BASE + "/healthz", timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read() or b"{}")
    except OSError as error:
        return {"status": f"no answer: {error}"}


def load(paths: list[str], seconds: float, fault, fault_at: float) -> dict:
    """4 threads cycle through ``paths`` for ``seconds``; ``fault()`` runs at ``fault_at``."""
    stop = time.monotonic() + seconds
    counts: collections.Counter = collections.Counter()
    phases: dict[str, collections.Counter] = {
        "before": collections.Counter(),
        "after": collections.Counter(),
    }
    latencies: list[float] = []
    by_path: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    lock = threading.Lock()
    faulted = threading.Event()

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            phase = "after" if faulted.is_set() else "before"
            status, took = get(paths[i % len(paths)])
            i += 1
            with lock:
                by_path[paths[(i - 1) % len(paths)]][status] += 1
                counts[status] += 1
                phases[phase][status] += 1
                latencies.append(took)

    RETRY_AFTER.clear()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(fault_at)
    faulted.set()
    fault_result = fault()
    for thread in threads:
        thread.join()
    latencies.sort()
    latencies = latencies or [0.0]
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "requests": sum(counts.values()),
        "statuses": dict(sorted(counts.items())),
        "before_fault": dict(sorted(phases["before"].items())),
        "from_fault_on": dict(sorted(phases["after"].items())),
        "5xx_or_none": sum(n for s, n in counts.items() if s == 0 or s >= 500),
        "500_or_502": counts[500] + counts[502],
        "503_retry_after": dict(RETRY_AFTER),
        "p50_ms": round(p(0.5), 1),
        "p95_ms": round(p(0.95), 1),
        "p99_ms": round(p(0.99), 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "by_path": {k: dict(sorted(v.items())) for k, v in by_path.items()},
        "fault": fault_result,
    }


def write_figures(out: str | Path, lines: list[str]) -> None:
    """The figures file the README quotes, one line each (this script's and its siblings')."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"written to {out}")


def pid_of(service: str) -> int:
    return int((STATE / service / "pid").read_text().split()[0])


def search_node(seconds: float) -> dict:
    paths = [
        "/api/v1/search?q=%E5%88%BA%E7%BB%A3",
        "/search/?q=butterfly",
        "/api/v1/search?q=song&type=recording",
        "/api/v1/search/suggest?q=hu",
    ]
    victim = "search-cluster-2"

    def fault() -> dict:
        os.kill(pid_of(victim), signal.SIGKILL)
        time.sleep(3)
        return {"killed": victim, "healthz_after_3s": health().get("search")}

    result = load(paths, seconds, fault, seconds / 3)
    started = time.monotonic()
    subprocess.run([*SERVICES, "up", victim], check=True, capture_output=True)
    deadline = time.monotonic() + 300
    while health().get("search", {}).get("cluster") != "green" and time.monotonic() < deadline:
        time.sleep(1)
    result["rejoined_green_after_s"] = round(time.monotonic() - started, 1)
    result["healthz_end"] = health().get("search")
    return result


def app_instance(seconds: float) -> dict:
    paths = ["/", "/embroidery/", "/folk-music/", "/dialects/", "/healthz"]

    def fault() -> dict:
        env = os.environ | {
            "MHA_ROOT": str(REPO),
            "MHA_RUN_DIR": str(STATE / "app" / "run"),
            "MHA_LOG_DIR": str(STATE / "app" / "log"),
        }
        conf = str(REPO / "deploy" / "supervisor" / "mha.conf")
        pids = subprocess.run(
            ["supervisorctl", "-c", conf, "pid", "web:web-1"],
            env=env,
            capture_output=True,
            text=True,
        ).stdout.split()
        for pid in pids:
            os.kill(int(pid), signal.SIGKILL)
        return {"killed": "web-1 (gunicorn on :8101)", "pids": pids}

    result = load(paths, seconds, fault, seconds / 3)
    time.sleep(5)
    result["healthz_end"] = health().get("status")
    return result


def services(verb: str, name: str) -> None:
    subprocess.run([*SERVICES, verb, name], check=True, capture_output=True, text=True)


def stack_env() -> dict:
    """The app's environment as the service table builds it (settings and addresses)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("services_table", REPO / "scripts/services.py")
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    [app] = table.resolve(["app"])
    return app.environment() | app.fmt(app.spec["start_env"]) | {"MHA_LOG_LEVEL": "ERROR"}


def shell(code: str, timeout: float = 900) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=REPO,
        env=stack_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return result.stdout.strip().splitlines()[-1]


COUNTS = """
from wagtail.models import Page
from archive.assets.models import MediaAsset, Original, Derivative
counts = [Page.objects.count(), MediaAsset.objects.count(), Original.objects.count()]
print(*counts, Derivative.objects.count())
"""
MEDIA = """
import json
from django.contrib.auth.models import AnonymousUser
from archive.access import policy
from archive.assets.models import MediaAsset
ready = policy.visible_assets(MediaAsset.objects.filter(status='ready'), AnonymousUser())
audio = ready.filter(derivatives__name='opus').select_related('item').first()
image = ready.filter(original__kind='image').first()
print(json.dumps({'audio': audio.pk, 'image': image.pk, 'page': audio.item.url}))
"""


def until_healthy(limit: float = 180) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if health().get("status") == "ok":
            return round(time.monotonic() - started, 1)
        time.sleep(1)
    return None


def nothing_lost(before: str) -> dict:
    after = shell(COUNTS)
    return {"rows_before": before, "rows_after": after, "same": before == after}


def postgres_restart(seconds: float) -> dict:
    paths = ["/", "/embroidery/", "/search/?q=butterfly", "/api/v1/search?q=song", "/healthz"]
    before = shell(COUNTS)

    def fault() -> dict:
        started = time.monotonic()
        services("down", "postgres")
        time.sleep(seconds / 4)
        services("up", "postgres")
        return {"postgres_down_s": round(time.monotonic() - started, 1)}

    result = load(paths, seconds, fault, seconds / 4)
    result["healthy_again_after_s"] = until_healthy()
    return result | nothing_lost(before)


def redis_stop(seconds: float) -> dict:
    paths = ["/", "/embroidery/", "/folk-music/", "/search/?q=butterfly", "/healthz"]
    before = shell(COUNTS)

    def fault() -> dict:
        services("down", "redis")
        time.sleep(2)
        during = health()
        time.sleep(max(0.0, seconds / 3 - 2))
        services("up", "redis")
        return {"healthz_cache_while_down": during.get("cache", {}).get("status")}

    result = load(paths, seconds, fault, seconds / 4)
    result["healthy_again_after_s"] = until_healthy()
    return result | nothing_lost(before)


def s3_hang(seconds: float) -> dict:
    ids = json.loads(shell(MEDIA))
    paths = [
        "/",
        "/embroidery/",
        "/search/?q=butterfly",
        f"/assets/{ids['audio']}/opus",
        f"/iiif/3/{ids['image']}/0,0,300,300/150,150/0/default.jpg",
    ]
    before = shell(COUNTS)

    def fault() -> dict:
        pid = pid_of("s3")
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(seconds / 2)
        finally:
            os.kill(pid, signal.SIGCONT)
        return {"s3_stopped_s": round(seconds / 2, 1)}

    result = load(paths, seconds * 1.5, fault, seconds / 4)
    result["healthy_again_after_s"] = until_healthy()
    return result | nothing_lost(before)


KILL_MID_TASK = """
import json, os, signal, time
from pathlib import Path
import django_rq
from django.db import transaction
from rq import Worker
from archive.assets.ingest import ingest
from archive.assets.models import MediaAsset
from demo import mediamaker as make
item = MediaAsset.objects.get(pk={audio}).item
wav = make.tone(Path('/var/tmp/mha-fault-15min.wav'), 900, frequency=220)
with transaction.atomic():
    asset = ingest(wav, item=item, filename='fault-15min.wav').asset
started = time.monotonic()
while MediaAsset.objects.get(pk=asset.pk).status != 'processing':
    assert time.monotonic() - started < 120, 'no worker took the task'
    time.sleep(0.2)
time.sleep(2)
workers = Worker.all(connection=django_rq.get_connection('media'))
busy = [w for w in workers if w.get_current_job_id()]
victim = busy[0].pid
group = os.getpgid(victim)
os.killpg(group, signal.SIGKILL) if group == victim else os.kill(victim, signal.SIGKILL)
killed = time.monotonic()
seen, half_made = set(), set()
while (a := MediaAsset.objects.get(pk=asset.pk)).status != 'ready':
    assert a.status != 'failed' and time.monotonic() - killed < 900, a.status
    for d in a.derivatives.all():  # a recorded derivative: is its stored file whole?
        seen.add(d.name)
        if not d.file.storage.exists(d.file.name) or d.file.size != d.size:
            half_made.add(d.name)
    time.sleep(0.5)
print(json.dumps({{'asset': asset.pk, 'killed_worker_pid': victim,
    'killed_after_s': round(killed - started, 1),
    'ready_after_kill_s': round(time.monotonic() - killed, 1),
    'whole_derivatives_recorded_before_ready': sorted(seen),
    'half_made_derivatives_seen': sorted(half_made),
    'derivatives_when_ready': a.derivatives.count()}}))
"""


def worker_kill(seconds: float) -> dict:
    ids = json.loads(shell(MEDIA))
    result = json.loads(shell(KILL_MID_TASK.format(audio=ids["audio"])))
    result["healthy_again_after_s"] = until_healthy()
    return result


SCENARIOS = {
    "search-node": search_node,
    "app-instance": app_instance,
    "postgres-restart": postgres_restart,
    "redis-stop": redis_stop,
    "s3-hang": s3_hang,
    "worker-kill": worker_kill,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--out", default=str(REPO / "bench" / "figures" / "stack_faults.txt"))
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()
    if health().get("status") != "ok":
        raise SystemExit(f"the stack is not healthy: {health()} (make stack)")
    out = Path(args.out)
    # One line per scenario, each with the command and time of its own run: a run of some
    # scenarios keeps the others' lines.
    kept = {}
    if out.exists():
        for line in out.read_text().splitlines():
            name = line.split(" ", 1)[0].rstrip(":")
            if name in SCENARIOS:
                kept[name] = line
    for name in args.scenarios:
        result = SCENARIOS[name](args.seconds)
        result["run"] = f"--seconds {args.seconds:g} at {time.strftime('%F %T')}"
        line = f"{name}: {json.dumps(result, ensure_ascii=False)}"
        print(line, flush=True)
        kept[name] = line
    header = "# bench/stack_faults.py [--seconds N] [scenario ...]; one line per scenario"
    write_figures(out, [header, *(kept[n] for n in SCENARIOS if n in kept)])


if __name__ == "__main__":
    main()
