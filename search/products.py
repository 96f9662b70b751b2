"""Products of the artisan marketplace as search documents, in the same indexes as items.

One search, two kinds: a product document has the shape of an item document (titles,
descriptions, terms with all their labels, place, people, facets, access fields), with
``type`` ``product`` and the product facets ``cooperative``, ``availability`` and ``price``
(a price band; Elasticsearch and OpenSearch also count it with a ``range`` aggregation on
the numeric ``price``). Its id is the product's primary key, negated (``doc_id``), so it
can never collide with an item's page id in any engine.

Only products ``shown()`` (published, the artisan's marketplace consent active) are
indexed; a product that stops being shown is removed in the process that noticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation

from archive.access.models import AccessLevel
from archive.marketplace.models import Product

from .documents import FACETS, _term_entry
from .lessons import LESSON_BASE

PRODUCT_TYPE = "product"
#: Price bands in yuan: (key, lower bound inclusive, upper bound exclusive or None).
PRICE_BANDS: tuple[tuple[str, Decimal, Decimal | None], ...] = (
    ("0-300", Decimal(0), Decimal(300)),
    ("300-1000", Decimal(300), Decimal(1000)),
    ("1000-3000", Decimal(1000), Decimal(3000)),
    ("3000-", Decimal(3000), None),
)
ON_REQUEST = "on-request"


def doc_id(product_pk: int) -> int:
    return -int(product_pk)


def product_pk(document_id: int) -> int | None:
    # At and below -LESSON_BASE the ids are lessons'.
    return -document_id if -LESSON_BASE < document_id < 0 else None


def price_band(price: Decimal | None) -> str:
    if price is None:
        return ON_REQUEST
    for key, low, high in PRICE_BANDS:
        if price >= low and (high is None or price < high):
            return key
    return ON_REQUEST


def shown_products() -> QuerySet:
    return (
        Product.objects.shown()
        .select_related("artisan__person__village__broader", "cooperative__person")
        .prefetch_related("motifs", "techniques", "materials", "photos")
        .order_by("pk")
    )


def build(product: Product) -> dict:
    facets: dict[str, list[str]] = {name: [] for name in FACETS}
    terms: list[dict] = []
    for facet, values in (
        ("motif", product.motifs.all()),
        ("technique", product.techniques.all()),
        ("term", product.materials.all()),
    ):
        for term in values:
            terms.append(_term_entry(facet, term))
            if facet != "term":
                for node in [term, *term.ancestors()]:
                    if node.slug not in facets[facet]:
                        facets[facet].append(node.slug)
    person = product.artisan.person
    place: dict[str, list[str]] = {"zh": [], "en": [], "hmn": []}
    village = person.village
    if village is not None:
        for node in [village, *village.ancestors()]:
            for lang in place:
                if value := getattr(node, f"label_{lang}", ""):
                    place[lang].append(value)
        if village.kind == "village":
            facets["village"].append(village.slug)
    people = [v for v in (person.name_zh, person.name_en, person.name_hmn) if v]
    if product.cooperative_id:
        coop = product.cooperative
        facets["cooperative"] = [coop.slug]
        people += [v for v in (coop.name_zh, coop.name_en) if v]
    facets["type"] = [PRODUCT_TYPE]
    facets["availability"] = [product.availability]
    facets["price"] = [price_band(product.price_cny)]
    photo = next(iter(product.photos.all()), None)
    with translation.override(settings.LANGUAGE_CODE):
        url = product.get_absolute_url()
        thumb = photo.url("thumb") if photo is not None and photo.thumb else ""
    return {
        "id": doc_id(product.pk),
        "identifier": product.slug,
        "url": url,
        "type": PRODUCT_TYPE,
        "collection": "",
        "title_zh": product.title_zh,
        "title_en": product.title_en,
        "title_hmn": product.title_hmn,
        "description_zh": product.description_zh,
        "description_en": product.description_en,
        "description_hmn": "",
        "extra_zh": " ".join(x for x in (product.dimensions, product.time_to_make) if x),
        "extra_en": "",
        "terms": terms,
        "place": place,
        "people": people,
        "tags": [],
        "cues": [],
        "facets": facets,
        "year": None,
        "published": product.created_at.isoformat(),
        # Marketplace material is for everyone, or (without consent) not indexed at all.
        "access_level": AccessLevel.PUBLIC,
        "community_id": None,
        "price": float(product.price_cny) if product.price_cny is not None else None,
        "thumb": thumb,
        "draws_on": sorted(product.draws_on.values_list("pk", flat=True)),
    }


def doc_for(pk: int) -> dict | None:
    product = shown_products().filter(pk=pk).first()
    return build(product) if product is not None else None


def all_docs() -> Iterator[dict]:
    for product in shown_products().iterator(chunk_size=200):
        yield build(product)
