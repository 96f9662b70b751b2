"""Server time of the public pages on a large corpus, and queries per page.

    DATABASE_URL=postgres://mha@127.0.0.1:54329/mha_bench .venv/bin/python bench/pages_bench.py \
        --sizes 10000 100000

Builds a throw-away test database (``test_<name>``), fills it with items in bulk, then for
each corpus size prints the median and p95 server time (Django test client: middleware,
views, templates and queries, no network) of item pages and collection pages, rendered with
the page cache off (the routing tree and collection counts kept, as served; a collection
URL's first visit, which computes them, is timed apart) and served from the page cache,
and the ratio of the largest corpus to the smallest (the peer run on the same machine).
Then it counts the database queries of an item page with 1 and with 20 assets, related
items, people and transcript lines: the counts must be equal, or a page's cost grows with
what it shows.

Bulk loading: Wagtail's ``add_child`` costs several queries per page (about 20 ms), so 100k
items would take over half an hour. Pages are instead written the way treebeard's
materialised path expects them — ``path`` = the collection's path + a 4-character base-36
step, ``depth`` + 1, ``numchild`` set once on the collection, ``url_path`` from the slug —
with ``bulk_create`` for ``wagtailcore_page`` and ``executemany`` INSERTs for the
multi-table children (``items_itempage``, ``items_embroiderypatternpage``…), which Django's
``bulk_create`` refuses. ``Page.fix_tree`` finds nothing to fix afterwards (checked below).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
)
from django.utils import timezone  # noqa: E402

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: As served (the test settings turn them off): the routing tree, and each collection's
#: count and periods, kept between requests until something is published. The page cache
#: stays off for the "uncached" figures.
KEPT = {"MHA_ROUTE_CACHE_SECONDS": 300, "MHA_COLLECTION_CACHE_SECONDS": 300}
LEVELS = ["public"] * 16 + ["registered"] * 2 + ["community", "restricted"]
#: What a visitor asks a collection page: its first pages, a far page, each filter.
COLLECTION_QUERIES = [
    "",
    "?page=2",
    "?page=40",
    "?motif=butterfly",
    "?village=paimo",
    "?period=1980-1999",
    "?motif=dragon&page=3",
]


def step(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def insert_children(model, rows: list[dict]) -> None:
    """INSERT rows of a multi-table child (or grandchild) table with executemany."""
    cols = list(rows[0])
    table = connection.ops.quote_name(model._meta.db_table)
    # Table and column names come from the model; values go as parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in cols)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(cols))})"
    )
    with connection.cursor() as cur:
        cur.executemany(sql, [tuple(r[c] for c in cols) for r in rows])


def local_row(model, obj) -> dict:
    row = {}
    for f in model._meta.local_concrete_fields:
        row[f.column] = f.get_db_prep_save(getattr(obj, f.attname), connection)
    return row


def bulk_items(collection, kind_model, count: int, start: int, extra) -> list[int]:
    """Create ``count`` live items of ``kind_model`` under ``collection``; returns their pks."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    from archive.items.models import ItemPage

    ct = ContentType.objects.get_for_model(kind_model)
    now = timezone.now()
    created: list[int] = []
    batch = 2000
    for offset in range(0, count, batch):
        objs, pages = [], []
        for i in range(offset, min(offset + batch, count)):
            n = start + i
            slug = f"b-{kind_model._meta.model_name[:3]}-{n}"
            obj = kind_model(
                title=f"条目 {n}",
                draft_title=f"条目 {n}",
                slug=slug,
                content_type=ct,
                path=collection.path + step(n + 1),
                depth=collection.depth + 1,
                numchild=0,
                url_path=f"{collection.url_path}{slug}/",
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
                locale_id=collection.locale_id,
                translation_key=uuid.uuid4(),
                identifier=f"BENCH-{kind_model._meta.model_name[:3].upper()}-{n:07d}",
                title_en=f"Item {n}",
                access_level=LEVELS[n % len(LEVELS)],
                **extra(n),
            )
            objs.append(obj)
            pages.append(
                Page(
                    **{
                        f.attname: getattr(obj, f.attname)
                        for f in Page._meta.concrete_fields
                        if f.attname != "id"
                    }
                )
            )
        Page.objects.bulk_create(pages)
        if pages[0].pk is None:  # a backend that does not return pks
            by_path = dict(
                Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "pk")
            )
            for p in pages:
                p.pk = by_path[p.path]
        for obj, page in zip(objs, pages, strict=True):
            obj.pk = obj.page_ptr_id = page.pk
            obj.itempage_ptr_id = page.pk
        insert_children(ItemPage, [local_row(ItemPage, o) for o in objs])
        insert_children(kind_model, [local_row(kind_model, o) for o in objs])
        created += [o.pk for o in objs]
    Page.objects.filter(pk=collection.pk).update(
        numchild=Page.objects.filter(
            path__startswith=collection.path, depth=collection.depth + 1
        ).count()
    )
    return created


