"""Item and collection pages through HTTP on the running stack (`make stack`) at a large corpus.

    .venv/bin/python bench/stack_pages_bench.py [--size 100000] [--seconds 20]
                                                [--connections 1,8] [--out ...]

``bench/pages_bench.py`` times a page inside Django (the test client) and counts its
queries; this one asks the stack as a phone does: nginx, gunicorn, the production settings,
PostgreSQL, Redis. ``--size`` synthetic items are added to the stack's database in bulk
(``pages_bench.fill``: 60% embroidery with an image, 25% recordings, 15% music; real
villages, motifs, dialects and genres; a fifth not public), under the stack's own
collections beside the demo's. Then Debian's ``wrk`` (2 threads, keep-alive, each of
``--connections`` in turn) asks nginx for 2,000 of their public item pages at random, and
for the collection pages with filters and page numbers, as an anonymous visitor.

Uncached: every URL carries a nonce parameter, so the page cache never answers and each is
routed, asked of the policy, queried and rendered (the routing tree and each collection's
count are kept, as served). The peer, in the same run, is 50 of the same URLs without the
nonce, each visited once before, so the page cache answers: what sending a page costs.

At the end the synthetic items are deleted (a raw delete, table by table) and the page cache
emptied, which leaves the demo archive as it was. Figures go to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack_faults import REPO, get, health, stack_env, write_figures  # noqa: E402
from stack_search_bench import run_wrk  # noqa: E402

#: The URLs of the cached run, each visited once before it.
HOT = 50
#: Synthetic items' path steps start here, above any demo item's under its collection.
FIRST = 200_000


def setup_django() -> None:
    os.environ.update(stack_env())
    import django

    django.setup()


def add_items(size: int) -> float:
    from django.db import connection, transaction
    from pages_bench import fill

    from archive.assets.models import Original
    from archive.core import pagecache
    from archive.items.models import CollectionPage

    collections = {c.slug: c for c in CollectionPage.objects.all()}
    original = Original.objects.filter(kind="image").first()
    started = time.perf_counter()
    with transaction.atomic():
        fill(collections, FIRST + size, FIRST, original)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    pagecache.invalidate()
    return time.perf_counter() - started


def synthetic():
    from archive.items.models import ItemPage

    return ItemPage.objects.filter(identifier__startswith="BENCH-")


def remove_items() -> int:
    """Delete the synthetic items table by table (no signals: none of them was ever indexed,
    revised or referenced), then put each collection's ``numchild`` right again."""
    from django.db import transaction
    from wagtail.models import Page

    from archive.assets.models import Derivative, MediaAsset
    from archive.core import pagecache
    from archive.items.models import (
        CollectionPage,
        EmbroideryPatternPage,
        ItemPage,
        MusicPiecePage,
        RecordingPage,
    )

    ids = synthetic().values("pk")
    with transaction.atomic():
        n = synthetic().count()
        Derivative.objects.filter(asset__item__in=ids)._raw_delete("default")
        MediaAsset.objects.filter(item__in=ids)._raw_delete("default")
        through = EmbroideryPatternPage.motifs.through
        through.objects.filter(embroiderypatternpage__in=ids)._raw_delete("default")
        for kind in (EmbroideryPatternPage, RecordingPage, MusicPiecePage):
            kind.objects.filter(pk__in=ids)._raw_delete("default")
        pages = list(synthetic().values_list("pk", flat=True))
        ItemPage.objects.filter(pk__in=pages)._raw_delete("default")
        Page.objects.filter(pk__in=pages)._raw_delete("default")
        for c in CollectionPage.objects.all():
            Page.objects.filter(pk=c.pk).update(
                numchild=Page.objects.filter(path__startswith=c.path, depth=c.depth + 1).count()
            )
    pagecache.invalidate()
    return n


def page_urls(count: int) -> tuple[list[str], list[str]]:
    from django.utils import translation
    from pages_bench import COLLECTION_QUERIES

    from archive.items.models import CollectionPage

    rng = random.Random(7)  # noqa: S311 (a sample, not a secret)
    public = list(synthetic().filter(access_level="public").values_list("url_path", flat=True))
    home = CollectionPage.objects.first().get_parent()
    with translation.override("zh-hans"):
        root = home.url_path
    items = ["/" + u[len(root) :] for u in rng.sample(public, min(count, len(public)))]
    collections = []
    for slug in ("embroidery", "dialects", "folk-music"):
        for q in COLLECTION_QUERIES:
            if slug != "embroidery" and "motif" in q:
                continue
            collections.append(f"/{slug}/{q}")
    return items, collections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", default="1,8", help="comma-separated, each in turn")
    parser.add_argument("--out", default=str(REPO / "bench" / "figures" / "stack_pages.txt"))
    args = parser.parse_args()
    if health().get("status") != "ok":
        raise SystemExit(f"the stack is not healthy: {health()} (make stack)")
    setup_django()
    if synthetic().exists():  # an earlier run stopped before its clean-up
        print(f"removed {remove_items()} synthetic items left by an earlier run", flush=True)
    clients = [int(c) for c in args.connections.split(",")]
    lines = [
        f"# bench/stack_pages_bench.py --size {args.size} --seconds {args.seconds} "
        f"--connections {args.connections} ({time.strftime('%F %T %Z')}); wrk -t2 through "
        f"nginx to 2 gunicorn instances, PostgreSQL, anonymous; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} before loading",
        f"{'page':<11} {'clients':>7} {'uncached req/s':>14} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'p95/50ms':>8} {'cached req/s':>12} {'cached p95':>10} {'non-2xx':>7}",
    ]
    try:
        took = add_items(args.size)
        print(f"added {args.size} items in {took:.0f} s", flush=True)
        items, collections = page_urls(2000)
        print("\n".join(lines), flush=True)
        for label, paths in (("item", items), ("collection", collections)):
            run_wrk(paths, 5, max(clients))  # warm up: connections, caches, the planner
            hot = paths[:HOT]
            for path in hot:  # in the page cache before the cached run asks for them
                get(path)
            for n in clients:
                r = run_wrk(paths, args.seconds, n)
                hit = run_wrk(hot, args.seconds, n, unique=False)
                row = (
                    f"{label:<11} {n:>7} {r['rps']:>14} {r['p50_ms']:>7.1f} "
                    f"{r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['p95_ms'] / 50:>8.2f} "
                    f"{hit['rps']:>12} {hit['p95_ms']:>10.1f} {r['non_2xx'] + hit['non_2xx']:>7}"
                )
                print(row, flush=True)
                lines.append(row)
    finally:
        print(f"removed {remove_items()} synthetic items", flush=True)
    lines.append(
        f"{args.size} synthetic items beside the demo's, added in {took:.0f} s; uncached: every "
        "URL unique (the page cache never answers); cached: the same URLs answered by the page "
        "cache; p50/p95/p99 ms as wrk measured them; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end"
    )
    write_figures(args.out, lines)


if __name__ == "__main__":
    main()
