"""A caption or subtitle track of an item's recording, in one language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from archive.core.i18n import localized

from .forms import CaptionTrackForm
from .languages import LANGUAGES

#: What a track is, as a bag (``archive.bags``) carries it.
CAPTION_FIELDS = ("language", "variety", "label_zh", "label_en", "kind", "vtt", "position")


class TrackKind(models.TextChoices):
    SUBTITLES = "subtitles", _("Subtitles (a transcript or translation of what is said)")
    CAPTIONS = "captions", _("Captions (also the sounds, for deaf and hard-of-hearing viewers)")


class CaptionTrack(models.Model):
    item = models.ForeignKey(
        "items.ItemPage",
        on_delete=models.CASCADE,
        related_name="caption_tracks",
        verbose_name=_("item"),
    )
    language = models.CharField(_("language"), max_length=20, choices=LANGUAGES)
    variety = models.CharField(
        _("variety"),
        max_length=120,
        blank=True,
        help_text=_("The village variety heard, e.g. 排莫 Paimo (Taijiang)."),
    )
    label_zh = models.CharField(_("label (Chinese)"), max_length=120, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=TrackKind.choices, default=TrackKind.SUBTITLES
    )
    #: The track as WebVTT (an SRT upload is converted: ``conversion.to_webvtt``).
    vtt = models.TextField(_("WebVTT"), editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    base_form_class = CaptionTrackForm
    panels = [
        FieldPanel("item"),
        FieldPanel("language"),
        FieldPanel("variety"),
        FieldPanel("label_zh"),
        FieldPanel("label_en"),
        FieldPanel("kind"),
        FieldPanel("position"),
        FieldPanel("upload"),
    ]

    class Meta:
        ordering = ["item", "position", "pk"]
        verbose_name = _("caption track")
        verbose_name_plural = _("caption tracks")

    def __str__(self) -> str:
        return f"{self.item_id} · {self.language} · {self.label}"

    @property
    def label(self) -> str:
        """What a player's chooser shows: the given label, else the language and variety."""
        given = localized(self, "label")
        if given:
            return given
        name = str(self.get_language_display())
        return f"{name} · {self.variety}" if self.variety else name

    def label_map(self) -> dict[str, list[str]]:
        """The label as a IIIF language map, in each interface language."""
        from django.utils import translation

        out: dict[str, list[str]] = {}
        for tag, lang in (("zh-Hans", "zh-hans"), ("en", "en")):
            with translation.override(lang):
                out[tag] = [self.label]
        return out
