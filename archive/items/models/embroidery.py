"""Embroidery patterns: the items of the ``embroidery`` collection."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.search import index

from archive.core.i18n import localized

from .base import RELATED_CANDIDATES, ItemPage, related_text


class EmbroideryPatternPage(ItemPage):
    """An embroidery pattern: the motif, how it is stitched, where it sits, what it means."""

    motifs = ParentalManyToManyField("vocabularies.Motif", blank=True, verbose_name=_("motifs"))
    techniques = ParentalManyToManyField(
        "vocabularies.Technique", blank=True, verbose_name=_("techniques")
    )
    materials = ParentalManyToManyField(
        "vocabularies.Material", blank=True, verbose_name=_("materials")
    )
    garment = models.ForeignKey(
        "vocabularies.Garment",
        verbose_name=_("garment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    placement_zh = models.CharField(
        _("placement on the garment (Chinese)"), max_length=120, blank=True
    )
    placement_en = models.CharField(
        _("placement on the garment (English)"), max_length=120, blank=True
    )
    colours_zh = models.CharField(_("colours (Chinese)"), max_length=255, blank=True)
    colours_en = models.CharField(_("colours (English)"), max_length=255, blank=True)
    width_cm = models.DecimalField(
        _("width (cm)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(10000)],
    )
    height_cm = models.DecimalField(
        _("height (cm)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(10000)],
    )
    meaning_zh = models.TextField(_("meaning (Chinese)"), blank=True)
    meaning_en = models.TextField(_("meaning (English)"), blank=True)
    story_zh = models.TextField(_("the story told about it (Chinese)"), blank=True)
    story_en = models.TextField(_("the story told about it (English)"), blank=True)

    dc_type = "PhysicalObject"
    search_fields = ItemPage.search_fields + [
        related_text("motifs", "label", "zh", "en", "hmn"),
        related_text("techniques", "label", "zh", "en"),
        index.SearchField("meaning_zh"),
        index.SearchField("meaning_en"),
        index.SearchField("story_zh"),
        index.SearchField("story_en"),
    ]

    class Meta:
        verbose_name = _("embroidery pattern")
        verbose_name_plural = _("embroidery patterns")

    @classmethod
    def kind_panels(cls) -> list:
        return [
            FieldPanel("motifs", widget=forms.CheckboxSelectMultiple),
            FieldPanel("techniques", widget=forms.CheckboxSelectMultiple),
            FieldPanel("materials", widget=forms.CheckboxSelectMultiple),
            FieldPanel("garment"),
            FieldRowPanel([FieldPanel("placement_zh"), FieldPanel("placement_en")]),
            FieldRowPanel([FieldPanel("colours_zh"), FieldPanel("colours_en")]),
            FieldRowPanel([FieldPanel("width_cm"), FieldPanel("height_cm")]),
            FieldPanel("meaning_zh"),
            FieldPanel("meaning_en"),
            FieldPanel("story_zh"),
            FieldPanel("story_en"),
        ]

    def subjects(self) -> list:
        return [*self.motifs.all(), *self.techniques.all()]

    # The sentence, the fields, the JSON-LD and the marketplace block all read them.
    page_terms = ("motifs", "techniques", "materials")

    def kind_related_filters(self) -> list[Q]:
        """Patterns sharing a motif with this one (the newest ``RELATED_CANDIDATES`` of
        them, read from the index on (motif, pattern) that migration 0004 adds)."""
        motif_ids = [m.pk for m in self.motifs.all()]
        if not motif_ids:
            return []
        through = EmbroideryPatternPage.motifs.through
        return [
            Q(
                pk__in=through.objects.filter(motif_id__in=motif_ids)
                .order_by("-embroiderypatternpage_id")
                .values("embroiderypatternpage_id")[:RELATED_CANDIDATES]
            )
        ]

    @property
    def placement(self) -> str:
        return localized(self, "placement")

    @property
    def colours(self) -> str:
        return localized(self, "colours")

    @property
    def meaning(self) -> str:
        return localized(self, "meaning")

    @property
    def story(self) -> str:
        return localized(self, "story")


EmbroideryPatternPage.edit_handler = EmbroideryPatternPage.build_edit_handler()