def fill(collections, size: int, done: int, shared_original) -> None:
    """Grow the corpus from ``done`` to ``size`` items (60% embroidery, 25% dialect, 15%
    music); every embroidery item has one image asset with thumbnail and web derivatives."""
    from archive.assets.models import Derivative, MediaAsset
    from archive.items.models import EmbroideryPatternPage, MusicPiecePage, RecordingPage
    from archive.vocabularies.models import Dialect, Genre, Motif, Place

    villages = list(Place.objects.filter(kind="village").values_list("pk", flat=True))
    motifs = list(Motif.objects.values_list("pk", flat=True))
    dialects = list(Dialect.objects.values_list("pk", flat=True))
    genres = list(Genre.objects.values_list("pk", flat=True))
    todo = size - done
    n_emb, n_rec = int(todo * 0.6), int(todo * 0.25)
    n_mus = todo - n_emb - n_rec

    def common(n):
        return {"place_id": villages[n % len(villages)], "year_from": 1900 + n % 120}

    emb = bulk_items(collections["embroidery"], EmbroideryPatternPage, n_emb, done, common)
    through = EmbroideryPatternPage.motifs.through
    through.objects.bulk_create(
        [through(embroiderypatternpage_id=pk, motif_id=motifs[pk % len(motifs)]) for pk in emb],
        batch_size=5000,
    )
    assets = MediaAsset.objects.bulk_create(
        [MediaAsset(item_id=pk, original=shared_original, status="ready") for pk in emb],
        batch_size=5000,
    )
    if assets and assets[0].pk is None:
        assets = list(MediaAsset.objects.filter(item_id__in=emb))
    Derivative.objects.bulk_create(
        [
            Derivative(
                asset_id=a.pk,
                name=name,
                file=f"derivatives/{name}.webp",
                content_type="image/webp",
                width=w,
                height=h,
            )
            for a in assets
            for name, w, h in (("thumb", 400, 300), ("web-webp", 1200, 900))
        ],
        batch_size=5000,
    )

    def rec_extra(n):
        return {**common(n), "dialect_id": dialects[n % len(dialects)]}

    def mus_extra(n):
        return {**common(n), "genre_id": genres[n % len(genres)]}

    bulk_items(collections["dialects"], RecordingPage, n_rec, done, rec_extra)
    bulk_items(collections["folk-music"], MusicPiecePage, n_mus, done, mus_extra)


