"""The queue: 200 small images through 2 workers, items per minute.

    .venv/bin/python bench/queue_bench.py [--quick]
    eval "$(scripts/services.py env)"; .venv/bin/python bench/queue_bench.py [--quick]  # + RQ

200 distinct 800x600 JPEGs (50 with --quick; generated once, cached in /tmp/mha-bench) are
ingested without ``--wait`` (each asset queued), then 2 workers are started together and the
clock runs from their start until every asset is ready or failed (the SQLite database is
polled). Each run starts from a fresh copy of a migrated throwaway project. 3 runs (1 with
--quick; ``--images N --runs R`` override either).

Database backend: 2 x ``manage.py db_worker --queue-name default,media --batch --no-reload``.
If REDIS_URL is set, also RQ (``MHA_TASKS_BACKEND=rq``, a dedicated Redis database, flushed
first): 2 x ``manage.py rqworker default media --burst --job-class django_tasks_rq.Job``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    REPO,
    Project,
    machine_note,
    print_table,
    small_jpegs,
    summary,
)

WORKERS = 2
REDIS_DB = 13  # dedicated to this benchmark; flushed before each run
TIMEOUT = 1800


def worker_cmd(project: Project, backend: str) -> list[str]:
    if backend == "rq":
        return project.manage_cmd(
            "rqworker", "default", "media", "--burst", "--job-class", "django_tasks_rq.Job"
        )
    return project.manage_cmd(
        "db_worker", "--queue-name", "default,media", "--batch", "--no-reload"
    )


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = con.execute(
            "SELECT status, COUNT(*) FROM assets_mediaasset GROUP BY status"
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def one_run(
    base: Project, backend: str, images: list[Path], label: str, redis_url: str | None
) -> dict:
    extra = {"MHA_TASKS_BACKEND": backend}
    if backend == "rq":
        extra["REDIS_URL"] = redis_url
        flush_redis(redis_url)
    project = base.clone(label, extra)
    try:
        t0 = time.perf_counter()
        project.manage("ingest", *map(str, images), "--collection", "embroidery")
        ingest_s = time.perf_counter() - t0
        queued = counts(project.db_path)
        n = len(images)
        if queued.get("queued", 0) != n:
            raise SystemExit(f"{backend}: expected {n} queued assets after ingest, got {queued}")
        logs = [open(project.root / f"worker{i}.log", "wb") for i in range(WORKERS)]  # noqa: SIM115
        start = time.perf_counter()
        procs = [
            subprocess.Popen(
                worker_cmd(project, backend),
                cwd=REPO,
                env=project.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for log in logs
        ]
        done_at = None
        status: dict[str, int] = {}
        while time.perf_counter() - start < TIMEOUT:
            try:
                status = counts(project.db_path)
            except sqlite3.OperationalError:  # locked by a writer: just poll again
                time.sleep(0.1)
                continue
            if status.get("ready", 0) + status.get("failed", 0) >= n:
                done_at = time.perf_counter()
                break
            if all(p.poll() is not None for p in procs):
                status = counts(project.db_path)
                break
            time.sleep(0.1)
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.terminate()
                p.wait(timeout=30)
        for log in logs:
            log.close()
        if done_at is None:
            tail = (project.root / "worker0.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"{backend}: not finished, statuses {status}\n{tail}")
        seconds = done_at - start
        return {
            "seconds": seconds,
            "per_min": n / seconds * 60,
            "failed": status.get("failed", 0),
            "ingest": ingest_s,
        }
    finally:
        project.cleanup()


def redis_url_for_bench() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 images, 1 run")
    parser.add_argument("--images", type=int, help="how many images (overrides the mode's)")
    parser.add_argument("--runs", type=int, help="runs per backend (overrides the mode's)")
    args = parser.parse_args()
    n, runs = (50, 1) if args.quick else (200, 3)
    n, runs = args.images or n, args.runs or runs
    mode = "custom" if (args.images or args.runs) else ("quick" if args.quick else "full")
    print(machine_note())
    redis_url = redis_url_for_bench()
    backends = ["database"] + (["rq"] if redis_url else [])
    print(
        f"mode: {mode} ({n} images, {runs} run(s) per backend, "
        f"{WORKERS} workers); backends: {', '.join(backends)}"
        + (f" (RQ on {redis_url})" if redis_url else " (REDIS_URL not set: no RQ run)"),
        flush=True,
    )
    images = small_jpegs(n)
    base = Project.create("queue")
    results: dict[str, list[dict]] = {b: [] for b in backends}
    try:
        for i in range(runs):
            for backend in backends if i % 2 == 0 else list(reversed(backends)):
                r = one_run(base, backend, images, f"queue-{backend}-{i}", redis_url)
                results[backend].append(r)
                print(
                    f"  run {i + 1}/{runs} {backend}: {r['seconds']:.1f} s, "
                    f"{r['per_min']:.0f} items/min, {r['failed']} failed "
                    f"(ingest+queue {r['ingest']:.1f} s)",
                    flush=True,
                )
    finally:
        base.cleanup()
    rows = []
    db_med = summary([r["per_min"] for r in results["database"]])[0]
    for backend in backends:
        rs = results[backend]
        med, lo, hi = summary([r["per_min"] for r in rs])
        sec = summary([r["seconds"] for r in rs])[0]
        worker = "db_worker --batch" if backend == "database" else "rqworker --burst"
        rows.append(
            [
                f"{backend} ({WORKERS} x {worker})",
                len(rs),
                f"{med:.0f}",
                f"{lo:.0f}",
                f"{hi:.0f}",
                f"{sec:.1f} s",
                f"{med / db_med:.2f}x",
                sum(r["failed"] for r in rs),
                "reported",
            ]
        )
    print_table(
        f"Queue: {n} 800x600 JPEGs (all image derivatives: thumb, web-webp, web-avif, web-jpeg, "
        f"pyramid, tiles), {WORKERS} workers, from worker start to all ready",
        [
            "backend",
            "runs",
            "items/min median",
            "min",
            "max",
            "median time",
            "vs database",
            "failed",
            "target",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
