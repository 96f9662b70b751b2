"""``/api/v1/products``: the artisan marketplace's products, as ``shown()`` (published, the
artisan's marketplace consent active) admits them; the heritage items each draws on are
those the caller may see (the access policy)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router

from archive.access import policy
from archive.marketplace.models import Product

from . import schemas
from .views import NOT_MODIFIED, conditional_json

router = Router(tags=["marketplace"])


def _product(request: HttpRequest, product: Product) -> dict:
    items = policy.visible_items(product.draws_on.all(), request.user).order_by("pk")
    return {
        "slug": product.slug,
        "url": request.build_absolute_uri(product.get_absolute_url()),
        "title": {"zh": product.title_zh, "en": product.title_en, "hmn": product.title_hmn},
        "artisan": {
            "name": product.artisan.person.name_zh,
            "url": request.build_absolute_uri(product.artisan.get_absolute_url()),
        },
        "cooperative": product.cooperative.slug if product.cooperative_id else None,
        "price": {
            "amount": f"{product.price_cny:.2f}" if product.price_cny is not None else None,
            "currency": "CNY",
            "on_request": product.price_cny is None,
        },
        "availability": product.availability,
        "motifs": [t.slug for t in product.motifs.all()],
        "techniques": [t.slug for t in product.techniques.all()],
        "materials": [t.slug for t in product.materials.all()],
        "dimensions": product.dimensions,
        "time_to_make": product.time_to_make,
        "draws_on": [{"identifier": i.identifier, "url": i.full_url} for i in items],
        "shops": [{"kind": s.kind, "url": s.url} for s in product.shop_links.all()],
    }


def _products():
    return Product.objects.shown().select_related("artisan__person", "cooperative")


@router.get("/products", response={200: dict, **NOT_MODIFIED}, summary="Marketplace products")
def products(request: HttpRequest):
    found = _products().prefetch_related("motifs", "techniques", "materials", "shop_links")
    return conditional_json(request, {"products": [_product(request, p) for p in found]})


@router.get(
    "/products/{slug}",
    response={200: dict, **NOT_MODIFIED, 404: schemas.Problem},
    summary="One product",
)
def product(request: HttpRequest, slug: str):
    found = _products().filter(slug=slug).first()
    if found is None:
        raise Http404
    return conditional_json(request, _product(request, found))
