"""The collection page: the three founding collections (see ``registry``), and any
curators add."""

from __future__ import annotations

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Page
from wagtail.search import index

from archive.access import policy
from archive.core.i18n import localized
from archive.core.pagecache import mark_cacheable
from archive.core.routing import route_to_child, view_restrictions
from archive.core.slugs import PinyinSlugMixin, PinyinSlugPageForm

from .. import registry
from ..listing import KeptCountPaginator, attach_thumbs, filter_collection, kept_for
from .base import ItemPage


class CollectionPage(PinyinSlugMixin, Page):
    """A collection of the archive: the three founding ones, and any curators add."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    title_hmn = models.CharField(_("title (Miao)"), max_length=255, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    cover_asset = models.ForeignKey(
        "assets.MediaAsset",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("title_en"), FieldPanel("title_hmn")]),
        FieldPanel("intro_zh"),
        FieldPanel("intro_en"),
        FieldPanel("cover_asset"),
    ]
    search_fields = Page.search_fields + [index.SearchField("title_en")]
    base_form_class = PinyinSlugPageForm
    parent_page_types = ["portal.HomePage"]
    subpage_types = [c.model for c in registry.COLLECTIONS]

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    @property
    def display_title(self) -> str:
        return localized(self, "title") if self.title_en else self.title

    @property
    def title_zh(self) -> str:
        return self.title

    @property
    def intro(self) -> str:
        return localized(self, "intro")

    def visible_items(self, user) -> models.QuerySet:
        return policy.visible_items(ItemPage.objects.child_of(self), user)

    def cover_item_for(self, user):
        """The item whose first picture stands for the collection, among those ``user`` may
        see: the curator's chosen cover if visible, else the first item."""
        items = policy.visible_items(ItemPage.objects.child_of(self), user)
        if self.cover_asset_id:
            chosen = items.filter(pk=self.cover_asset.item_id).first()
            if chosen is not None:
                return chosen
        return items.order_by("path").first()

    def route(self, request, path_components):
        # A founding collection's items are of its kind: each is asked for as one, with its
        # place and the township and county above it (the page names them), in one query.
        found = registry.by_slug(self.slug)
        return route_to_child(
            self,
            request,
            path_components,
            found.page_class if found else None,
            select_related=ItemPage.PLACE_CHAIN,
        )

    def get_view_restrictions(self):
        return view_restrictions(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        kept = kept_for(self, request.user, request.GET)
        items, filters, problems = filter_collection(
            self.slug, self.visible_items(request.user), request.GET, kept
        )
        items = items.select_related("place").order_by("path")
        page = KeptCountPaginator(items, 24, kept).get_page(request.GET.get("page"))
        page.object_list = attach_thumbs(list(page.object_list), request.user)
        context["items"] = page
        context["filters"] = filters
        context["filter_problems"] = problems
        context["filtered"] = sum(1 for f in filters if f.selected)
        params = QueryDict(mutable=True)
        for f in filters:
            if f.selected:
                params[f.param] = f.selected if isinstance(f.selected, str) else f.selected.slug
        context["filter_query"] = params.urlencode()
        for f in filters:
            rest = params.copy()
            rest.pop(f.param, None)
            f.remove_query = rest.urlencode()
        return context

    def serve(self, request, *args, **kwargs):
        mark_cacheable(request)
        return super().serve(request, *args, **kwargs)
