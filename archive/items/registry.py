"""The founding collections: one place for each fact about them.

Each founding collection has a URL slug (a contract: ``embroidery``, ``dialects``,
``folk-music``), the page class its items are made of, the ``type`` its items carry in search
documents and the API, the schema.org type of those items, the media kind its uploads are
by default, and the vocabularies a visitor filters it by. Everything that needs one of these
facts (home page, listings, search documents and labels, SEO, the loader, ingest) asks here.

The registry imports no models: page classes are named by their ``app_label.ModelName`` and
resolved through the app registry when asked for, so any module may import this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from wagtail.models import Page

__all__ = [
    "COLLECTIONS",
    "DIALECTS",
    "EMBROIDERY",
    "FOLK_MUSIC",
    "SLUGS",
    "CollectionFilter",
    "FoundingCollection",
    "by_model",
    "by_slug",
    "by_type",
    "item_class_for",
    "type_label",
    "type_of",
]


@dataclass(frozen=True)
class CollectionFilter:
    """One way to narrow a collection: a query parameter naming a vocabulary term."""

    #: The query parameter (``?motif=butterfly``); search facets use the same names.
    param: str
    label: Any
    #: The vocabulary model, in the ``vocabularies`` app.
    vocabulary: str
    #: The item field holding the term, on the collection's page class.
    field: str


@dataclass(frozen=True)
class FoundingCollection:
    slug: str
    #: ``app_label.ModelName`` of the page class its items are.
    model: str
    #: The ``type`` of its items in search documents, facets and the API.
    item_type: str
    #: What ingest makes of an upload of this kind when the collection does not say.
    media_kind: str
    #: schema.org type of its items (JSON-LD on item pages).
    schema_type: str
    filters: tuple[CollectionFilter, ...] = ()

    @property
    def page_class(self) -> type[Page]:
        return apps.get_model(self.model)

    @property
    def model_name(self) -> str:
        """Django's lower-case model name (``embroiderypatternpage``), as in lookups."""
        return self.model.rsplit(".", 1)[1].lower()

    @property
    def label(self) -> str:
        """The kind of item in the visitor's language ("Embroidery pattern", 刺绣纹样),
        taken from the page class's ``verbose_name`` so it is written once."""
        return capfirst(self.page_class._meta.verbose_name)

    def lookup(self, f: CollectionFilter) -> str:
        """The ORM lookup from ``ItemPage`` to a filter's field."""
        return f"{self.model_name}__{f.field}"


EMBROIDERY = FoundingCollection(
    slug="embroidery",
    model="items.EmbroideryPatternPage",
    item_type="embroidery",
    media_kind="image",
    schema_type="VisualArtwork",
    filters=(
        CollectionFilter("motif", _("Motif"), "Motif", "motifs"),
        CollectionFilter("technique", _("Technique"), "Technique", "techniques"),
        CollectionFilter("garment", _("Garment"), "Garment", "garment"),
    ),
)
DIALECTS = FoundingCollection(
    slug="dialects",
    model="items.RecordingPage",
    item_type="recording",
    media_kind="audio",
    schema_type="AudioObject",
    filters=(CollectionFilter("dialect", _("Dialect"), "Dialect", "dialect"),),
)
FOLK_MUSIC = FoundingCollection(
    slug="folk-music",
    model="items.MusicPiecePage",
    item_type="music",
    media_kind="video",
    schema_type="MusicRecording",
    filters=(
        CollectionFilter("genre", _("Genre"), "Genre", "genre"),
        CollectionFilter("instrument", _("Instrument"), "Instrument", "instruments"),
        CollectionFilter("festival", _("Festival or occasion"), "Festival", "festival"),
    ),
)

COLLECTIONS: tuple[FoundingCollection, ...] = (EMBROIDERY, DIALECTS, FOLK_MUSIC)
SLUGS: tuple[str, ...] = tuple(c.slug for c in COLLECTIONS)

_BY_SLUG = {c.slug: c for c in COLLECTIONS}
_BY_TYPE = {c.item_type: c for c in COLLECTIONS}
_BY_MODEL = {c.model_name: c for c in COLLECTIONS}
_BY_MEDIA = {c.media_kind: c for c in COLLECTIONS}


def by_slug(slug: str) -> FoundingCollection | None:
    return _BY_SLUG.get(slug)


def by_type(item_type: str) -> FoundingCollection | None:
    return _BY_TYPE.get(item_type)


def by_model(model: Any) -> FoundingCollection | None:
    """The collection whose items are ``model``: a page class, a page, or a model name."""
    if not isinstance(model, str):
        model = model._meta.model_name
    return _BY_MODEL.get(model.lower())


def type_of(page: Any) -> str:
    """The search ``type`` of an item (a page, its class or its model name); ``item`` for a
    kind no founding collection holds."""
    found = by_model(page)
    return found.item_type if found else "item"


def type_label(item_type: str) -> str:
    found = by_type(item_type)
    return str(found.label) if found else item_type


def item_class_for(collection_slug: str, media_kind: str) -> type[Page]:
    """The page class a file uploaded into a collection becomes: the collection's own kind
    for a founding collection, otherwise the kind that holds that media (image → embroidery
    pattern, audio → recording, video → music piece)."""
    found = by_slug(collection_slug) or _BY_MEDIA.get(media_kind)
    if found is None:
        raise KeyError(f"no kind of item for collection {collection_slug!r}, media {media_kind!r}")
    return found.page_class
