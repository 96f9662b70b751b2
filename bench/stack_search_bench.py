"""Search through HTTP on the running stack (`make stack`) at a large corpus: where it bends.

    .venv/bin/python bench/stack_search_bench.py [--sizes 100000,250000] [--seconds 30]
                                                 [--connections 1,2,4,8] [--out ...]

For each size, synthetic items (``bench/search_bench.make_corpus``: the real vocabularies in
Chinese, English and Miao, the real document shape and access levels) are added to the stack's
own index, beside the demo's, on its three-node OpenSearch cluster (one replica per shard).
Then Debian's ``wrk`` (2 threads, each of ``--connections`` in turn, keep-alive) asks nginx for
the search page as an anonymous visitor would: a vocabulary word, a facet filter on a quarter
of the requests, all facets and the access filter. Every URL is unique (a nonce parameter), so
the page cache never answers: these are the searches a cache has not seen. The peer is the
engine itself in the same run: the mean time the app spent waiting for the cluster per search
(``mha_search_seconds`` in ``/metrics``, its difference over the run), so the ratio shows what
Django, the template and the network add. At the end the index is rebuilt from the database
(``manage.py search_reindex``), which leaves only the demo archive in it.

The issue's size is 1,000,000 items (``--sizes 1000000``): about 20-50 minutes of indexing on a
two-core machine before the first query. Figures go to ``--out``, which the README quotes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack_faults import BASE, HTTP, REPO, health, stack_env, write_figures  # noqa: E402

sys.path.insert(0, str(REPO))

OFFSET = 10**9  # synthetic ids: far above any page id of the demo archive

LUA = """
local urls = {%s}
local unique = %s
local counter = 0
request = function()
  counter = counter + 1
  local url = urls[math.random(#urls)]
  if unique then
    local sep = string.find(url, "?", 1, true) and "&" or "?"
    url = url .. sep .. "n=" .. counter .. "-" .. math.random(1000000000)
  end
  return wrk.format("GET", url)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.errors.status, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.duration))
end
"""


def metrics() -> tuple[float, float]:
    """(seconds, count) of the app's waits on the search engine, summed over its processes."""
    total = count = 0.0
    for port in (8101, 8102):
        with HTTP.open(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            text = response.read().decode()
        for line in text.splitlines():
            if line.startswith("mha_search_seconds_sum"):
                total += float(line.rsplit(" ", 1)[1])
            elif line.startswith("mha_search_seconds_count"):
                count += float(line.rsplit(" ", 1)[1])
    return total, count


def urls(vocab: dict) -> list[str]:
    words = []
    for name in ("motifs", "techniques", "dialects", "genres", "instruments", "places"):
        for term in vocab[name]:
            words += [term.get("zh"), term.get("en"), term.get("hmn")]
    words = sorted({w for w in words if w})
    filters = ["", "", "", "&type=embroidery", "&motif=butterfly", "&collection=dialects"]
    out = []
    for i, word in enumerate(words):
        out.append(f"/search/?q={urllib.parse.quote(word)}{filters[i % len(filters)]}")
    return out


def load(engine, vocab: dict, have: int, size: int) -> float:
    from search_bench import make_corpus

    def shifted():
        for n, doc in enumerate(make_corpus(size, vocab, seed=17), start=1):
            if n > have:
                yield doc | {"id": OFFSET + n, "url": f"/{doc['collection']}/bench-{n}/"}

    started = time.perf_counter()
    engine.bulk_fast(shifted())  # replicas off while it loads, then back: wait for them
    engine.client.cluster.health(wait_for_status="green", timeout="600s", request_timeout=620)
    return time.perf_counter() - started


def run_wrk(paths: list[str], seconds: int, connections: int, unique: bool = True) -> dict:
    """wrk through nginx on ``paths`` at random, each made unique by a nonce parameter (the
    page cache never answers) unless ``unique`` is false (then it answers every repeat)."""
    lua = LUA % (", ".join(json.dumps(p) for p in paths), "true" if unique else "false")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    before = metrics()
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            fh.name,
            BASE + "/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = metrics()
    os.unlink(fh.name)
    requests, bad, p50, p95, p99, duration = map(int, re.search(r"RESULT (.*)", out)[1].split())
    searches = after[1] - before[1]
    return {
        "requests": requests,
        "non_2xx": bad,
        "rps": round(requests / (duration / 1e6), 1),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "p99_ms": p99 / 1000,
        "engine_mean_ms": round((after[0] - before[0]) / searches * 1000, 1) if searches else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument(
        "--connections",
        default="8",
        help="comma-separated; each is measured at each size (e.g. 1,2,4,8: where it bends)",
    )
    parser.add_argument("--out", default=str(REPO / "bench" / "figures" / "stack_search.txt"))
    args = parser.parse_args()
    if health().get("status") != "ok":
        raise SystemExit(f"the stack is not healthy: {health()} (make stack)")
    env = stack_env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.dev")
    import django

    django.setup()
    from search_bench import load_vocabularies

    from search.engines.elastic import ElasticEngine

    engine = ElasticEngine(
        env["MHA_SEARCH_URL"],
        flavour="opensearch",
        prefix=env["MHA_SEARCH_INDEX_PREFIX"],
        timeout=60,
    )
    vocab = load_vocabularies()
    paths = urls(vocab)
    lines = [
        f"# bench/stack_search_bench.py --sizes {args.sizes} --seconds {args.seconds} "
        f"--connections {args.connections} ({time.strftime('%F %T %Z')}); wrk -t2 through nginx, "
        f"anonymous, every URL unique (page cache never answers), {len(paths)} queries",
        f"{'items':>9} {'index s':>8} {'clients':>7} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'engine':>7} {'p95/50ms':>8} {'non-2xx':>7}",
    ]
    print("\n".join(lines), flush=True)
    clients = [int(c) for c in args.connections.split(",")]
    have = 0
    try:
        run_wrk(paths, 5, max(clients))  # warm up: connections, JIT, caches
        for size in (int(s) for s in args.sizes.split(",")):
            took = load(engine, vocab, have, size)
            have = size
            for n in clients:
                r = run_wrk(paths, args.seconds, n)
                row = (
                    f"{size:>9} {took:>8.0f} {n:>7} {r['rps']:>7} {r['p50_ms']:>7.1f} "
                    f"{r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['engine_mean_ms']:>7} "
                    f"{r['p95_ms'] / 50:>8.2f} {r['non_2xx']:>7}"
                )
                print(row, flush=True)
                lines.append(row)
    finally:
        subprocess.run(
            [sys.executable, "manage.py", "search_reindex"],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
    lines.append(
        "items: synthetic items added beside the demo's; index s: seconds to add them and for the "
        "cluster to be green again (replicas made); clients: wrk connections; p50/p95/"
        "p99 ms: wrk through nginx; engine: mean ms the app waited on the cluster per search"
    )
    write_figures(args.out, lines)


if __name__ == "__main__":
    main()
