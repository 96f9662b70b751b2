"""Faults during load on the running stack (`make stack`): what was served, what failed.

    .venv/bin/python bench/stack_faults.py [--seconds 20] [--out bench/figures/stack_faults.txt]

Bounded: every scenario drives a fixed mix through nginx on 127.0.0.1:8180 for ``--seconds``
with 4 client threads, injects its fault after a third of the time, and stops by itself.

* ``search-node``: ``kill -9`` one of the three OpenSearch nodes during search traffic. Goal:
  no 5xx, queries keep answering from the replicas, ``/healthz`` says yellow (not red), and the
  node, started again with ``scripts/services.py up search-cluster-2``, rejoins (green).
* ``app-instance``: ``kill -9`` one gunicorn instance (supervisor restarts it) during page
  traffic. Goal: nginx sends the requests to the other instance, no 5xx.

Restarting PostgreSQL, stopping Redis, SIGSTOP of the S3 server and a full disk are not run
here: on this machine those services are shared with other users' tests (a private set on
other ports, `MHA_PG_PORT=…` etc., is the way to add them). Figures go to ``--out``, which the
README quotes.
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


def get(path: str, timeout: float = 10) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with HTTP.open(BASE + path, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
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
    lock = threading.Lock()
    faulted = threading.Event()

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            phase = "after" if faulted.is_set() else "before"
            status, took = get(paths[i % len(paths)])
            i += 1
            with lock:
                counts[status] += 1
                phases[phase][status] += 1
                latencies.append(took)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(fault_at)
    faulted.set()
    fault_result = fault()
    for thread in threads:
        thread.join()
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "requests": sum(counts.values()),
        "statuses": dict(sorted(counts.items())),
        "before_fault": dict(sorted(phases["before"].items())),
        "from_fault_on": dict(sorted(phases["after"].items())),
        "5xx_or_none": sum(n for s, n in counts.items() if s == 0 or s >= 500),
        "p50_ms": round(p(0.5), 1),
        "p95_ms": round(p(0.95), 1),
        "p99_ms": round(p(0.99), 1),
        "fault": fault_result,
    }


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


SCENARIOS = {"search-node": search_node, "app-instance": app_instance}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--out", default=str(REPO / "bench" / "figures" / "stack_faults.txt"))
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()
    if health().get("status") != "ok":
        raise SystemExit(f"the stack is not healthy: {health()} (make stack)")
    lines = [f"# bench/stack_faults.py --seconds {args.seconds:g} ({time.strftime('%F %T')})"]
    for name in args.scenarios:
        result = SCENARIOS[name](args.seconds)
        line = f"{name}: {json.dumps(result, ensure_ascii=False)}"
        print(line, flush=True)
        lines.append(line)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
