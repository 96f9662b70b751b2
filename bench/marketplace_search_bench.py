"""Product + item search against item-only search, side by side on every engine.

One search, two kinds (issue 12): products share the items' indexes. This measures what
that costs a visitor: the same faceted queries (a word in Chinese, English, Miao or
pinyin; every facet aggregation including the product facets and the price range
aggregation; an anonymous or community-member access filter; a facet filter on a third,
product facets among them) against an index of N items alone and against an index of the
same N items plus M products, run alternately so a noisy neighbour hurts both alike.
Prints p50/p95 of each, their ratio, and the item-search goal (Elasticsearch/OpenSearch
p95 <= 50 ms, database p95 <= 150 ms), which product + item search must meet too.

Usage (services from ``scripts/services.py``)::

    eval "$(python3 scripts/services.py env)"
    .venv/bin/python bench/marketplace_search_bench.py            # 20k+4k on OS/ES, 5k+1k DB
    .venv/bin/python bench/marketplace_search_bench.py --docs 100000 --products 20000 \\
        --db-docs 10000 --db-products 2000                         # the issue's sizes

Corpora come from ``bench/search_bench.py``'s generator (items) and this one (products, in
the shape ``search.products.build`` makes). They are turned into the engines' index sources
once, by the app's own ``ElasticEngine.prepare`` on every core, and kept as NDJSON under
``/tmp/mha-bench`` (a new file whenever the generator, the vocabularies or the app's
document code change): every index of every engine, and the next run, loads the same
prepared sources. Each index is made by the app's ``ensure_index`` (its settings, analysis
and mapping) and loaded by ``bulk_fast`` (parallel bulk, no refresh and no replicas while it
loads, one refresh at the end). Every index made here has the prefix
``mha-bench-mkt-<pid>`` and is deleted at the end. The figures are also written to
``bench/figures/marketplace_search.txt`` with the command and the load average.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import CACHE  # noqa: E402
from search_bench import GOALS_MS, _labels, make_corpus, pct  # noqa: E402


def load_vocabularies() -> dict[str, list[dict]]:
    """The vocabularies (lists of terms); ``tags.yaml`` is a label map, not one."""
    import yaml

    out = {}
    for path in sorted((ROOT / "collections" / "vocabularies").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if isinstance(data, list):
            out[path.stem] = data
    return out


ELASTIC = ("opensearch", "elasticsearch")
PRICES = [None, 120, 260, 320, 480, 580, 880, 1280, 2680, 4200]


def make_products(n: int, vocab: dict, seed: int = 17):
    """``n`` product documents shaped like ``search.products.build`` output."""
    from search.products import doc_id, price_band

    rng = random.Random(seed)
    by_slug = {t["slug"]: t for terms in vocab.values() for t in terms}
    villages = [t for t in vocab["places"] if t.get("kind") == "village"] or vocab["places"]
    for i in range(1, n + 1):
        facets = {k: [] for k in ("motif", "technique", "village")}
        terms = []
        for facet, name, k in (("motif", "motifs", 2), ("technique", "techniques", 1)):
            for t in rng.sample(vocab[name], k=k):
                terms.append({"facet": facet, "slug": t["slug"], **_labels(t, by_slug)})
                node = t
                while node:
                    if node["slug"] not in facets[facet]:
                        facets[facet].append(node["slug"])
                    node = by_slug.get(node.get("broader") or "")
        village = rng.choice(villages)
        price = rng.choice(PRICES)
        first = terms[0]
        yield {
            "id": doc_id(i),
            "identifier": f"bench-product-{i}",
            "url": f"/market/products/bench-product-{i}/",
            "type": "product",
            "collection": "",
            "title_zh": f"{first['zh'][0]}绣品{i}",
            "title_en": f"{first['en'][0] if first['en'] else 'Piece'} panel {i}",
            "title_hmn": " ".join(first["hmn"][:1]),
            "description_zh": "手工刺绣，按老样式绣成。",
            "description_en": "Hand embroidered after the old patterns.",
            "description_hmn": "",
            "extra_zh": "约三周",
            "extra_en": "",
            "terms": terms,
            "place": _labels(village, by_slug),
            "people": [f"绣娘{i % 800}", f"合作社{i % 40}"],
            "tags": [],
            "cues": [],
            "facets": {
                **facets,
                "village": [village["slug"]],
                "type": ["product"],
                "cooperative": [f"coop-{i % 40}"],
                "availability": [rng.choice(["in_stock", "made_to_order", "sold"])],
                "price": [price_band(price)],
            },
            "year": None,
            "published": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T10:00:00+00:00",
            "access_level": "public",
            "community_id": None,
            "price": float(price) if price is not None else None,
            "thumb": "",
            "draws_on": [],
        }


def make_queries(vocab: dict, n: int, seed: int = 11):
    from archive.access import policy
    from search.engines import SearchQuery
    from search.text import pinyin_text

    rng = random.Random(seed)
    words = []
    for name in ("motifs", "techniques", "places"):
        for t in vocab[name]:
            words += [t.get("zh"), t.get("en"), t.get("hmn")]
            if t.get("zh"):
                words.append(pinyin_text(t["zh"]).split()[-1])
    words = [w for w in words if w]
    member = policy.Audience(policy.SIGNED_IN_LEVELS, frozenset({3, 7}))
    filters = [
        {"type": ["embroidery"]},
        {"motif": ["butterfly"]},
        {"type": ["product"]},
        {"price": ["300-1000"]},
        {"availability": ["in_stock"]},
        {"technique": ["split-thread"]},
    ]
    return [
        SearchQuery(
            raw=rng.choice(words),
            filters=rng.choice(filters) if i % 3 == 0 else {},
            access=member if i % 2 else policy.EVERYONE,
        )
        for i in range(n)
    ]


def alternate(engines: dict, queries) -> dict[str, list[float]]:
    """Each query on each index in turn (after a warm-up), so load hurts both alike."""
    for engine in engines.values():
        for q in queries[:10]:
            engine.search(q)
    times: dict[str, list[float]] = {k: [] for k in engines}
    for q in queries:
        for key, engine in engines.items():
            started = time.perf_counter()
            engine.search(q)
            times[key].append((time.perf_counter() - started) * 1000)
    return times


#: What shapes the prepared documents (with the generators themselves): a change to any of
#: these makes a new cache file.
SHAPERS = [
    "search/text.py",
    "search/documents.py",
    "search/products.py",
    "search/engines/database.py",
    "search/engines/elastic.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "collections").rglob("*.yaml")),
]


def _prepare_batch(batch: list[dict]) -> list[tuple[int, str]]:
    from search.engines.elastic import ElasticEngine

    return [tuple(p) for p in ElasticEngine("", prefix="bench").prepare(batch)]


def prepared(kind: str, n: int, vocab: dict, workers: int, say=print) -> Path:
    """The ``n`` generated items or products as the engines' index sources, one JSON
    document a line after its id: built once (the app's own ``ElasticEngine.prepare``, on
    every core), kept under ``/tmp/mha-bench`` and read again by every index of every
    engine and by later runs, until the generator or the app's document code changes."""
    from search.engines.base import chunked

    digest = hashlib.sha256(f"{kind} {n}".encode())
    for name in SHAPERS:
        digest.update((ROOT / name).read_bytes())
    for generator in (make_corpus, _labels, make_products):
        digest.update(inspect.getsource(generator).encode())
    path = CACHE / f"mkt-{kind}-{n}-{digest.hexdigest()[:12]}.ndjson"
    if path.exists():
        say(f"{kind}: {n} documents already prepared in {path.name}")
        return path
    started = time.perf_counter()
    docs = make_corpus(n, vocab) if kind == "items" else make_products(n, vocab)
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    # Fork: the workers inherit the configured Django (settings decide the languages).
    with (
        multiprocessing.get_context("fork").Pool(workers) as pool,
        partial.open("w", encoding="utf-8") as out,
    ):
        for batch in pool.imap(_prepare_batch, chunked(docs, 250)):
            out.writelines(f"{doc_id}\t{source}\n" for doc_id, source in batch)
    partial.rename(path)
    took = time.perf_counter() - started
    say(f"{kind}: {n} documents prepared once in {took:.0f} s ({n / took:.0f} docs/s)")
    return path


