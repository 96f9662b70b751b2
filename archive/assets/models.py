"""Originals, the assets that put them on items, and the derivatives made from them."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.search import index

from archive.access.models import AccessLevel
from archive.access.policy import VIEW_RESTRICTED_PERM
from archive.core.i18n import localized

from .panels import CuratorFieldPanel


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")


class Original(models.Model):
    """An uploaded file exactly as received: stored once, by checksum, never modified."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to="originals/", max_length=255, editable=False)
    size = models.BigIntegerField(_("size in bytes"), editable=False)
    #: The name it was uploaded under, made safe for display; never used as a path.
    original_filename = models.CharField(_("uploaded as"), max_length=255, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=MediaKind.choices, editable=False)
    #: What ffprobe / libvips found: dimensions, duration, codecs, EXIF…
    probe = models.JSONField(_("technical metadata"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    #: The last fixity audit: when, and whether the stored bytes still matched.
    last_fixity_check = models.DateTimeField(null=True, blank=True, editable=False)
    fixity_ok = models.BooleanField(null=True, editable=False)

    class Meta:
        verbose_name = _("original file")
        verbose_name_plural = _("original files")

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.sha256[:12]})"


class AssetStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class MediaAsset(index.Indexed, models.Model):
    """A media file shown on an item, with its own caption and access level.

    Not a page child (``ParentalKey``): the pipeline updates status and derivatives in the
    background, and a page revision must never write stale copies of those back.
    """

    item = models.ForeignKey(
        "items.ItemPage", verbose_name=_("item"), on_delete=models.CASCADE, related_name="assets"
    )
    original = models.ForeignKey(
        Original, verbose_name=_("original"), on_delete=models.PROTECT, related_name="assets"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    caption_zh = models.CharField(_("caption (Chinese)"), max_length=255, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=255, blank=True)
    access_level = models.CharField(
        _("access level"),
        max_length=20,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
        help_text=_("Seen only by those who may also see the item."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AssetStatus.choices, default=AssetStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    #: A curator-readable reason when processing failed.
    error = models.TextField(_("error"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    #: Moving an asset or widening its level changes what is live, so only curators (who
    #: publish) may; contributors see both read-only and the form drops them server-side.
    panels = [
        *CuratorFieldPanel.pair("item", VIEW_RESTRICTED_PERM),
        FieldRowPanel([FieldPanel("caption_zh"), FieldPanel("caption_en")]),
        *CuratorFieldPanel.pair("access_level", VIEW_RESTRICTED_PERM),
        FieldPanel("position"),
    ]
    search_fields = [index.SearchField("caption_zh"), index.SearchField("caption_en")]

    class Meta:
        verbose_name = _("media asset")
        verbose_name_plural = _("media assets")
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.item.title} · {self.original.original_filename}"

    @property
    def kind(self) -> str:
        return self.original.kind

    @property
    def caption(self) -> str:
        return localized(self, "caption")

    def derivative(self, name: str) -> Derivative | None:
        for d in self.derivatives.all():  # prefetched on listing pages
            if d.name == name:
                return d
        return None

    def url(self, name: str) -> str:
        return reverse("asset-file", args=[self.pk, name])


class Derivative(models.Model):
    """A file made from an original for the web: a size, a codec, a waveform, a poster."""

    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="derivatives")
    #: The spec's name (``specs.py``): ``thumb``, ``web-webp``, ``opus``, ``peaks``…
    name = models.CharField(max_length=40)
    file = models.FileField(upload_to="derivatives/", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "name"], name="unique_derivative_name")
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}/{self.name}"
