"""A term's pronunciation in Miao, recorded by a speaker (a ``people.Person``).

The recording is checked by the media pipeline and kept once by checksum as an
``assets.Original`` (as marketplace photos are); a file that is not a sound recording is
refused with the reason. It is heard only while the speaker's public-web consent stands:
``shown()`` asks the access policy.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from archive.access import policy
from archive.marketplace.originals import adopt_upload, is_fresh_upload


class PronunciationQuerySet(models.QuerySet):
    def shown(self) -> PronunciationQuerySet:
        return policy.audible_pronunciations(self)

    def of_term(self, term) -> PronunciationQuerySet:
        field = TERM_FIELDS.get(type(term).__name__)
        if field is None or term.pk is None:
            return self.none()
        return self.filter(**{field: term})

    def first_of_terms(self, terms) -> dict[tuple[str, int], Pronunciation]:
        """The first pronunciation (by pk, as ``of_term(term).first()``) of each of
        ``terms``, keyed by :func:`term_key`: one query however many terms."""
        q = models.Q()
        for field in TERM_FIELDS.values():
            ids = [k[1] for k in map(term_key, terms) if k and k[0] == field]
            if ids:
                q |= models.Q(**{f"{field}__in": ids})
        found: dict[tuple[str, int], Pronunciation] = {}
        if not q:
            return found
        for pron in self.filter(q).order_by("pk"):
            found.setdefault(term_key(pron.term), pron)
        return found


def term_key(term) -> tuple[str, int] | None:
    """``(field, pk)`` naming a term a pronunciation may belong to, or None."""
    field = TERM_FIELDS.get(type(term).__name__)
    return (field, term.pk) if field and term is not None and term.pk else None


#: Term models a pronunciation may belong to, by class name: field on ``Pronunciation``.
TERM_FIELDS = {"Motif": "motif", "Technique": "technique"}


class Pronunciation(models.Model):
    motif = models.ForeignKey(
        "vocabularies.Motif",
        verbose_name=_("motif"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pronunciations",
    )
    technique = models.ForeignKey(
        "vocabularies.Technique",
        verbose_name=_("technique"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pronunciations",
    )
    speaker = models.ForeignKey(
        "people.Person",
        verbose_name=_("speaker"),
        on_delete=models.PROTECT,
        related_name="pronunciations",
        help_text=_("Heard on the site only while their public-web consent stands."),
    )
    upload = models.FileField(
        _("recording (audio file)"), upload_to="pronunciations/uploads/", blank=True
    )
    audio = models.ForeignKey(
        "assets.Original",
        verbose_name=_("recording"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PronunciationQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("motif"), FieldPanel("technique")]),
        FieldPanel("speaker"),
        FieldPanel("upload"),
    ]

    class Meta:
        verbose_name = _("pronunciation")
        verbose_name_plural = _("pronunciations")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.term} · {self.speaker}"

    def save(self, *args, **kwargs) -> None:
        if is_fresh_upload(self.upload):
            self.clean()  # a save without a form (a script, the shell) checks it too
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if bool(self.motif_id) == bool(self.technique_id):
            raise ValidationError(_("Choose exactly one term: a motif or a technique."))
        if is_fresh_upload(self.upload):
            self.audio = adopt_upload(
                self.upload,
                "upload",
                kind="audio",
                refusal=_("A pronunciation must be a sound recording."),
            )
            self.upload = ""  # stored as an original; the upload itself is not kept
        if self.audio_id is None:
            raise ValidationError({"upload": _("Add the recording.")})

    @property
    def term(self):
        return self.motif or self.technique

    def audio_url(self) -> str:
        return reverse("pronunciations:audio", args=[self.pk])