def read_prepared(*paths: Path):
    from search.engines.elastic import Prepared

    for path in paths:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                doc_id, source = line.rstrip("\n").split("\t", 1)
                yield Prepared(int(doc_id), source)


def bench_elastic(name, url, sources: dict, queries, rows, chunk_size: int, say=print) -> None:
    """Both indexes loaded from the same prepared sources, then queried alternately."""
    from search.engines.elastic import ElasticEngine

    prefix = f"mha-bench-mkt-{os.getpid()}"
    engines = {
        "items": ElasticEngine(url, flavour=name, prefix=f"{prefix}-i", timeout=60),
        "items+products": ElasticEngine(url, flavour=name, prefix=f"{prefix}-p", timeout=60),
    }
    if not engines["items"].ping():
        print(f"{name}: no answer at {url}, skipped")
        return
    nodes = engines["items"].client.nodes.info(node_id="_local", metric="_none")
    versions = sorted({n.get("version", "?") for n in nodes["nodes"].values()})
    say(f"{name} {', '.join(versions)} at {url}")
    loads = {}
    try:
        for key, engine in engines.items():
            paths = [sources["items"]] + ([sources["products"]] if key != "items" else [])
            started = time.perf_counter()
            engine.clear()
            engine.ensure_index()  # the app's own index: its settings, analysis, mapping
            n = engine.bulk_fast(read_prepared(*paths), chunk_size=chunk_size)
            took = time.perf_counter() - started
            loads[key] = n / took
            say(f"{name} {key}: {n} documents loaded in {took:.1f} s, {n / took:.0f} docs/s")
        times = alternate(engines, queries)
        rows.append(
            (name, sources["items_n"], sources["products_n"], times, GOALS_MS["elastic"], loads)
        )
    finally:
        for engine in engines.values():
            engine.clear()


