"""Songs, lusheng tunes and filmed performances: the items of the ``folk-music`` collection."""

from __future__ import annotations

from django import forms
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.search import index

from archive.core.i18n import localized

from .base import ItemPage, related_text


class MusicPiecePage(ItemPage):
    """A song, a lusheng tune or a filmed performance: genre, performers, instruments, occasion."""

    genre = models.ForeignKey(
        "vocabularies.Genre",
        verbose_name=_("genre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    instruments = ParentalManyToManyField(
        "vocabularies.Instrument", blank=True, verbose_name=_("instruments")
    )
    festival = models.ForeignKey(
        "vocabularies.Festival",
        verbose_name=_("festival or occasion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lyrics_zh = models.TextField(_("lyrics (Chinese)"), blank=True)
    lyrics_en = models.TextField(_("lyrics (English)"), blank=True)
    duration_seconds = models.FloatField(
        _("duration (seconds)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )

    requires_voice_consent = True
    dc_type = "Sound"
    search_fields = ItemPage.search_fields + [
        related_text("genre", "label", "zh", "en", "hmn"),
        related_text("instruments", "label", "zh", "en"),
        index.SearchField("lyrics_zh"),
        index.SearchField("lyrics_en"),
    ]

    class Meta:
        verbose_name = _("music piece or performance")
        verbose_name_plural = _("music pieces and performances")

    @classmethod
    def kind_panels(cls) -> list:
        return [
            FieldPanel("genre"),
            FieldPanel("instruments", widget=forms.CheckboxSelectMultiple),
            FieldPanel("festival"),
            FieldPanel("lyrics_zh"),
            FieldPanel("lyrics_en"),
            FieldPanel("duration_seconds"),
            InlinePanel("cues", heading=_("Timed lyrics and translations"), label=_("line")),
        ]

    @property
    def lyrics(self) -> str:
        return localized(self, "lyrics")

    def subjects(self) -> list:
        return [t for t in (self.genre, self.festival) if t] + list(self.instruments.all())


MusicPiecePage.edit_handler = MusicPiecePage.build_edit_handler()
