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
the shape ``search.products.build`` makes). Every index made here has the prefix
``mha-bench-mkt-<pid>`` and is deleted at the end.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

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


def bench_elastic(name, url, items_n, products_n, vocab, queries, rows) -> None:
    from search.engines.elastic import ElasticEngine

    prefix = f"mha-bench-mkt-{os.getpid()}"
    engines = {
        "items": ElasticEngine(url, flavour=name, prefix=f"{prefix}-i", timeout=60),
        "items+products": ElasticEngine(url, flavour=name, prefix=f"{prefix}-p", timeout=60),
    }
    if not engines["items"].ping():
        print(f"{name}: no answer at {url}, skipped")
        return
    try:
        for key, engine in engines.items():
            engine.clear()
            engine.ensure_index()
            docs = make_corpus(items_n, vocab)
            if key == "items+products":
                docs = itertools.chain(docs, make_products(products_n, vocab))
            engine.bulk_fast(docs)
            engine.refresh()
        times = alternate(engines, queries)
        rows.append((name, items_n, products_n, times, GOALS_MS["elastic"]))
    finally:
        for engine in engines.values():
            engine.clear()


def bench_database(items_n, products_n, vocab, queries, rows) -> None:
    """Two SQLite (or PostgreSQL) databases would not be side by side; one database holds
    both corpora instead, and the item-only run filters products out by ``type``, which is
    how the index behaves without them (the filter is a facet the engine already has)."""
    from django.core.management import call_command
    from django.db import connection

    from search.engines.database import DatabaseEngine

    call_command("migrate", verbosity=0)
    engine = DatabaseEngine()
    engine.clear()
    engine.bulk(make_corpus(items_n, vocab))
    items_only = {}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "sqlite" else None
    # Item-only figures first, then with the products added: same queries, same database.
    for q in queries[:10]:
        engine.search(q)
    for i, q in enumerate(queries):
        started = time.perf_counter()
        engine.search(q)
        items_only[i] = (time.perf_counter() - started) * 1000
    engine.bulk(make_products(products_n, vocab))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "sqlite" else None
    both = {}
    for q in queries[:10]:
        engine.search(q)
    for i, q in enumerate(queries):
        started = time.perf_counter()
        engine.search(q)
        both[i] = (time.perf_counter() - started) * 1000
    rows.append(
        (
            f"database ({connection.vendor})",
            items_n,
            products_n,
            {"items": list(items_only.values()), "items+products": list(both.values())},
            GOALS_MS["database"],
        )
    )
    engine.clear()


def report(row) -> None:
    """One engine's figures, printed as soon as they are measured: a run at the issue's
    sizes takes long enough on a shared machine that a stopped run should keep them."""
    name, items_n, products_n, times, goal = row
    for key in ("items", "items+products"):
        p50, p95 = statistics.median(times[key]), pct(times[key], 95)
        shown = products_n if key == "items+products" else 0
        print(
            f"{name:<20}{items_n:>8}{shown:>9}{key:>16}{p50:>8.1f}{p95:>8.1f}"
            f"{goal:>6.0f}{p95 / goal:>9.2f}",
            flush=True,
        )
    ratio = pct(times["items+products"], 95) / pct(times["items"], 95)
    print(f"{'':<20}p95 items+products / items alone: {ratio:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000, help="items on OpenSearch/ES")
    parser.add_argument("--products", type=int, default=4_000, help="products on OpenSearch/ES")
    parser.add_argument("--db-docs", type=int, default=5_000, help="items on the database")
    parser.add_argument("--db-products", type=int, default=1_000, help="products on the database")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", default="opensearch,elasticsearch,database")
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
    print(f"faceted queries: {args.queries} per index (every facet, the price range, access)")
    header = f"{'engine':<20}{'items':>8}{'products':>9}{'index':>16}{'p50 ms':>8}{'p95 ms':>8}"
    header += f"{'goal':>6}{'p95/goal':>9}"
    print(header)
    print("-" * len(header), flush=True)
    for name in ("opensearch", "elasticsearch"):
        url = os.environ.get(f"MHA_TEST_{name.upper()}_URL", "")
        if name in wanted and url:
            print(f"{name}: indexing {args.docs} items, and again with {args.products} products…")
            started = time.perf_counter()
            bench_elastic(name, url, args.docs, args.products, vocab, queries, rows)
            print(f"{name}: indexed and measured in {time.perf_counter() - started:.0f} s")
            if rows and rows[-1][0] == name:
                report(rows[-1])
        elif name in wanted:
            print(f"{name}: MHA_TEST_{name.upper()}_URL not set, skipped")
    if "database" in wanted:
        print(f"database: {args.db_docs} items, then {args.db_products} products added…")
        bench_database(args.db_docs, args.db_products, vocab, queries, rows)
        report(rows[-1])
    print("p95/goal below 1.00 meets the item-search goal.")


if __name__ == "__main__":
    main()