def bench_database(items_n, products_n, vocab, queries, rows) -> None:
    """One database, so not side by side: the item-only figures first, then the same
    queries again after the products are added (the ratio also carries the load's drift)."""
    from django.core.management import call_command
    from django.db import connection

    from search.engines.database import DatabaseEngine

    def analyze() -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE") if connection.vendor == "sqlite" else None

    def timed_queries() -> list[float]:
        for q in queries[:10]:
            engine.search(q)
        out = []
        for q in queries:
            started = time.perf_counter()
            engine.search(q)
            out.append((time.perf_counter() - started) * 1000)
        return out

    call_command("migrate", verbosity=0)
    engine = DatabaseEngine()
    engine.clear()
    started = time.perf_counter()
    n = engine.bulk(make_corpus(items_n, vocab))
    loads = {"items": n / (time.perf_counter() - started)}
    analyze()
    items_only = timed_queries()
    started = time.perf_counter()
    n = engine.bulk(make_products(products_n, vocab))
    loads["items+products"] = n / (time.perf_counter() - started)
    analyze()
    both = timed_queries()
    name = f"database ({connection.vendor})"
    times = {"items": items_only, "items+products": both}
    rows.append((name, items_n, products_n, times, GOALS_MS["database"], loads))
    engine.clear()


