"""``{% made_today_by page %}``: on an item page, the artisans and products that work the
item's motifs or techniques today (shown ones only), and the products that name it."""

from __future__ import annotations

from django import template
from django.db.models import Q

from archive.marketplace.discovery import price_text
from archive.marketplace.models import ArtisanProfile, Product

register = template.Library()
LIMIT = 6


def _vocabulary_ids(item) -> tuple[list[int], list[int]]:
    # ``.all()``: the item page has them prefetched already (``ItemPage.page_prefetches``).
    item = item.specific
    motifs = [t.pk for t in item.motifs.all()] if hasattr(item, "motifs") else []
    techniques = [t.pk for t in item.techniques.all()] if hasattr(item, "techniques") else []
    return motifs, techniques


def _tagged(model, field: str, ids) -> Q:
    """``pk`` among those of ``model`` whose many-to-many ``field`` holds one of ``ids``: a
    semi-join on the through table, so the rows need no ``DISTINCT`` (a join would)."""
    relation = model._meta.get_field(field)
    return Q(
        pk__in=relation.remote_field.through.objects.filter(
            **{f"{relation.m2m_reverse_field_name()}__in": ids}
        ).values(relation.m2m_field_name())
    )


def made_today(item) -> dict:
    motifs, techniques = _vocabulary_ids(item)
    match = (
        _tagged(Product, "draws_on", [item.pk])
        | _tagged(Product, "motifs", motifs)
        | _tagged(Product, "techniques", techniques)
    )
    products = list(
        Product.objects.shown()
        .filter(match)
        .select_related("artisan__person")
        .prefetch_related("photos")
        .order_by("-created_at")[:LIMIT]
    )
    artisans = list(
        ArtisanProfile.objects.shown()
        .filter(
            _tagged(ArtisanProfile, "motifs", motifs)
            | _tagged(ArtisanProfile, "techniques", techniques)
            | Q(pk__in={p.artisan_id for p in products})
        )
        .select_related("person__village")[:LIMIT]
    )
    return {"products": products, "artisans": artisans}


@register.inclusion_tag("marketplace/includes/made_today_by.html", takes_context=True)
def made_today_by(context, item):
    return {**made_today(item), "lowbw": context.get("lowbw")}


@register.simple_tag
def shown_profiles(credits) -> dict[int, str]:
    """Of the people credited on an item, those with a shown artisan profile: person id →
    profile address (one query, whatever the number of credits)."""
    ids = {c.person_id for c in credits}
    if not ids:
        return {}
    return {
        p.person_id: p.get_absolute_url()
        for p in ArtisanProfile.objects.shown().filter(person_id__in=ids).only("person", "slug")
    }


@register.filter
def lookup(mapping: dict, key) -> str:
    return mapping.get(key, "")


@register.filter
def price(product) -> str:
    return price_text(product)
