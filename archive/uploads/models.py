"""An upload under way: bytes received so far, kept apart from the archive until complete.

A 1 GB field recording sent over a village link that drops must resume where it stopped.
Its bytes are appended to a staging file outside storage (``MHA_UPLOAD_STAGING_DIR``);
only when the last byte has arrived is the whole file handed to ``ingest``, which sniffs,
probes and refuses it as any upload, and stores it as an original. Until then nothing of it
is an ``Original`` or a ``MediaAsset``: half a file is never visible media.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResumableUpload(models.Model):
    class Status(models.TextChoices):
        RECEIVING = "receiving", _("receiving")
        STORED = "stored", _("stored")
        REFUSED = "refused", _("refused")

    #: The upload's address (``/admin/uploads/tus/<id>``): unguessable, known to its sender.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("items.ItemPage", on_delete=models.CASCADE, related_name="+")
    access_level = models.CharField(_("access level"), max_length=16)
    filename = models.CharField(_("file name"), max_length=200)
    #: Total size announced by the sender (tus ``Upload-Length``), within MHA_MAX_UPLOAD_BYTES.
    length = models.BigIntegerField(_("size"))
    #: SHA-256 the sender says the whole file has (optional); checked when complete.
    expected_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVING)
    error = models.TextField(blank=True)
    #: The asset made from the complete file, once stored.
    asset = models.ForeignKey(
        "assets.MediaAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resumable upload")
        verbose_name_plural = _("resumable uploads")

    def __str__(self) -> str:
        return self.filename

    @property
    def staging_path(self) -> Path:
        return Path(settings.MHA_UPLOAD_STAGING_DIR) / f"{self.id}.part"

    @property
    def offset(self) -> int:
        """Bytes received and kept: the staging file is the one truth, even after a crash."""
        try:
            return self.staging_path.stat().st_size
        except FileNotFoundError:
            return self.length if self.status != self.Status.RECEIVING else 0