class LoadWatch:
    """The machine's 1-minute load average every 15 s while the benchmark runs: the
    machine is shared, and a figure means little without the load it was measured under."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(15):
                return

    def __enter__(self) -> LoadWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        s = self.samples or [os.getloadavg()[0]]
        return (
            f"1-min load average over the run: median {statistics.median(s):.1f}, "
            f"min {min(s):.1f}, max {max(s):.1f} ({len(s)} samples, 2-core machine shared)"
        )


class Figures:
    """Lines printed and kept for ``bench/figures/``, rewritten after each engine so a
    run stopped part-way keeps what it measured."""

    def __init__(self, path: Path | None) -> None:
        self.path, self.lines = path, []

    def say(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def save(self) -> None:
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")


HEADER = (
    f"{'engine':<20}{'items':>8}{'products':>9}{'index':>16}{'load docs/s':>12}"
    f"{'p50 ms':>8}{'p95 ms':>8}{'vs items':>9}{'p95/goal':>9}"
)


def report(row, out: Figures) -> None:
    """One engine's figures, printed as soon as they are measured: a run at the issue's
    sizes takes long enough on a shared machine that a stopped run should keep them."""
    name, items_n, products_n, times, goal, loads = row
    alone = pct(times["items"], 95)
    for key in ("items", "items+products"):
        p50, p95 = statistics.median(times[key]), pct(times[key], 95)
        shown = products_n if key == "items+products" else 0
        ratio = f"{p95 / alone:.2f}" if key == "items+products" else ""
        out.say(
            f"{name:<20}{items_n:>8}{shown:>9}{key:>16}{loads[key]:>12.0f}{p50:>8.1f}"
            f"{p95:>8.1f}{ratio:>9}{p95 / goal:>9.2f}"
        )
    p50s = [statistics.median(times[k]) for k in ("items", "items+products")]
    out.say(f"{'':<20}with products / items alone: p50 {p50s[1] / p50s[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000, help="items on OpenSearch/ES")
    parser.add_argument("--products", type=int, default=4_000, help="products on OpenSearch/ES")
    parser.add_argument("--db-docs", type=int, default=5_000, help="items on the database")
    parser.add_argument("--db-products", type=int, default=1_000, help="products on the database")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", default="opensearch,elasticsearch,database")
    parser.add_argument("--chunk-size", type=int, default=500, help="documents per bulk request")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes preparing documents"
    )
    parser.add_argument(
        "--figures",
        default=str(ROOT / "bench" / "figures" / "marketplace_search.txt"),
        help="where the figures are written ('' for nowhere)",
    )
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="mha-mkt-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "archive.settings.test"
    import django

    django.setup()
    vocab = load_vocabularies()
    queries = make_queries(vocab, args.queries)
    wanted = args.engines.split(",")
    rows: list = []
    out = Figures(Path(args.figures) if args.figures else None)
    out.say("$ .venv/bin/python bench/marketplace_search_bench.py " + " ".join(sys.argv[1:]))
    out.say(f"run at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    with LoadWatch() as load:
        urls = {n: os.environ.get(f"MHA_TEST_{n.upper()}_URL", "") for n in ELASTIC}
        for name in ELASTIC:
            if name in wanted and not urls[name]:
                out.say(f"{name}: MHA_TEST_{name.upper()}_URL not set, skipped")
        elastic = [n for n in ELASTIC if n in wanted and urls[n]]
        sources: dict = {"items_n": args.docs, "products_n": args.products}
        if elastic:
            sources["items"] = prepared("items", args.docs, vocab, args.workers, out.say)
            sources["products"] = prepared("products", args.products, vocab, args.workers, out.say)
        out.say(f"faceted queries: {args.queries} per index (every facet, the price range, access)")
        out.say(HEADER)
        out.say("-" * len(HEADER))
        for name in elastic:
            started = time.perf_counter()
            bench_elastic(name, urls[name], sources, queries, rows, args.chunk_size, out.say)
            print(f"{name}: loaded and measured in {time.perf_counter() - started:.0f} s")
            if rows and rows[-1][0] == name:
                report(rows[-1], out)
                out.save()
        if "database" in wanted:
            print(f"database: {args.db_docs} items, then {args.db_products} products added…")
            bench_database(args.db_docs, args.db_products, vocab, queries, rows)
            report(rows[-1], out)
    out.say(
        "load docs/s: documents per second from an empty index to searchable; 'vs items' is "
        "p95 with products / p95 of items alone; p95/goal below 1.00 meets the item-search "
        "goal (Elasticsearch/OpenSearch 50 ms, database 150 ms)."
    )
    out.say(load.summary())
    out.save()


if __name__ == "__main__":
    main()