def timed(client: Client, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        t0 = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def summary(ms: list[float]) -> tuple[float, float]:
    ms = sorted(ms)
    return statistics.median(ms), ms[max(0, int(len(ms) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"database: {connection.vendor} {db_name}; load average {os.getloadavg()}")
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


def run(args) -> None:
    from django.utils import translation
    from wagtail.models import Page

    from archive.items.models import CollectionPage, ItemPage
    from archive.vocabularies.loader import load_all_vocabularies
    from tests import factories

    load_all_vocabularies()
    _, collections = factories.site_tree()
    for c in collections.values():
        c.save_revision().publish()
    collections = {k: CollectionPage.objects.get(pk=c.pk) for k, c in collections.items()}
    original = factories.image_record()
    client = Client()
    rng = random.Random(7)  # noqa: S311
    results = {}
    done = 0
    for size in args.sizes:
        t0 = time.perf_counter()
        with transaction.atomic():
            fill(collections, size, done, original)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        load_s = time.perf_counter() - t0
        done = size
        assert ItemPage.objects.count() >= size
        public = list(
            ItemPage.objects.filter(access_level="public").values_list("url_path", flat=True)
        )
        with translation.override("zh-hans"):
            root = collections["embroidery"].get_parent().url_path
        item_urls = ["/" + u[len(root) :] for u in rng.sample(public, args.requests)]
        coll_urls = []
        for _ in range(args.requests // 2):
            c = rng.choice(["embroidery", "dialects", "folk-music"])
            q = rng.choice(COLLECTION_QUERIES)
            if c != "embroidery" and "motif" in q:
                q = ""
            coll_urls.append(f"/{c}/{q}")
        with override_settings(MHA_PAGE_CACHE_SECONDS=0, **KEPT):
            timed(client, item_urls[:10])  # warm up
            # The first visit of each collection URL after a publish: its count and
            # periods are computed, then kept (MHA_COLLECTION_CACHE_SECONDS).
            cold_ms = timed(client, list(dict.fromkeys(coll_urls)))
            items_ms = timed(client, item_urls)
            colls_ms = timed(client, coll_urls)
        with override_settings(MHA_PAGE_CACHE_SECONDS=300):
            timed(client, item_urls)
            cached_ms = timed(client, item_urls)
        results[size] = (
            summary(items_ms),
            summary(colls_ms),
            summary(cold_ms),
            summary(cached_ms),
        )
        with override_settings(MHA_PAGE_CACHE_SECONDS=0, **KEPT):
            db_ms = {}
            for kind, urls in (("item", item_urls[:20]), ("collection", coll_urls[:20])):
                spent: dict[str, list[float]] = {}
                for url in urls:
                    with CaptureQueriesContext(connection) as ctx:
                        client.get(url)
                    for q in ctx.captured_queries:
                        spent.setdefault(q["sql"][:90], []).append(float(q["time"]) * 1000)
                total = sum(sum(v) for v in spent.values()) / len(urls)
                worst = max(spent.items(), key=lambda kv: sum(kv[1]))
                db_ms[kind] = (total, sum(worst[1]) / len(urls), worst[0])
        print(f"\n{size:>7} items (loaded in {load_s:.1f} s)")
        for label, (median, p95) in zip(
            (
                "item page                ",
                "collection page          ",
                "collection page, 1st visit",
                "item page from page cache",
            ),
            results[size],
            strict=True,
        ):
            print(f"  {label} median {median:6.1f} ms   p95 {p95:6.1f} ms")
        for kind, (total, worst_ms, sql) in db_ms.items():
            print(
                f"  {kind} page: {total:.1f} ms in the database per page; costliest query "
                f"{worst_ms:.1f} ms: {sql}"
            )
    if len(results) > 1:
        small, large = min(results), max(results)
        print(
            f"\nratio {large} / {small} items (p95): item "
            f"{results[large][0][1] / results[small][0][1]:.2f}x, collection "
            f"{results[large][1][1] / results[small][1][1]:.2f}x, collection 1st visit "
            f"{results[large][2][1] / results[small][2][1]:.2f}x; cached / uncached item "
            f"median at {large}: {results[large][3][0] / results[large][0][0]:.3f}x"
        )

    # treebeard's find_problems() walks every node in Python (minutes at 100k); check what
    # the bulk insert could get wrong instead: each collection's numchild against its
    # children by path, and that every child's depth and url_path follow its parent's.
    bad = []
    for c in CollectionPage.objects.all():
        children = Page.objects.filter(path__startswith=c.path).exclude(pk=c.pk)
        if children.count() != c.numchild or children.exclude(depth=c.depth + 1).exists():
            bad.append(c.slug)
        if children.exclude(url_path__startswith=c.url_path).exists():
            bad.append(c.slug + " url_path")
    print(f"\ntree check (numchild, depth, url_path): {bad or 'clean'}")

    print("\nqueries per item page (anonymous, page cache off):")
    counts = {}
    for n in (1, 20):
        page = factories.rich_item(collections, original, n, f"q{n}")
        with translation.override("zh-hans"):
            url = page.url
        with override_settings(MHA_PAGE_CACHE_SECONDS=0, **KEPT):
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert body.count("/thumb") >= n, "every asset is on the page"
        counts[n] = len(ctx.captured_queries)
        print(f"  {n:>2} assets, people, transcript lines and related items: {counts[n]} queries")
    print("  constant" if counts[1] == counts[20] else "  NOT CONSTANT")
    with override_settings(MHA_PAGE_CACHE_SECONDS=0, **KEPT):
        counts = {}
        for q in ("", "?page=2", "?motif=butterfly&village=paimo"):
            client.get(f"/embroidery/{q}")
            with CaptureQueriesContext(connection) as ctx:
                client.get(f"/embroidery/{q}")
            counts[q] = len(ctx.captured_queries)
        print(f"queries per collection page: {counts}")


if __name__ == "__main__":
    main()
