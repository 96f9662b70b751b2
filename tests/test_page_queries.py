"""What an item page costs the database, and what it shows among related items.

An item page's queries must not grow with what it shows (assets, people, transcript lines,
related items) and stay within the budget the performance target names (issue 15: at most
12 per page on PostgreSQL; ``bench/pages_bench.py`` measures the time). The related items a
visitor sees are pinned for a sample item, so making them cheaper cannot change them.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from archive.items.models import EmbroideryPatternPage, ItemPerson
from archive.vocabularies.loader import load_all_vocabularies
from archive.vocabularies.models import Motif, Place
from tests import factories

pytestmark = pytest.mark.django_db

#: The budget of an item page. The related items go as one query where the database
#: allows a LIMIT inside a UNION (PostgreSQL); elsewhere one per kind of relation (three).
MAX_ITEM_PAGE_QUERIES = 12 if connection.features.supports_slicing_ordering_in_compound else 14


def zh_url(page) -> str:
    with translation.override("zh-hans"):
        return page.url


@pytest.fixture(autouse=True)
def route_cache():
    """The routing tree kept between requests, as served (off by default in tests: their
    local-memory cache outlives each test's database)."""
    cache.clear()
    with override_settings(MHA_ROUTE_CACHE_SECONDS=300, MHA_COLLECTION_CACHE_SECONDS=300):
        yield
    cache.clear()


@pytest.fixture
def tree():
    load_all_vocabularies()
    _, collections = factories.site_tree()
    for c in collections.values():
        c.save_revision().publish()
    original = factories.image_record()
    return collections, original


def page_queries(client, url: str) -> int:
    with override_settings(MHA_PAGE_CACHE_SECONDS=0):
        client.get(url)  # the routing tree and content types, as a warm server has them
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_an_item_page_costs_the_same_queries_however_much_it_shows(client, tree):
    collections, original = tree
    counts = {}
    for n in (1, 20):
        page = factories.rich_item(collections, original, n, f"q{n}")
        body = client.get(zh_url(page)).content.decode()
        for asset in page.assets.all():
            assert f"/picture/{asset.pk}/" in body, "every asset is on the page"
        assert body.count("邻 ") >= min(n, 6), "related items are on the page"
        counts[n] = page_queries(client, zh_url(page))
    assert counts[1] == counts[20], counts
    assert counts[20] <= MAX_ITEM_PAGE_QUERIES, counts


def test_a_collection_page_stays_within_the_budget(client, tree):
    collections, original = tree
    factories.rich_item(collections, original, 20, "c")
    url = zh_url(collections["embroidery"])
    for query in ("", "?page=2", "?motif=butterfly&village=paimo"):
        assert page_queries(client, url + query) <= 12


def test_a_kept_collection_count_follows_publishing(client, tree):
    """The count and periods a collection page keeps between requests are left behind as
    soon as an item is published or unpublished."""
    collections, original = tree
    embroidery = collections["embroidery"]
    url = "/en" + zh_url(embroidery)
    factories.rich_item(collections, original, 2, "k")  # three items
    assert "3 items" in client.get(url).content.decode()
    late = EmbroideryPatternPage(
        title="晚", title_en="Late", slug="late", identifier="LATE", year_from=1950
    )
    late.access_level = "public"
    embroidery.add_child(instance=late)
    late.save_revision().publish()
    body = client.get(url).content.decode()
    assert "4 items" in body and "1950s" in body
    late.unpublish()
    assert "3 items" in client.get(url).content.decode()


def count_queries(client, url: str) -> tuple[str, int]:
    with override_settings(MHA_PAGE_CACHE_SECONDS=0), CaptureQueriesContext(connection) as ctx:
        body = client.get(url).content.decode()
    return body, sum(1 for q in ctx.captured_queries if "COUNT(" in q["sql"].upper())


def test_a_shared_links_added_parameters_ask_the_kept_count(client, tree):
    """A link shared in a chat app comes back with parameters of its own
    (``from=singlemessage``…): the collection's kept count answers it, as it answers the
    plain address; a filter still has a count of its own."""
    collections, original = tree
    factories.rich_item(collections, original, 2, "s")  # three items
    url = "/en" + zh_url(collections["embroidery"])
    body, counted = count_queries(client, url)
    assert "3 items" in body and counted == 1
    body, counted = count_queries(client, url + "?from=singlemessage&isappinstalled=0")
    assert "3 items" in body and counted == 0
    body, counted = count_queries(client, url + "?village=paimo")
    assert 'value="paimo" selected' in body and counted == 1


def related_titles(client, page) -> list[str]:
    body = client.get("/en" + zh_url(page)).content.decode()
    if 'id="related-h"' not in body:
        return []
    section = body.split('id="related-h"')[1].split("</section>")[0]
    return re.findall(r'<span class="item-title">([^<]+)</span>', section)


def test_the_related_items_a_visitor_sees_are_pinned(client, tree):
    """A person's items first, then the motif's, then the village's, each newest first,
    six at most, hidden ones never: the same list as before the lookup was made cheaper."""
    collections, _ = tree
    embroidery = collections["embroidery"]
    village = Place.objects.filter(kind="village").order_by("slug").first()
    other_village = Place.objects.filter(kind="village").order_by("-slug").first()
    butterfly = Motif.objects.get(slug="butterfly")
    dragon = Motif.objects.get(slug="dragon")
    artisan = factories.person(slug="kin-artisan")

    def kin(name, motif, place=None, by=None, access="public", live=True):
        page = EmbroideryPatternPage(
            title=f"亲 {name}",
            title_en=f"Kin {name}",
            slug=f"kin-{name}",
            identifier=f"KIN-{name}",
            access_level=access,
            live=live,
            place=place,
        )
        if by is not None:
            page.people.add(ItemPerson(person=by, role="artisan"))
        page.motifs = [motif]
        embroidery.add_child(instance=page)
        return page

    kin("village-old", dragon, place=village)
    kin("by-hand-1", dragon, place=other_village, by=artisan)
    kin("motif-1", butterfly, place=other_village)
    kin("by-hand-restricted", dragon, by=artisan, access="restricted")
    kin("motif-2", butterfly)
    kin("motif-draft", butterfly, live=False)
    main = kin("main", butterfly, place=village, by=artisan)
    kin("by-hand-2", dragon, by=artisan)
    kin("motif-3", butterfly)
    kin("village-1", dragon, place=village)
    kin("motif-community", butterfly, access="community")
    kin("village-2", dragon, place=village)
    kin("motif-and-village", butterfly, place=village)

    assert related_titles(client, main) == [
        "Kin by-hand-2",
        "Kin by-hand-1",
        "Kin motif-and-village",
        "Kin motif-3",
        "Kin motif-2",
        "Kin motif-1",
    ]


def test_the_kept_routing_tree_follows_publishing(client, tree):
    """A collection renamed, or taken down, shows at once on the next request, though the
    routing tree is kept between requests."""
    collections, original = tree
    item = factories.rich_item(collections, original, 1, "r")
    embroidery = collections["embroidery"]
    assert ">embroidery</a>" in client.get("/en" + zh_url(item)).content.decode()
    embroidery.title_en = "Needlework"
    embroidery.save_revision().publish()
    assert ">Needlework</a>" in client.get("/en" + zh_url(item)).content.decode()
    embroidery.unpublish()
    assert client.get(zh_url(embroidery)).status_code == 404
