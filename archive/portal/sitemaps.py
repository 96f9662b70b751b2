"""``/sitemap.xml``: the home page, the collections and every public, live item.

Only what an anonymous visitor may see is listed, through the access policy like every
other door; each URL carries its language alternates.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap

from archive.access import policy
from archive.items.models import CollectionPage, ItemPage
from archive.marketplace.models import ArtisanProfile, Cooperative, Product

from .models import HomePage


class _PageSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 20000

    def location(self, page) -> str:
        return page.get_url(None) or page.url

    def lastmod(self, page):
        return page.last_published_at


class SectionSitemap(_PageSitemap):
    priority = 0.8

    def items(self):
        return [*HomePage.objects.live(), *CollectionPage.objects.live().order_by("path")]


class ItemSitemap(_PageSitemap):
    priority = 0.5

    def items(self):
        return (
            policy.visible_items(ItemPage.objects.all(), AnonymousUser())
            .only("id", "path", "url_path", "depth", "last_published_at", "live")
            .order_by("path")
        )


class _MarketSitemap(Sitemap):
    """Marketplace pages: only what ``shown()`` (the marketplace consent rule) admits."""

    i18n = True
    alternates = True
    x_default = True
    priority = 0.4

    def lastmod(self, obj):
        return obj.updated_at


class ProductSitemap(_MarketSitemap):
    def items(self):
        return Product.objects.shown().order_by("pk")


class ArtisanSitemap(_MarketSitemap):
    def items(self):
        return ArtisanProfile.objects.shown().order_by("pk")


class CooperativeSitemap(_MarketSitemap):
    def items(self):
        return Cooperative.objects.shown().order_by("pk")


SITEMAPS = {
    "sections": SectionSitemap,
    "items": ItemSitemap,
    "products": ProductSitemap,
    "artisans": ArtisanSitemap,
    "cooperatives": CooperativeSitemap,
}
