"""What aggregators were told and must be told again: items that left public view."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tombstone(models.Model):
    """An item that was a public OAI-PMH record and no longer is.

    The repository promises ``deletedRecord: persistent``: a harvester that copied a record
    must learn, on its next incremental harvest, that the record is gone (a consent was
    withdrawn, the item was unpublished, expired or narrowed below public). The item itself
    may be deleted later, so the row keeps what the header needs, not a foreign key.
    When the item becomes public again the tombstone is removed and the live record answers.
    """

    class Reason(models.TextChoices):
        UNPUBLISHED = "unpublished", _("unpublished (or consent withdrawn)")
        NARROWED = "narrowed", _("access narrowed below public")
        EXPIRED = "expired", _("expired")
        DELETED = "deleted", _("deleted")

    #: The ``ItemPage`` primary key: the record's order key and how a return is recognised.
    item_id = models.BigIntegerField(_("item"), unique=True)
    #: The accession number, the local part of the OAI identifier.
    identifier = models.CharField(_("identifier"), max_length=40, unique=True)
    #: The collection slug the record was in (its ``setSpec``).
    set_spec = models.CharField(_("set"), max_length=255, blank=True)
    #: When the record left public view: the header's datestamp.
    datestamp = models.DateTimeField(_("datestamp"), db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)

    class Meta:
        verbose_name = _("deleted OAI-PMH record")
        verbose_name_plural = _("deleted OAI-PMH records")
        ordering = ["datestamp", "item_id"]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.get_reason_display()})"
