"""The home page: the way into the three founding collections."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from archive.access import policy
from archive.core.i18n import localized


class HomePage(Page):
    """The archive's front door: its collections and a few items to start from."""

    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro_zh"), FieldPanel("intro_en")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["items.CollectionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    @property
    def intro(self) -> str:
        return localized(self, "intro")

    def get_context(self, request, *args, **kwargs):
        from archive.items.listing import attach_thumbs
        from archive.items.models import CollectionPage, ItemPage

        from .home import village_map, ways_in

        context = super().get_context(request, *args, **kwargs)
        collections = list(CollectionPage.objects.child_of(self).live().order_by("path"))
        by_slug = {c.slug: c for c in collections}
        covers = [c.cover_item_for(request.user) for c in collections]
        attach_thumbs([c for c in covers if c is not None], request.user)
        for c, cover in zip(collections, covers, strict=True):
            c.cover = cover.thumb if cover is not None else None
        context["collections"] = collections
        items = policy.visible_items(ItemPage.objects.descendant_of(self), request.user)
        featured = list(items.select_related("place").order_by("-first_published_at", "path")[:6])
        context["featured"] = attach_thumbs(featured, request.user)
        context["ways_in"] = ways_in(self, request.user, by_slug)
        context["map"] = village_map(self, request.user, by_slug)
        return context

    def serve(self, request, *args, **kwargs):
        from .pagecache import mark_cacheable

        mark_cacheable(request)
        return super().serve(request, *args, **kwargs)
