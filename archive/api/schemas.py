"""What the API answers, as pydantic models: the OpenAPI document is generated from these."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field


class Languages(Schema):
    """One text in each content language held (Chinese, English, Miao); missing ones are
    empty strings."""

    zh: str = ""
    en: str = ""
    hmn: str = ""


class ItemSummary(Schema):
    identifier: str = Field(description="Accession number, stable: MHA-EMB-0001")
    type: str = Field(description="embroidery, recording or music")
    collection: str = Field(description="Slug of the collection holding the item")
    title: Languages
    url: str = Field(description="The item's page")
    api_url: str = Field(description="This item in the API")
    updated: datetime.datetime | None = Field(description="When it was last published")


class Item(ItemSummary):
    description: Languages
    date_text: Languages
    year_from: int | None
    year_to: int | None
    place: str | None
    access_level: str
    licence: str
    licence_uri: str
    rights_holder: str
    tk_labels: list[str]
    manifest: str = Field(description="IIIF Presentation 3 manifest")
    dublin_core: dict[str, list[str]] = Field(description="The 15 Dublin Core elements")


class ItemList(Schema):
    results: list[ItemSummary]
    next: str | None = Field(description="URL of the next page; null on the last")


class Collection(Schema):
    slug: str
    title: Languages
    intro: Languages
    url: str
    api_url: str
    items_url: str
    item_count: int = Field(description="Items the caller may see")


class CollectionList(Schema):
    results: list[Collection]


class Problem(Schema):
    detail: str


class FacetValue(Schema):
    value: str
    label: str
    count: int


class SearchHit(Schema):
    title: str
    url: str
    type: str
    identifier: str | None
    collection: str | None
    year: int | None
    highlight: str | None
    transcript: dict | None = Field(description="The second a transcript line matched, if any")
    offer: dict | None = Field(
        default=None,
        description="A product's price (amount in CNY, or on request) and availability; "
        "null for archive items",
    )


class SearchResults(Schema):
    query: str
    total: int
    page: int
    pages: int
    per_page: int
    engine: str
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    notice: str | None = None
    corrected: str | None = Field(
        None, description="Nothing matched the words typed: the corrected words searched instead"
    )
    suggestion: str | None = Field(
        None, description="Did you mean: closer words found in what the caller may see"
    )


class Suggestions(Schema):
    query: str
    suggestions: list[str]


class Named(Schema):
    slug: str
    label: str


class Person(Schema):
    """A public profile: who the person is and what they are known for, nothing private."""

    slug: str
    kind: str = Field(description="individual, community or cooperative")
    name: Languages
    village: Named | None
    roles: list[str] = Field(description="artisan, performer, speaker")
    bio: Languages
    api_url: str
    items_url: str = Field(description="The items crediting this person, in the API")


class PersonList(Schema):
    results: list[Person]
    next: str | None


class Vocabulary(Schema):
    name: str
    label: str
    count: int
    api_url: str


class VocabularyList(Schema):
    results: list[Vocabulary]


class PlaceFacts(Schema):
    kind: str
    latitude: float | None
    longitude: float | None


class Term(Schema):
    slug: str
    label: Languages
    broader: str | None = Field(description="The broader term's slug")
    note: Languages
    place: PlaceFacts | None = Field(None, description="For places only")


class TermList(Schema):
    name: str
    results: list[Term]
    next: str | None


class Rendition(Schema):
    name: str = Field(description="thumb, web-webp, web-jpeg, opus, aac, mp4-480, peaks…")
    content_type: str
    width: int | None
    height: int | None
    size: int
    url: str


class Media(Schema):
    position: int
    kind: str = Field(description="image, audio or video")
    caption: Languages
    status: str
    renditions: list[Rendition]
    iiif_image: str | None = Field(description="IIIF Image API 3 service, for images")


class MediaList(Schema):
    identifier: str
    results: list[Media]


class ItemWrite(Schema):
    """Descriptive fields a curator may set; omitted fields are left as they are."""

    title: str | None = Field(None, description="Chinese title")
    title_en: str | None = None
    title_hmn: str | None = None
    description_zh: str | None = None
    description_en: str | None = None
    description_hmn: str | None = None
    date_text_zh: str | None = None
    date_text_en: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    source: str | None = None
    licence: str | None = None
    tk_labels: list[str] | None = None
    rights_holder: str | None = None
    attribution_zh: str | None = None
    attribution_en: str | None = None
    access_level: str | None = None
    place: str | None = Field(None, description="A place's slug")
    terms: dict[str, list[str]] | None = Field(
        None,
        description=(
            "Controlled vocabulary by field, as term slugs: motifs, techniques, materials, "
            "garment (embroidery); dialect (recordings); genre, instruments, festival (music). "
            "A field given replaces its terms; [] clears it."
        ),
    )


class ItemCreate(ItemWrite):
    collection: str = Field(description="embroidery, dialects or folk-music")
    identifier: str = Field(description="A new accession number")
    title: str = Field(description="Chinese title")


class Draft(Schema):
    identifier: str
    live: bool = Field(description="New and changed items wait as drafts for review")
    admin_url: str
