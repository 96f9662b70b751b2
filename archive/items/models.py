"""Collections and heritage items.

Reads top-down as the domain: the people on an item and its timed transcript cues, then the
shared descriptive core every item has (mapped to the 15 Dublin Core elements), then the three
kinds of item, then the collection page that holds them.

``ItemPage`` is a concrete (multi-table) base so the access policy, listings and search can
filter every kind of item with one query on one table.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.models import Orderable, Page
from wagtail.search import index

from archive.access import policy
from archive.access.models import LICENCE_URIS, AccessLevel, Licence, TKLabel
from archive.core.fields import ChoiceListField
from archive.core.i18n import language_map, localized

from .panels import MediaStatusPanel


class Role(models.TextChoices):
    ARTISAN = "artisan", _("Artisan")
    PERFORMER = "performer", _("Performer")
    SPEAKER = "speaker", _("Speaker")
    COLLECTOR = "collector", _("Collector")
    RECORDER = "recorder", _("Recorded by")
    TRANSCRIBER = "transcriber", _("Transcriber")
    TRANSLATOR = "translator", _("Translator")


#: Roles whose bearers appear in the material (their hands, voice or face), and so must have
#: consented before it is shown to the public.
ROLES_NEEDING_CONSENT = {Role.ARTISAN, Role.PERFORMER, Role.SPEAKER}
#: Roles that make someone a Dublin Core ``creator``; the others are ``contributor``.
CREATOR_ROLES = {Role.ARTISAN, Role.PERFORMER, Role.SPEAKER}


class ItemPerson(Orderable):
    """A person (or group) and the part they played in an item."""

    item = ParentalKey("items.ItemPage", on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    panels = [FieldRowPanel([FieldPanel("person"), FieldPanel("role")])]

    class Meta(Orderable.Meta):
        verbose_name = _("person on the item")


class TranscriptCue(Orderable):
    """One timed line of a transcript: what was said or sung, with its translations.

    Cues are what makes a search hit inside a recording name the second, and what the
    player highlights as it plays; they export as WebVTT.
    """

    item = ParentalKey("items.ItemPage", on_delete=models.CASCADE, related_name="cues")
    start = models.DecimalField(
        _("start (seconds)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    end = models.DecimalField(
        _("end (seconds)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    text_hmn = models.TextField(_("Miao (as spoken)"), blank=True)
    text_zh = models.TextField(_("Chinese"), blank=True)
    text_en = models.TextField(_("English"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldPanel("text_hmn"),
        FieldPanel("text_zh"),
        FieldPanel("text_en"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("transcript line")

    def clean(self) -> None:
        super().clean()
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": _("A line must end after it starts.")})
        if not (self.text_hmn or self.text_zh or self.text_en):
            raise ValidationError(_("A transcript line needs text in at least one language."))


class ItemTag(TaggedItemBase):
    content_object = ParentalKey(
        "items.ItemPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ItemPageForm(WagtailAdminPageForm):
    """Refuses, with the reason, to publish or submit public material lacking consent.

    The model repeats the check for every other path to ``live`` (see ``ItemPage.clean``);
    this form gives curators the message beside the field instead of an error page.
    """

    PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")

    def clean(self):
        cleaned = super().clean()
        if not any(self.data.get(a) for a in self.PUBLISHING_ACTIONS):
            return cleaned
        if cleaned.get("access_level") != AccessLevel.PUBLIC:
            return cleaned
        people = []
        formset = self.formsets.get("people")
        if formset is not None and formset.is_valid():
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None) or {}
                if data and not data.get("DELETE") and data.get("person"):
                    people.append((data["person"], data.get("role")))
        problems = consent_problems(self.instance, people)
        if problems:
            self.add_error("access_level", ValidationError(problems))
        return cleaned


def consent_problems(item: ItemPage, people: list[tuple]) -> list[str]:
    """Why ``item`` may not be shown to the public, given ``(person, role)`` pairs."""
    from archive.people.models import ConsentRecord

    problems: list[str] = []
    consenting = 0
    for person, role in people:
        if role not in ROLES_NEEDING_CONSENT:
            continue
        ok = (
            ConsentRecord.objects.active()
            .covering(item)
            .filter(person=person, scope=ConsentRecord.Scope.PUBLIC_WEB)
        )
        if ok.exists():
            consenting += 1
        else:
            problems.append(
                _(
                    "%(person)s (%(role)s) has no active public-web consent record covering "
                    "this item: record their consent, or choose a narrower access level."
                )
                % {"person": person, "role": Role(role).label}
            )
    if item.requires_voice_consent and not people_with_roles(people, ROLES_NEEDING_CONSENT):
        problems.append(
            _(
                "A public recording must name its speakers or performers and hold their "
                "public-web consent; none is named."
            )
        )
    return problems


def people_with_roles(people: list[tuple], roles: set[str]) -> list:
    return [p for p, r in people if r in roles]


class ItemPage(Page):
    """The descriptive core every heritage item shares, whatever its kind.

    Titles and descriptions are stored once per content language (Chinese, English, Miao);
    ``Page.title`` is the Chinese title. ``dublin_core()`` maps the fields to the 15 elements.
    """

    #: Accession number: the archive's stable identifier, printed on labels and citations.
    identifier = models.CharField(
        _("identifier"), max_length=40, unique=True, help_text=_("e.g. MHA-EMB-0001")
    )
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    title_hmn = models.CharField(_("title (Miao)"), max_length=255, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_hmn = models.TextField(_("description (Miao)"), blank=True)

    #: The period as people say it ("late Qing"), with years for sorting and facets.
    date_text_zh = models.CharField(_("date or period (Chinese)"), max_length=120, blank=True)
    date_text_en = models.CharField(_("date or period (English)"), max_length=120, blank=True)
    year_from = models.SmallIntegerField(
        _("from year"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    year_to = models.SmallIntegerField(
        _("to year"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    place = models.ForeignKey(
        "vocabularies.Place",
        verbose_name=_("village or place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    #: The source community, whose members may see community-level material.
    community = models.ForeignKey(
        "people.Person",
        verbose_name=_("source community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_items",
        limit_choices_to={"kind": "community"},
    )
    source = models.CharField(
        _("source"), max_length=255, blank=True, help_text=_("Field collection, donor, archive.")
    )

    access_level = models.CharField(
        _("access level"),
        max_length=20,
        choices=AccessLevel.choices,
        default=AccessLevel.RESTRICTED,
        db_index=True,
        help_text=_("New items start restricted; widen access once consent is recorded."),
    )
    licence = models.CharField(
        _("licence"), max_length=30, choices=Licence.choices, default=Licence.CC_BY_NC
    )
    tk_labels = ChoiceListField(_("Traditional Knowledge labels"), item_choices=TKLabel.choices)
    rights_holder = models.CharField(_("rights holder"), max_length=255, blank=True)
    attribution_zh = models.CharField(_("attribution (Chinese)"), max_length=255, blank=True)
    attribution_en = models.CharField(_("attribution (English)"), max_length=255, blank=True)

    tags = ClusterTaggableManager(through=ItemTag, blank=True, verbose_name=_("free tags"))

    #: Whether publishing publicly needs a named, consenting voice (recordings, music).
    requires_voice_consent = False
    #: Dublin Core ``type`` (DCMI Type Vocabulary).
    dc_type = "PhysicalObject"

    base_form_class = ItemPageForm
    is_creatable = False
    parent_page_types = ["items.CollectionPage"]
    subpage_types: list[str] = []

    core_panels = [
        FieldPanel("title", heading=_("Title (Chinese)")),
        FieldRowPanel([FieldPanel("title_en"), FieldPanel("title_hmn")]),
        FieldPanel("identifier"),
        FieldPanel("description_zh"),
        FieldPanel("description_en"),
        FieldPanel("description_hmn"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("date_text_zh"), FieldPanel("date_text_en")]),
                FieldRowPanel([FieldPanel("year_from"), FieldPanel("year_to")]),
            ],
            heading=_("Date"),
        ),
        FieldRowPanel([FieldPanel("place"), FieldPanel("community")]),
        FieldPanel("source"),
        InlinePanel("people", heading=_("People"), label=_("person")),
        FieldPanel("tags"),
    ]
    rights_panels = [
        FieldPanel("access_level"),
        FieldPanel("licence"),
        FieldPanel("tk_labels"),
        FieldPanel("rights_holder"),
        FieldRowPanel([FieldPanel("attribution_zh"), FieldPanel("attribution_en")]),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("title_en"),
        index.SearchField("title_hmn"),
        index.SearchField("description_zh"),
        index.SearchField("description_en"),
        index.SearchField("identifier"),
        index.FilterField("access_level"),
        index.FilterField("community_id"),
        index.RelatedFields(
            "place", [index.SearchField("label_zh"), index.SearchField("label_en")]
        ),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    class Meta:
        verbose_name = _("heritage item")
        verbose_name_plural = _("heritage items")

    @classmethod
    def kind_panels(cls) -> list:
        return []

    @classmethod
    def build_edit_handler(cls) -> TabbedInterface:
        return TabbedInterface(
            [
                ObjectList(cls.core_panels, heading=_("Description")),
                ObjectList(cls.kind_panels(), heading=cls._meta.verbose_name.capitalize()),
                ObjectList([MediaStatusPanel(heading=_("Media"))], heading=_("Media")),
                ObjectList(cls.rights_panels, heading=_("Rights and access")),
                ObjectList(Page.promote_panels, heading=_("Promote")),
                ObjectList(Page.settings_panels, heading=_("Settings")),
            ]
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if self.year_from and self.year_to and self.year_to < self.year_from:
            errors.setdefault("year_to", []).append(_("The end year is before the start year."))
        this_year = datetime.date.today().year
        for name in ("year_from", "year_to"):
            value = getattr(self, name)
            if value and value > this_year:
                errors.setdefault(name, []).append(_("A year cannot be in the future."))
        if self.live and self.access_level == AccessLevel.PUBLIC:
            people = [(ip.person, ip.role) for ip in self.people.all()]
            problems = consent_problems(self, people)
            if problems:
                errors.setdefault("access_level", []).extend(problems)
        if errors:
            raise ValidationError(errors)

    # --- presentation helpers ---------------------------------------------------------
    @property
    def display_title(self) -> str:
        return localized(self, "title") if self.title_en else self.title

    @property
    def title_zh(self) -> str:
        return self.title

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def date_text(self) -> str:
        return localized(self, "date_text")

    @property
    def attribution(self) -> str:
        return localized(self, "attribution")

    @property
    def kind_label(self) -> str:
        """The kind of item, as curators name it (embroidery pattern, dialect recording…)."""
        return str(self.specific_class._meta.verbose_name)

    @property
    def tk_label_names(self) -> list[str]:
        return [str(TKLabel(v).label) for v in self.tk_labels or [] if v in TKLabel.values]

    @property
    def licence_uri(self) -> str:
        return LICENCE_URIS.get(self.licence, "")

    def credited(self) -> list[ItemPerson]:
        return list(self.people.select_related("person").all())

    def visible_assets(self, user) -> models.QuerySet:
        return (
            policy.visible_assets(self.assets.all(), user)
            .select_related("original")
            .prefetch_related("derivatives")
            .order_by("position", "pk")
        )

    def subjects(self) -> list:
        """Vocabulary terms that say what the item is about (Dublin Core ``subject``)."""
        return []

    def get_context(self, request, *args, **kwargs):
        from archive.core.pagecache import low_bandwidth

        from .listing import item_assets, related_items
        from .prose import describe
        from .seo import json_ld

        context = super().get_context(request, *args, **kwargs)
        if self.place_id:
            # The place with its township and county in one query (the sentence, the
            # fields and the JSON-LD all name them).
            from archive.vocabularies.models import Place

            self.place = Place.objects.select_related(
                "broader", "broader__broader", "broader__broader__broader"
            ).get(pk=self.place_id)
        assets = item_assets(self, request.user)
        credits = self.credited()
        context["assets"] = assets
        context["credits"] = credits
        context["cues"] = list(self.cues.all().order_by("start", "sort_order"))
        context["sentence"] = describe(self, credits)
        context["collection"] = self.get_parent().specific
        creators = [c for c in credits if c.role in CREATOR_ROLES]
        context["creators"] = creators
        # Related by the hands and voices in it, not by who translated or recorded it.
        context["related"] = related_items(self, request.user, [c.person_id for c in creators])
        context["has_audio"] = any(a.kind == "audio" and a.status == "ready" for a in assets)
        context["lowbw"] = low_bandwidth(request)
        images = [
            a
            for a in assets
            if a.status == "ready" and a.derivative("web-webp") and a.kind in ("image", "video")
        ]
        context["og_image"] = (
            request.build_absolute_uri(
                images[0].url("web-jpeg" if images[0].derivative("web-jpeg") else "web-webp")
            )
            if images
            else ""
        )
        context["json_ld"] = json_ld(self, request, assets, credits, context["og_image"])
        return context

    def serve(self, request, *args, **kwargs):
        # The page door asks the policy like every other door. A refused visitor learns
        # nothing about the item: the same 404 as for an item that does not exist.
        from django.http import Http404

        from archive.core.pagecache import mark_cacheable

        if not policy.can_view_item(request.user, self):
            raise Http404
        mark_cacheable(request)
        return super().serve(request, *args, **kwargs)

    def dublin_core(self) -> dict[str, list[str]]:
        """The item as the 15 Dublin Core elements (values in every language held)."""

        def both(obj, field):
            return [v for v in language_map(obj, field).values() for v in v]

        people = self.credited()
        return {
            "title": [self.title, *[t for t in (self.title_en, self.title_hmn) if t]],
            "creator": [str(p.person) for p in people if p.role in CREATOR_ROLES],
            "subject": [str(t) for t in self.subjects()] + [t.name for t in self.tags.all()],
            "description": both(self, "description"),
            "publisher": [settings.WAGTAIL_SITE_NAME],
            "contributor": [
                f"{p.person} ({p.get_role_display()})"
                for p in people
                if p.role not in CREATOR_ROLES
            ],
            "date": [
                v
                for v in (
                    self.date_text_zh,
                    self.date_text_en,
                    "/".join(str(y) for y in (self.year_from, self.year_to) if y),
                )
                if v
            ],
            "type": [self.dc_type],
            "format": sorted({a.original.content_type for a in self.assets.all() if a.original}),
            "identifier": [self.identifier],
            "source": [self.source] if self.source else [],
            "language": self.dc_languages(),
            "relation": [self.get_parent().title] if self.get_parent() else [],
            "coverage": [str(self.place)] if self.place else [],
            "rights": [v for v in (self.licence_uri, self.rights_holder) if v],
        }

    def dc_languages(self) -> list[str]:
        return []


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
        index.RelatedFields(
            "motifs",
            [
                index.SearchField("label_zh"),
                index.SearchField("label_en"),
                index.SearchField("label_hmn"),
            ],
        ),
        index.RelatedFields(
            "techniques", [index.SearchField("label_zh"), index.SearchField("label_en")]
        ),
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
        index.RelatedFields(
            "dialect",
            [
                index.SearchField("label_zh"),
                index.SearchField("label_en"),
                index.SearchField("label_hmn"),
            ],
        ),
        index.SearchField("topic_zh"),
        index.SearchField("topic_en"),
        index.RelatedFields(
            "cues",
            [
                index.SearchField("text_hmn"),
                index.SearchField("text_zh"),
                index.SearchField("text_en"),
            ],
        ),
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
        return ["hmn", *([str(self.dialect)] if self.dialect else [])]


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
        index.RelatedFields(
            "genre",
            [
                index.SearchField("label_zh"),
                index.SearchField("label_en"),
                index.SearchField("label_hmn"),
            ],
        ),
        index.RelatedFields(
            "instruments", [index.SearchField("label_zh"), index.SearchField("label_en")]
        ),
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


for _kind in (EmbroideryPatternPage, RecordingPage, MusicPiecePage):
    _kind.edit_handler = _kind.build_edit_handler()


class CollectionPage(Page):
    """A collection of the archive: the three founding ones, and any curators add."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    title_hmn = models.CharField(_("title (Miao)"), max_length=255, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    cover_asset = models.ForeignKey(
        "assets.MediaAsset",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("title_en"), FieldPanel("title_hmn")]),
        FieldPanel("intro_zh"),
        FieldPanel("intro_en"),
        FieldPanel("cover_asset"),
    ]
    search_fields = Page.search_fields + [index.SearchField("title_en")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["items.EmbroideryPatternPage", "items.RecordingPage", "items.MusicPiecePage"]

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    @property
    def display_title(self) -> str:
        return localized(self, "title") if self.title_en else self.title

    @property
    def title_zh(self) -> str:
        return self.title

    @property
    def intro(self) -> str:
        return localized(self, "intro")

    def visible_items(self, user) -> models.QuerySet:
        return policy.visible_items(ItemPage.objects.child_of(self), user)

    def cover_item_for(self, user):
        """The item whose first picture stands for the collection, among those ``user`` may
        see: the curator's chosen cover if visible, else the first item."""
        items = policy.visible_items(ItemPage.objects.child_of(self), user)
        if self.cover_asset_id:
            chosen = items.filter(pk=self.cover_asset.item_id).first()
            if chosen is not None:
                return chosen
        return items.order_by("path").first()

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator
        from django.http import QueryDict

        from .listing import attach_thumbs, filter_collection

        context = super().get_context(request, *args, **kwargs)
        items, filters, problems = filter_collection(
            self.slug, self.visible_items(request.user), request.GET
        )
        items = items.select_related("place").order_by("path")
        page = Paginator(items, 24).get_page(request.GET.get("page"))
        page.object_list = attach_thumbs(list(page.object_list), request.user)
        context["items"] = page
        context["filters"] = filters
        context["filter_problems"] = problems
        context["filtered"] = any(f.selected for f in filters)
        params = QueryDict(mutable=True)
        for f in filters:
            if f.selected:
                params[f.param] = f.selected if isinstance(f.selected, str) else f.selected.slug
        context["filter_query"] = params.urlencode()
        for f in filters:
            rest = params.copy()
            rest.pop(f.param, None)
            f.remove_query = rest.urlencode()
        return context

    def serve(self, request, *args, **kwargs):
        from archive.core.pagecache import mark_cacheable

        mark_cacheable(request)
        return super().serve(request, *args, **kwargs)
