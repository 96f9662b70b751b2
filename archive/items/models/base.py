"""The descriptive core every heritage item shares, whatever its kind.

Reads top-down: the timed transcript lines and free tags an item holds, the admin form that
refuses to publish without consent, then ``ItemPage``, mapped to the 15 Dublin Core elements.

``ItemPage`` is a concrete (multi-table) base so the access policy, listings and search can
filter every kind of item with one query on one table.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import Q, Value, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
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
from archive.core.admin_search import substring_words
from archive.core.fields import ChoiceListField
from archive.core.i18n import language_map, localized
from archive.core.pagecache import low_bandwidth, mark_cacheable
from archive.core.routing import view_restrictions
from archive.core.slugs import PinyinSlugMixin, PinyinSlugPageForm
from archive.vocabularies.models import Place

from .. import registry
from ..listing import all_assets_prefetch, attach_thumbs
from ..panels import MediaStatusPanel
from ..prose import describe
from ..roles import CREATOR_ROLES
from ..seo import json_ld
from ..terms import load_terms
from .people import ItemPerson, consent_problems


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


def related_text(relation: str, stem: str, *languages: str) -> index.RelatedFields:
    """Index the ``<stem>_<language>`` fields of a related model (a vocabulary's labels, a
    transcript's lines) with the item, for the admin's search."""
    return index.RelatedFields(
        relation, [index.SearchField(f"{stem}_{code}") for code in languages]
    )


#: How many of the newest items sharing a person, a motif or the village are looked at for
#: an item's related items (of which six are shown): the lookup's cost stops there.
RELATED_CANDIDATES = 200

#: The place of an item with its township and county above it (the item page names them);
#: ``select_related`` of the deepest step joins every step above it.
PLACE_ABOVE = "broader__broader__broader"


class ItemTag(TaggedItemBase):
    content_object = ParentalKey(
        "items.ItemPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ItemPageForm(PinyinSlugPageForm):
    """Refuses, with the reason, to publish or submit public material lacking consent; an
    empty slug is made from the Chinese title in pinyin (``archive.core.slugs``).

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


class ItemPage(PinyinSlugMixin, Page):
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

    #: Joined when a collection routes to one of its items (see ``CollectionPage.route``).
    PLACE_CHAIN = (f"place__{PLACE_ABOVE}",)

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
        related_text("place", "label", "zh", "en"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.AutocompleteField("admin_search_words"),
    ]

    class Meta:
        verbose_name = _("heritage item")
        verbose_name_plural = _("heritage items")
        indexes = [
            # The newest items of a village, for related items (``related_filters``).
            models.Index(fields=["place", "-page_ptr"], name="items_place_newest_idx"),
        ]

    def admin_search_words(self) -> str:
        """What the admin's page chooser and page search match a part of: titles, the
        identifier and the village's names (蜡染, 排莫村, paimo, Paimo, MHA-EMB-0014)."""
        place = self.place
        names = (place.label_zh, place.label_en, place.label_hmn) if place else ()
        return substring_words((self.title, self.title_en, self.title_hmn, self.identifier, *names))

    @classmethod
    def can_create_at(cls, parent) -> bool:
        """Under a founding collection, only its own kind of item (no music under 刺绣纹样);
        ``subpage_types`` is per class, the registry knows each collection's kind."""
        if not super().can_create_at(parent):
            return False
        found = registry.by_slug(parent.slug)
        return found is None or found.page_class is cls

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

    def related_filters(self, people_ids: list[int]) -> list[Q]:
        """What makes another item related to this one, strongest first: a person in it,
        then what each kind adds (a shared motif), then the village.

        Each names a bounded set of candidates, the newest ``RELATED_CANDIDATES`` items
        of that relation read from an index on (term, item); the visible ones are then
        ordered by path. So a relation's cost is set by that bound, not by how many
        items share the person, motif or village in the whole corpus.
        """
        filters = []
        if people_ids:
            filters.append(
                Q(
                    pk__in=ItemPerson.objects.filter(person_id__in=people_ids)
                    .order_by("-item_id")
                    .values("item_id")[:RELATED_CANDIDATES]
                )
            )
        filters += self.kind_related_filters()
        if self.place_id:
            filters.append(
                Q(
                    pk__in=ItemPage.objects.filter(place_id=self.place_id)
                    .order_by("-page_ptr_id")
                    .values("page_ptr_id")[:RELATED_CANDIDATES]
                )
            )
        return filters

    def kind_related_filters(self) -> list[Q]:
        return []

    def related_items(self, user, people_ids: list[int], limit: int = 6) -> list:
        """Visible items sharing a person, a motif or the village with this one, in that order.

        One small query per kind of relation (each stops at ``limit``, walking the page
        tree's path index backwards) rather than one query OR-ing them: on a 100k-item
        corpus the OR defeats the indexes and sorts thousands of rows. Where the database
        allows a LIMIT inside a UNION (PostgreSQL) they go as one ``UNION ALL``: one round
        trip, whatever the number of relations and however many things are related.
        """
        base = policy.visible_items(ItemPage.objects.exclude(pk=self.pk), user).select_related(
            "place"
        )
        parts = [
            base.filter(q).annotate(relation_rank=Value(rank)).order_by("-path")[:limit]
            for rank, q in enumerate(self.related_filters(people_ids))
        ]
        if not parts:
            return []
        if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
            rows = list(parts[0].union(*parts[1:], all=True))
        else:
            rows = [other for part in parts for other in part]
        # Strongest relation first, the newest item first within it (as each part asked).
        rows.sort(key=lambda other: other.path, reverse=True)
        rows.sort(key=lambda other: other.relation_rank)
        found: dict[int, ItemPage] = {}
        for other in rows:
            found.setdefault(other.pk, other)
        return attach_thumbs(list(found.values())[:limit], user)

    def get_view_restrictions(self):
        return view_restrictions(self)

    def page_prefetches(self) -> list:
        """This item's own relations the item page reads, each asked for once and shared
        by the template, the sentence, the JSON-LD and the marketplace block: every asset
        with its original and derivatives (the visible ones are picked by the policy, the
        transcript rule reads them all). Kinds load their vocabularies (``page_terms``)."""
        return [all_assets_prefetch()]

    #: The many-to-many vocabularies a kind of item shows, loaded in one query for its page.
    page_terms: tuple[str, ...] = ()

    def place_loaded(self) -> bool:
        """Whether the place and the places above it came with the page (``PLACE_CHAIN``)."""
        if not ItemPage.place.is_cached(self):
            return False
        place = self.place
        return place is None or not place.broader_id or Place.broader.is_cached(place)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.place_id and not self.place_loaded():
            # The place with its township and county in one query (the sentence, the
            # fields and the JSON-LD all name them); routing usually joined them already.
            self.place = Place.objects.select_related(PLACE_ABOVE).get(pk=self.place_id)
        prefetch_related_objects([self], *self.page_prefetches())
        load_terms(self, self.page_terms)
        # Each asset shown is asked of the policy (the item's level, the asset's own).
        assets = [a for a in self.assets.all() if policy.can_view_asset(request.user, a)]
        credits = self.credited()
        context["assets"] = assets
        context["credits"] = credits
        context["cues"] = (
            list(self.cues.all().order_by("start", "sort_order"))
            if policy.can_view_transcript(request.user, self)
            else []
        )
        context["sentence"] = describe(self, credits)
        context["collection"] = self.get_parent().specific
        creators = [c for c in credits if c.role in CREATOR_ROLES]
        context["creators"] = creators
        # Related by the hands and voices in it, not by who translated or recorded it.
        context["related"] = self.related_items(request.user, [c.person_id for c in creators])
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
