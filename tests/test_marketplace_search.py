"""One search, two kinds: products in the same indexes as items, on every engine (the
database engine, OpenSearch, Elasticsearch): the type facet, product facets with counts,
the price range aggregation, more-like-this both ways, and a withdrawal leaving every
engine at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from archive.access import policy
from archive.people.models import ConsentRecord
from search import engines, products
from search.engines import SearchQuery
from tests import factories
from tests import search_support as support
from tests.marketplace_support import market

pytestmark = pytest.mark.django_db
ENGINES = ["database", "opensearch", "elasticsearch"]


@pytest.fixture(params=ENGINES)
def engine(request, settings):
    engine = support.configure(settings, request.param)
    yield engine
    if engine.name != "database":
        engine.clear()
    engines._cached.cache_clear()


@pytest.fixture
def world(engine):
    data = market()
    support.reindex(engine)
    return data


def _search(engine, user=None, **kw):
    return engine.search(SearchQuery(access=policy.audience(user or AnonymousUser()), **kw))


def _pid(product) -> int:
    return products.doc_id(product.pk)


def test_a_search_finds_patterns_and_products_and_counts_both_kinds(engine, world):
    result = _search(engine, raw="butterfly")
    found = {h.id for h in result.hits}
    assert world["pattern"].pk in found
    assert _pid(world["products"]["sleeve"]) in found
    assert ("product", 1) in result.facets["type"]
    assert ("embroidery", 1) in result.facets["type"]


def test_product_facets_count_motif_technique_village_cooperative_availability(engine, world):
    result = _search(engine, filters={"type": ["product"]})
    assert result.total == 2
    facets = result.facets
    assert dict(facets["motif"]) == {"butterfly": 1, "fish": 1}
    assert dict(facets["technique"]) == {"split-thread": 2}
    assert dict(facets["village"]) == {world["maker"].village.slug: 2}
    assert dict(facets["cooperative"]) == {world["coop"].slug: 2}
    assert dict(facets["availability"]) == {"in_stock": 1, "made_to_order": 1}


def test_price_ranges_are_counted_and_filter(engine, world):
    result = _search(engine, filters={"type": ["product"]})
    assert dict(result.facets["price"]) == {"300-1000": 1, "on-request": 1}
    cheap = _search(engine, filters={"price": ["300-1000"]})
    assert [h.id for h in cheap.hits] == [_pid(world["products"]["sleeve"])]


def test_filtering_by_availability_leaves_the_items_out(engine, world):
    result = _search(engine, raw="butterfly", filters={"availability": ["in_stock"]})
    assert [h.id for h in result.hits] == [_pid(world["products"]["sleeve"])]


def test_more_like_this_from_a_pattern_finds_the_products_that_share_it(engine, world):
    found = engine.more_like_this(world["pattern"].pk, True, policy.EVERYONE)
    ids = [h.id for h in found]
    sleeve, collar = world["products"]["sleeve"], world["products"]["collar"]
    # The sleeve shares the motif and the technique; the collar only the technique.
    assert ids == [_pid(sleeve), _pid(collar)]


def test_more_like_this_from_a_product_finds_the_patterns_behind_it(engine, world):
    found = engine.more_like_this(_pid(world["products"]["sleeve"]), False, policy.EVERYONE)
    assert [h.id for h in found] == [world["pattern"].pk]


def test_more_like_this_shows_no_item_the_visitor_may_not_see(engine, world):
    world["pattern"].access_level = "registered"
    world["pattern"].save()
    support.reindex(engine)
    sleeve = _pid(world["products"]["sleeve"])
    assert engine.more_like_this(sleeve, False, policy.EVERYONE) == []
    member = policy.audience(factories.user())
    assert [h.id for h in engine.more_like_this(sleeve, False, member)] == [world["pattern"].pk]


def test_related_api_answers_both_ways(client, engine, world):
    body = client.get("/api/v1/search/related", {"item": world["pattern"].pk}).json()
    assert [r["type"] for r in body["results"]] == ["product", "product"]
    slug = world["products"]["sleeve"].slug
    body = client.get("/api/v1/search/related", {"product": slug}).json()
    assert [r["identifier"] for r in body["results"]] == [world["pattern"].identifier]


@pytest.mark.parametrize("role", ["anonymous", "registered", "curator"])
def test_a_withdrawal_takes_every_product_out_of_search_at_once(
    engine, world, role, client, django_capture_on_commit_callbacks
):
    user = {
        "anonymous": None,
        "registered": factories.user(),
        "curator": factories.user(groups=("Curators",), is_staff=True),
    }[role]
    if user is not None:
        client.force_login(user)

    def product_hits():
        body = client.get("/api/v1/search", {"q": "绣品"}).json()
        return [r for r in body["results"] if r["type"] == "product"]

    assert len(product_hits()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        ConsentRecord.objects.get(person=world["maker"], scope="commercial").withdraw(
            timezone.localdate()
        )
    assert product_hits() == []
    assert engine.more_like_this(world["pattern"].pk, True, policy.CURATORS) == []


def test_a_product_hit_shows_its_price_in_yuan_and_its_availability(engine, world, client):
    page = client.get(
        "/search/", {"type": "product"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert '<span class="price">¥680.00</span> · 现货' in page
    assert '<span class="price">价格面议</span> · 接受定制' in page
    english = client.get("/en/search/", {"q": "collar"}).content.decode()
    assert '<span class="price">Price on request</span> · Made to order' in english
    hits = client.get("/api/v1/search", {"type": "product"}).json()["results"]
    offers = {h["identifier"]: h["offer"] for h in hits}
    assert offers[world["products"]["sleeve"].slug] == {
        "price": {"amount": "680.00", "currency": "CNY", "on_request": False},
        "availability": "in_stock",
    }
    assert offers[world["products"]["collar"].slug]["price"]["on_request"] is True
    items = client.get("/api/v1/search", {"q": "butterfly", "type": "embroidery"}).json()
    assert items["results"] and all(h["offer"] is None for h in items["results"])
