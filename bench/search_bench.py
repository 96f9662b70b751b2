"""Search benchmark: faceted query latency and bulk index throughput, side by side.

Generates a realistic multilingual corpus (titles, descriptions and transcripts in Chinese,
English and Miao, built from random combinations of the real vocabularies in
``collections/vocabularies``, at a realistic mix of access levels), bulk-indexes it straight
into each engine (no Wagtail pages), then times faceted queries as a visitor would run
them: a word in one of the three languages or pinyin, all nine facet aggregations, the
access filter of an anonymous visitor or a community member, and a facet filter on a third
of them. Prints p50/p95 per engine and the ratio to the goals:

* Elasticsearch/OpenSearch p95 <= 50 ms at 100,000 items;
* database engine p95 <= 150 ms at 10,000 items.

Usage (services from ``scripts/services.py up opensearch elasticsearch``)::

    eval "$(scripts/services.py env)"
    .venv/bin/python bench/search_bench.py                  # 100k on OS/ES, 10k on SQLite
    .venv/bin/python bench/search_bench.py --docs 20000 --db-docs 2000 --queries 100
    .venv/bin/python bench/search_bench.py --database-url postgres://mha@127.0.0.1:54329/mha_bench

Every index it creates has the prefix ``mha-bench-<pid>`` and is deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS_MS = {"elastic": 50.0, "database": 150.0}

FILLER_ZH = [
    "这件绣片由村里的老绣娘在农闲时完成",
    "纹样来自古歌中的故事",
    "用于节日盛装的衣袖和背扇",
    "颜色以红、蓝、绿为主，针脚细密",
    "讲述者回忆小时候跟着外婆学习",
    "在鼓藏节和苗年时演唱",
    "这一纹样在施洞和台江一带最常见",
]
FILLER_EN = [
    "Made by an elder embroiderer in the slack season after the harvest.",
    "The pattern retells a story from the ancient songs.",
    "Worn on festival sleeves and baby carriers.",
    "Red, blue and green silk, with very fine stitches.",
    "The speaker remembers learning from her grandmother as a child.",
    "Sung at the Drum Festival and at Miao New Year.",
    "Most common around Shidong and Taijiang.",
]
FILLER_HMN = ["Hxak Lul", "Niangx Eb", "Ghab Lail", "Jangx Vangb", "Mais Bangx", "Dliangb"]
LEVELS = ["public"] * 7 + ["registered"] * 1 + ["community"] * 1 + ["restricted"] * 1
LICENCES = ["cc-by-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0", "community-protocol"]


def load_vocabularies() -> dict[str, list[dict]]:
    import yaml

    out = {}
    for path in sorted((ROOT / "collections" / "vocabularies").glob("*.yaml")):
        if path.stem == "tags":  # display labels of free tags, not a vocabulary list
            continue
        out[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return out


def _labels(term: dict, by_slug: dict) -> dict:
    node, out = term, {"zh": [], "en": [], "hmn": []}
    for _ in range(10):
        for lang in out:
            if node.get(lang):
                out[lang].append(node[lang])
        parent = node.get("broader")
        if not parent or parent not in by_slug:
            break
        node = by_slug[parent]
    return out


def make_corpus(n: int, vocab: dict, seed: int = 7):
    """``n`` documents shaped exactly like ``search.documents.build`` output."""
    from archive.items.periods import period_key

    rng = random.Random(seed)
    by_slug = {t["slug"]: t for terms in vocab.values() for t in terms}
    villages = [t for t in vocab["places"] if t.get("kind") == "village"] or vocab["places"]
    for i in range(1, n + 1):
        kind = rng.choice(["embroidery"] * 5 + ["recording"] * 3 + ["music"] * 2)
        facets = {k: [] for k in ("motif", "technique", "dialect", "genre", "village")}
        terms = []

        def add(facet, vocab_name, k, facets=facets, terms=terms):
            for t in rng.sample(vocab[vocab_name], k=min(k, len(vocab[vocab_name]))):
                terms.append({"facet": facet or "term", "slug": t["slug"], **_labels(t, by_slug)})
                if facet:
                    node = t
                    while node:
                        if node["slug"] not in facets[facet]:
                            facets[facet].append(node["slug"])
                        node = by_slug.get(node.get("broader") or "")

        if kind == "embroidery":
            add("motif", "motifs", rng.randint(1, 3))
            add("technique", "techniques", rng.randint(1, 2))
            add(None, "materials", 1)
            add(None, "garments", 1)
            collection = "embroidery"
        elif kind == "recording":
            add("dialect", "dialects", 1)
            collection = "dialects"
        else:
            add("genre", "genres", 1)
            add(None, "instruments", rng.randint(1, 2))
            add(None, "festivals", 1)
            collection = "folk-music"
        village = rng.choice(villages)
        facets["village"] = [village["slug"]]
        place = _labels(village, by_slug)
        first = terms[0]
        year = rng.choice([None, rng.randint(1850, 2024)])
        title_zh = f"{place['zh'][0]}{first['zh'][0]}{['绣片', '录音', '古歌'][i % 3]}{i}"
        title_en = f"{first['en'][0] if first['en'] else 'Item'} from {village.get('en', '')} {i}"
        cues = []
        if kind != "embroidery":
            t = 0.0
            for _ in range(rng.randint(3, 12)):
                cues.append(
                    {
                        "start": t,
                        "text_hmn": rng.choice(FILLER_HMN),
                        "text_zh": rng.choice(FILLER_ZH),
                        "text_en": rng.choice(FILLER_EN),
                    }
                )
                t += rng.uniform(2, 9)
        level = rng.choice(LEVELS)
        yield {
            "id": i,
            "identifier": f"BENCH-{i:06d}",
            "url": f"/{collection}/bench-{i}/",
            "type": kind,
            "collection": collection,
            "title_zh": title_zh,
            "title_en": title_en,
            "title_hmn": " ".join(first["hmn"][:1]),
            "description_zh": "，".join(rng.sample(FILLER_ZH, 3)),
            "description_en": " ".join(rng.sample(FILLER_EN, 3)),
            "description_hmn": " ".join(rng.sample(FILLER_HMN, 2)),
            "extra_zh": "",
            "extra_en": "",
            "terms": terms,
            "place": place,
            "people": [f"绣娘{i % 500}", f"Singer {i % 300}"],
            "tags": [rng.choice(["festival", "silver", "elders", "children", "market"])],
            "cues": cues,
            "facets": {
                **facets,
                "collection": [collection],
                "type": [kind],
                "period": [p] if (p := period_key(year)) else [],
                "licence": [rng.choice(LICENCES)],
            },
            "year": year,
            "published": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00+00:00",
            "access_level": level,
            "community_id": rng.randint(1, 20) if level == "community" else None,
        }


def make_queries(vocab: dict, n: int, seed: int = 11):
    from archive.access.policy import EVERYONE, SIGNED_IN_LEVELS, Audience
    from search.engines import SearchQuery
    from search.text import pinyin_text

    rng = random.Random(seed)
    words = []
    for name in ("motifs", "techniques", "dialects", "genres", "instruments", "places"):
        for t in vocab[name]:
            words += [t.get("zh"), t.get("en"), t.get("hmn")]
            if t.get("zh"):
                words.append(pinyin_text(t["zh"]).split()[-1])  # the joined syllables
    words = [w for w in words if w]
    member = Audience(SIGNED_IN_LEVELS, communities=frozenset({3, 7}))
    filters = [
        {"type": ["embroidery"]},
        {"motif": ["butterfly"]},
        {"collection": ["dialects"]},
        {"period": ["1990s"]},
    ]
    out = []
    for i in range(n):
        out.append(
            SearchQuery(
                raw=rng.choice(words),
                filters=rng.choice(filters) if i % 3 == 0 else {},
                access=member if i % 2 else EVERYONE,
            )
        )
    return out


def time_queries(engine, queries) -> list[float]:
    for q in queries[:10]:  # warm up caches and connections
        engine.search(q)
    times = []
    for q in queries:
        started = time.perf_counter()
        engine.search(q)
        times.append((time.perf_counter() - started) * 1000)
    return times


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_elastic(name, url, docs_n, vocab, queries, rows):
    from search.engines.elastic import ElasticEngine

    engine = ElasticEngine(url, flavour=name, prefix=f"mha-bench-{os.getpid()}", timeout=60)
    if not engine.ping():
        print(f"{name}: no answer at {url}, skipped")
        return
    try:
        engine.clear()
        started = time.perf_counter()
        engine.ensure_index()
        n = engine.bulk_fast(make_corpus(docs_n, vocab))
        engine.refresh()
        elapsed = time.perf_counter() - started
        times = time_queries(engine, queries)
        rows.append((name, n, n / elapsed, times, GOALS_MS["elastic"]))
    finally:
        engine.clear()


def bench_database(database_url, docs_n, vocab, queries, rows):
    from django.core.management import call_command
    from django.db import connection

    from search.engines.database import DatabaseEngine

    call_command("migrate", verbosity=0)
    engine = DatabaseEngine()
    engine.clear()
    started = time.perf_counter()
    n = engine.bulk(make_corpus(docs_n, vocab))
    elapsed = time.perf_counter() - started
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("INSERT INTO archive_search_fts(archive_search_fts) VALUES('optimize')")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE archive_search_searchdocument")
            cursor.execute("ANALYZE archive_search_searchfacetvalue")
    times = time_queries(engine, queries)
    rows.append((f"database ({connection.vendor})", n, n / elapsed, times, GOALS_MS["database"]))
    engine.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, help="corpus for OpenSearch/ES")
    parser.add_argument("--db-docs", type=int, default=10_000, help="corpus for the database")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument(
        "--engines", default="opensearch,elasticsearch,database", help="comma-separated"
    )
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="mha-search-bench-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.test")
    import django

    django.setup()

    vocab = load_vocabularies()
    queries = make_queries(vocab, args.queries)
    wanted = args.engines.split(",")
    rows: list = []
    urls = {
        "opensearch": os.environ.get("MHA_TEST_OPENSEARCH_URL", ""),
        "elasticsearch": os.environ.get("MHA_TEST_ELASTICSEARCH_URL", ""),
    }
    for name in ("opensearch", "elasticsearch"):
        if name in wanted:
            if urls[name]:
                print(f"{name}: indexing {args.docs} documents…", flush=True)
                bench_elastic(name, urls[name], args.docs, vocab, queries, rows)
            else:
                print(f"{name}: MHA_TEST_{name.upper()}_URL not set, skipped")
    if "database" in wanted:
        print(f"database: indexing {args.db_docs} documents…", flush=True)
        bench_database(args.database_url, args.db_docs, vocab, queries, rows)

    print()
    print(f"faceted queries: {args.queries} per engine (9 facet counts each, access-filtered)")
    header = f"{'engine':<22}{'docs':>9}{'index docs/s':>14}{'p50 ms':>9}{'p95 ms':>9}"
    header += f"{'goal p95':>10}{'p95/goal':>10}"
    print(header)
    print("-" * len(header))
    for name, n, rate, times, goal in rows:
        p50, p95 = statistics.median(times), pct(times, 95)
        print(
            f"{name:<22}{n:>9}{rate:>14.0f}{p50:>9.1f}{p95:>9.1f}{goal:>10.0f}{p95 / goal:>10.2f}"
        )
    print("p95/goal below 1.00 meets the goal.")


if __name__ == "__main__":
    main()
