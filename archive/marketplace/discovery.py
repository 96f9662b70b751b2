"""What machines read of a product: schema.org Product/Offer JSON-LD (priceCurrency CNY),
and the rows of the product feed (CSV and JSON) that e-commerce platforms import."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from archive.core.i18n import localized

from .models import SCHEMA_AVAILABILITY, Availability, Product

CURRENCY = "CNY"
FEED_FIELDS = (
    "id",
    "title",
    "title_en",
    "description",
    "link",
    "image_link",
    "price",
    "availability",
    "brand",
    "artisan",
    "village",
    "motifs",
    "techniques",
    "materials",
    "shop_links",
)


def _labels(terms) -> list[str]:
    return [localized(t, "label") for t in terms]


def product_json_ld(product: Product, request, heritage=()) -> dict:
    """schema.org ``Product`` with an ``Offer`` (none when the price is on request and the
    piece is sold)."""
    url = request.build_absolute_uri(product.get_absolute_url())
    photo = product.photos.first()
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Product",
        "@id": url,
        "url": url,
        "name": product.title,
        "alternateName": [t for t in (product.title_zh, product.title_en, product.title_hmn) if t],
        "description": product.description[:500],
        "sku": product.slug,
        "brand": {"@type": "Brand", "name": product.artisan.name},
        "manufacturer": {"@type": "Person", "name": product.artisan.name},
        "material": _labels(product.materials.all()) or None,
        "keywords": _labels([*product.motifs.all(), *product.techniques.all()]) or None,
        "image": request.build_absolute_uri(photo.url("web")) if photo and photo.web else None,
        "isRelatedTo": [
            {"@type": "CreativeWork", "name": localized(i, "title"), "url": i.full_url}
            for i in heritage
        ]
        or None,
    }
    offer: dict = {
        "@type": "Offer",
        "url": url,
        "priceCurrency": CURRENCY,
        "availability": SCHEMA_AVAILABILITY[product.availability],
        "seller": {"@type": "Person", "name": product.artisan.name},
    }
    if product.price_cny is not None:
        offer["price"] = f"{product.price_cny:.2f}"
    data["offers"] = offer
    return {k: v for k, v in data.items() if v is not None}


def format_price(amount: Decimal | float | None) -> str:
    """A price as Chinese shops write it (``¥1,280.00``), or "price on request"."""
    if amount is None:
        return _("Price on request")
    return f"¥{Decimal(str(amount)):,.2f}"


def price_text(product: Product) -> str:
    return format_price(product.price_cny)


def availability_text(value: str) -> str:
    try:
        return str(Availability(value).label)
    except ValueError:
        return ""


def feed_row(product: Product, request) -> dict:
    photo = product.photos.first()
    village = product.artisan.person.village
    return {
        "id": product.slug,
        "title": product.title_zh,
        "title_en": product.title_en,
        "description": product.description_zh or product.description_en,
        "link": request.build_absolute_uri(product.get_absolute_url()),
        "image_link": request.build_absolute_uri(photo.url("web")) if photo and photo.web else "",
        "price": f"{product.price_cny:.2f} {CURRENCY}" if product.price_cny is not None else "",
        "availability": product.availability,
        "brand": product.cooperative.name_zh if product.cooperative else product.artisan.name,
        "artisan": product.artisan.person.name_zh,
        "village": village.label_zh if village else "",
        "motifs": "|".join(t.slug for t in product.motifs.all()),
        "techniques": "|".join(t.slug for t in product.techniques.all()),
        "materials": "|".join(t.slug for t in product.materials.all()),
        "shop_links": " ".join(link.url for link in product.shop_links.all()),
    }
