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


class Suggestions(Schema):
    query: str
    suggestions: list[str]
