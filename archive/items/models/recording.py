"""Dialect recordings: the items of the ``dialects`` collection."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.search import index

from archive.core.i18n import VERNACULAR, localized

from .base import ItemPage, related_text


class RecordingPage(ItemPage):
    """A dialect recording: who speaks, in which vernacular, about what, line by line."""

    dialect = models.ForeignKey(
        "vocabularies.Dialect",
        verbose_name=_("dialect"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic_zh = models.CharField(_("topic (Chinese)"), max_length=255, blank=True)
    topic_en = models.CharField(_("topic (English)"), max_length=255, blank=True)
    #: Filled by the media pipeline from the audio; editable for items without media.
    duration_seconds = models.FloatField(
        _("duration (seconds)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )

    requires_voice_consent = True
    dc_type = "Sound"
    search_fields = ItemPage.search_fields + [
        related_text("dialect", "label", "zh", "en", "hmn"),
        index.SearchField("topic_zh"),
        index.SearchField("topic_en"),
        related_text("cues", "text", "hmn", "zh", "en"),
    ]

    class Meta:
        verbose_name = _("dialect recording")
        verbose_name_plural = _("dialect recordings")

    @classmethod
    def kind_panels(cls) -> list:
        return [
            FieldPanel("dialect"),
            FieldRowPanel([FieldPanel("topic_zh"), FieldPanel("topic_en")]),
            FieldPanel("duration_seconds"),
            InlinePanel("cues", heading=_("Transcript and translations"), label=_("line")),
        ]

    @property
    def topic(self) -> str:
        return localized(self, "topic")

    def subjects(self) -> list:
        return [self.dialect] if self.dialect else []

    def dc_languages(self) -> list[str]:
        return [VERNACULAR, *([str(self.dialect)] if self.dialect else [])]


RecordingPage.edit_handler = RecordingPage.build_edit_handler()
