"""Controlled vocabularies.

Curators describe items with terms, not free text, so that 蝴蝶, "butterfly" and the Miao
name all reach the same motif. Every term carries a Chinese label (required), English and
Miao labels, a scope note and an optional broader term, in the manner of SKOS concepts.
Each vocabulary is its own snippet so curators find them by name in the admin.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from archive.core.i18n import localized

#: What Chinese place names end with and people leave off (or add): 排莫 is 排莫村.
PLACE_SUFFIXES = "村寨乡镇县州市"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _joined_pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text)).lower().replace(" ", "")


class TermQuerySet(models.QuerySet):
    def search_labels(self, query: str) -> TermQuerySet:
        """Terms any of whose labels holds every word of ``query``: Chinese (排莫, 排莫村),
        pinyin of the Chinese label (paimo), English, Miao or the slug.

        Matching is by substring on the labels (the admin's choosers and listings), not by
        the search engine: the database engine has no Chinese word breaking, and a
        vocabulary holds hundreds of terms, not millions.
        """
        words = (query or "").split()[:6]
        qs = self
        for word in words:
            match = Q()
            for variant in {word, word.rstrip(PLACE_SUFFIXES) or word}:
                for field in ("label_zh", "label_en", "label_hmn", "slug"):
                    match |= Q(**{f"{field}__icontains": variant})
            if not _CJK.search(word):
                needle = word.lower()
                match |= Q(
                    pk__in=[
                        pk
                        for pk, label in self.model.objects.values_list("pk", "label_zh")
                        if needle in _joined_pinyin(label)
                    ]
                )
            qs = qs.filter(match)
        return qs


class Term(index.Indexed, models.Model):
    """A concept of a controlled vocabulary, labelled in the three languages of the archive."""

    #: Stable identifier used in URLs, facets and the YAML files under ``collections/``.
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    #: Chinese label: every term has one, it is the archive's first language.
    label_zh = models.CharField(_("Chinese label"), max_length=120)
    label_en = models.CharField(_("English label"), max_length=120, blank=True)
    #: Miao label in Hmub (Qiandong) Latin orthography, where known.
    label_hmn = models.CharField(_("Miao label"), max_length=120, blank=True)
    broader = models.ForeignKey(
        "self",
        verbose_name=_("broader term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="narrower",
    )
    note_zh = models.TextField(_("scope note (Chinese)"), blank=True)
    note_en = models.TextField(_("scope note (English)"), blank=True)

    objects = TermQuerySet.as_manager()

    panels = [
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("label_zh"), FieldPanel("label_en"), FieldPanel("label_hmn")]),
        FieldPanel("broader"),
        MultiFieldPanel([FieldPanel("note_zh"), FieldPanel("note_en")], heading=_("Scope note")),
    ]
    search_fields = [
        index.SearchField("label_zh"),
        index.SearchField("label_en"),
        index.SearchField("label_hmn"),
        index.AutocompleteField("label_en"),
        index.FilterField("slug"),
    ]

    class Meta:
        abstract = True
        ordering = ["slug"]

    def __str__(self) -> str:
        return " / ".join(x for x in (self.label_zh, self.label_en) if x)

    @property
    def label(self) -> str:
        """The label in the active language, falling back to Chinese."""
        return localized(self, "label")

    def clean(self) -> None:
        super().clean()
        if not (self.label_zh or "").strip():
            raise ValidationError({"label_zh": _("Every term needs a Chinese label.")})
        node, seen = self.broader, set()
        while node is not None:
            if node.pk == self.pk and self.pk is not None or node.pk in seen:
                raise ValidationError(
                    {"broader": _("A term cannot be broader than itself (a cycle).")}
                )
            seen.add(node.pk)
            node = node.broader

    def ancestors(self) -> list[Term]:
        out, node = [], self.broader
        while node is not None and len(out) < 20:
            out.append(node)
            node = node.broader
        return out


class Motif(Term):
    """A motif of embroidery: butterfly, dragon, fish, whorl… the subjects of the patterns."""

    class Meta(Term.Meta):
        verbose_name = _("motif")
        verbose_name_plural = _("motifs")


class Technique(Term):
    """An embroidery or textile technique: split-thread, braid, counted thread, batik…"""

    class Meta(Term.Meta):
        verbose_name = _("technique")
        verbose_name_plural = _("techniques")


class Material(Term):
    """A material: silk floss, indigo cotton, silver, paper for cut-paper templates…"""

    class Meta(Term.Meta):
        verbose_name = _("material")
        verbose_name_plural = _("materials")


class Garment(Term):
    """A garment or object an embroidery belongs to: festival jacket, baby carrier, apron…"""

    class Meta(Term.Meta):
        verbose_name = _("garment")
        verbose_name_plural = _("garments")


class Dialect(Term):
    """A Miao dialect or local vernacular, from the three dialects down to a village's speech."""

    class Meta(Term.Meta):
        verbose_name = _("dialect")
        verbose_name_plural = _("dialects")


class Genre(Term):
    """A genre of song or music: flying song, drinking song, ancient song, lusheng music…"""

    class Meta(Term.Meta):
        verbose_name = _("genre")
        verbose_name_plural = _("genres")


class Instrument(Term):
    """A musical instrument: lusheng, mangtong, wooden drum, bronze drum, jew's harp…"""

    class Meta(Term.Meta):
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")


class Festival(Term):
    """A festival or occasion a performance belongs to: Miao New Year, Sisters' Meal…"""

    class Meta(Term.Meta):
        verbose_name = _("festival or occasion")
        verbose_name_plural = _("festivals and occasions")


class Place(Term):
    """A place: prefecture, county, township or village, with coordinates for the map."""

    class Kind(models.TextChoices):
        PREFECTURE = "prefecture", _("Prefecture")
        COUNTY = "county", _("County")
        TOWNSHIP = "township", _("Township")
        VILLAGE = "village", _("Village")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VILLAGE)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Decimal degrees, WGS 84, between -90 and 90."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("Decimal degrees, WGS 84, between -180 and 180."),
    )

    panels = [
        *Term.panels[:3],
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        Term.panels[3],
    ]

    class Meta(Term.Meta):
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def clean(self) -> None:
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    def _ancestor_of_kind(self, kind: str) -> Place | None:
        for node in [self, *self.ancestors()]:
            if node.kind == kind:
                return node
        return None

    @property
    def township(self) -> Place | None:
        return self._ancestor_of_kind(self.Kind.TOWNSHIP)

    @property
    def county(self) -> Place | None:
        return self._ancestor_of_kind(self.Kind.COUNTY)


#: Vocabulary name (as in ``collections/vocabularies/<name>.yaml``) → model.
VOCABULARIES: dict[str, type[Term]] = {
    "places": Place,
    "motifs": Motif,
    "techniques": Technique,
    "materials": Material,
    "garments": Garment,
    "dialects": Dialect,
    "genres": Genre,
    "instruments": Instrument,
    "festivals": Festival,
}
