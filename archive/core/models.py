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
        from archive.items.models import CollectionPage, ItemPage

        context = super().get_context(request, *args, **kwargs)
        collections = CollectionPage.objects.child_of(self).live().order_by("path")
        context["collections"] = collections
        items = policy.visible_items(ItemPage.objects.descendant_of(self), request.user)
        context["featured"] = items.specific().order_by("-first_published_at", "path")[:6]
        return context
