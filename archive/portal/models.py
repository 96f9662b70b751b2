"""The home page: the way into the three founding collections."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from archive.core.i18n import localized
from archive.core.pagecache import mark_cacheable
from archive.core.routing import route_to_child, view_restrictions

from .home import home_context


class HomePage(Page):
    """The archive's front door: its collections and a few items to start from.

    Moved here from ``core`` (whose table and content type it keeps: see migration
    ``portal.0001``) so that ``core`` imports nothing above it.
    """

    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro_zh"), FieldPanel("intro_en")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["items.CollectionPage"]
    max_count = 1

    class Meta:
        db_table = "core_homepage"
        verbose_name = _("home page")

    @property
    def intro(self) -> str:
        return localized(self, "intro")

    def route(self, request, path_components):
        # Its children are collections: each asked for as one, in one query.
        from archive.items.models import CollectionPage

        return route_to_child(self, request, path_components, CollectionPage)

    def get_view_restrictions(self):
        return view_restrictions(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(self, request.user))
        return context

    def serve(self, request, *args, **kwargs):
        mark_cacheable(request)
        return super().serve(request, *args, **kwargs)
