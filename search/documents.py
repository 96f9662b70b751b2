"""One search document per live item, built from the models.

The document is a plain dict every engine understands. It carries:

* the text in Chinese, English and Miao (titles, descriptions, what each kind adds);
* every vocabulary term with ALL its labels and the labels of its broader terms, so 蝴蝶,
  "butterfly" and *bangx lief* all find an item with the butterfly motif or its narrower
  term Butterfly Mother;
* the place with its township and county, people's names, tags;
* transcript cues with their start times (a hit inside a recording names the second);
* facet keys (slugs, never labels: labels are looked up in the visitor's language);
* the ACCESS fields (``access_level``, ``community_id``), so every engine filters before it
  counts, highlights or suggests anything.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

from archive.access import policy
from archive.assets.colours import item_colours
from archive.core.i18n import content_languages
from archive.items import registry
from archive.items.models import ItemPage
from archive.items.periods import period_keys
from archive.items.tags import tag_labels

from . import text

#: Facets in the order the page shows them. Query parameters carry the same names.
FACETS = (
    "collection",
    "type",
    "motif",
    "technique",
    "colour",
    "dialect",
    "genre",
    "village",
    "period",
    "licence",
    # Products of the artisan marketplace (search/products.py).
    "cooperative",
    "availability",
    "price",
    # Teachers' lessons (search/lessons.py).
    "subject",
    "grade",
)
#: Facet name → the vocabulary model behind it (labels come from there).
TERM_FACETS = {
    "motif": "Motif",
    "technique": "Technique",
    "dialect": "Dialect",
    "genre": "Genre",
    "village": "Place",
}


def _labels(term: Any, with_broader: bool = True) -> dict[str, list[str]]:
    langs = content_languages()
    out: dict[str, list[str]] = {lang: [] for lang in langs}
    nodes = [term, *(term.ancestors() if with_broader else [])]
    for node in nodes:
        for lang in langs:
            value = getattr(node, f"label_{lang}", "")
            if value:
                out[lang].append(value)
    return out


def _term_entry(facet: str, term: Any) -> dict:
    return {"facet": facet, "slug": term.slug, **_labels(term)}


def item_url(page: Any) -> str:
    """The item's path in the default language (views add ``/en`` for English)."""
    with translation.override(settings.LANGUAGE_CODE):
        return page.get_url() or page.url_path


def build(page: Any) -> dict:
    """The search document for one item (a specific ``ItemPage`` subclass instance)."""
    page = page.specific
    kind = registry.type_of(page)
    langs = content_languages()
    parent = page.get_parent()
    collection = getattr(parent.specific, "slug", "") if parent else ""

    terms: list[dict] = []
    facets: dict[str, list[str]] = {name: [] for name in FACETS}

    def add_terms(facet: str | None, values: list) -> None:
        for term in values:
            if term is None:
                continue
            terms.append(_term_entry(facet or "term", term))
            if facet in TERM_FACETS:
                for node in [term, *term.ancestors()]:
                    if node.slug not in facets[facet]:
                        facets[facet].append(node.slug)

    extra: dict[str, list[str]] = {lang: [] for lang in langs}

    def add_extra(*fields: str) -> None:
        for field in fields:
            value = getattr(page, field, "")
            if value:
                lang = field.rsplit("_", 1)[1]
                extra[lang].append(str(value))

    add_extra("date_text_zh", "date_text_en")
    if kind == registry.EMBROIDERY.item_type:
        add_terms("motif", list(page.motifs.all()))
        add_terms("technique", list(page.techniques.all()))
        add_terms(None, list(page.materials.all()))
        add_terms(None, [page.garment])
        add_extra("placement_zh", "placement_en", "colours_zh", "colours_en", "meaning_zh")
        add_extra("meaning_en", "story_zh", "story_en")
        # Browse by colour: the named colours of the pattern's picture.
        facets["colour"] = item_colours(page)
    elif kind == registry.DIALECTS.item_type:
        add_terms("dialect", [page.dialect])
        add_extra("topic_zh", "topic_en")
    elif kind == registry.FOLK_MUSIC.item_type:
        add_terms("genre", [page.genre])
        add_terms(None, [page.festival])
        add_terms(None, list(page.instruments.all()))
        add_extra("lyrics_zh", "lyrics_en")

    place: dict[str, list[str]] = {lang: [] for lang in langs}
    if page.place_id:
        p = page.place
        for node in [p, *p.ancestors()]:
            for lang in langs:
                value = getattr(node, f"label_{lang}", "")
                if value:
                    place[lang].append(value)
        village = p if p.kind == "village" else None
        if village is not None:
            facets["village"].append(village.slug)

    people = []
    for ip in page.people.select_related("person").all():
        person = ip.person
        people.extend(v for lang in langs if (v := getattr(person, f"name_{lang}", "")))
    tags = [label for t in page.tags.all() for label in tag_labels(t.name)]
    cues = [
        {
            "start": float(c.start),
            "text_hmn": c.text_hmn,
            "text_zh": c.text_zh,
            "text_en": c.text_en,
        }
        for c in page.cues.all().order_by("start")
    ]
    if not policy.transcript_as_open_as_item(page):
        # A transcript takes its recording's access: indexed only when all who may find
        # the item may also read it.
        cues = []

    facets["collection"] = [collection] if collection else []
    facets["type"] = [kind]
    # Every period the item's years touch, as the collection pages' ``period`` filter means.
    facets["period"] = period_keys(page.year_from, page.year_to)
    facets["licence"] = [page.licence] if page.licence else []

    published = page.first_published_at or page.latest_revision_created_at
    return {
        "id": page.pk,
        "identifier": page.identifier,
        "url": item_url(page),
        "type": kind,
        "collection": collection,
        "title_zh": page.title,
        "title_en": page.title_en,
        "title_hmn": page.title_hmn,
        "description_zh": page.description_zh,
        "description_en": page.description_en,
        "description_hmn": page.description_hmn,
        "extra_zh": " ".join(extra["zh"]),
        "extra_en": " ".join(extra["en"]),
        "terms": terms,
        "place": place,
        "people": people,
        "tags": tags,
        "cues": cues,
        "facets": facets,
        "year": page.year_from,
        "published": published.isoformat() if published else None,
        "access_level": page.access_level,
        "community_id": page.community_id,
    }


def all_text(doc: dict) -> dict[str, str]:
    """The document's searchable text by language (used by both engines)."""
    langs = content_languages()
    by_lang: dict[str, list[str]] = {
        lang: [doc.get(f"{field}_{lang}", "") for field in ("title", "description", "extra")]
        for lang in langs
    }
    for term in doc["terms"]:
        for lang in langs:
            by_lang[lang] += term[lang]
    for lang in langs:
        by_lang[lang] += doc["place"][lang]
    other = [*doc["people"], *doc["tags"], doc["identifier"]]
    for cue in doc["cues"]:
        for lang in langs:
            by_lang[lang].append(cue.get(f"text_{lang}", ""))
    return {
        **{lang: " ".join(x for x in texts if x) for lang, texts in by_lang.items()},
        "other": " ".join(x for x in other if x),
    }


def suggestions(doc: dict) -> list[str]:
    """Short strings an autocomplete may offer from this document."""
    langs = content_languages()
    out = [doc[f"title_{lang}"] for lang in langs]
    for term in doc["terms"]:
        for lang in langs:
            out += term[lang][:1]
    return [s for s in dict.fromkeys(out) if s]


def chinese_text(doc: dict) -> list[str]:
    """Every piece of Chinese the document holds that a visitor may find it by."""
    zh = [doc["title_zh"], doc["description_zh"], doc["extra_zh"]]
    zh += [t for term in doc["terms"] for t in term["zh"]]
    zh += doc["place"]["zh"] + doc["people"] + doc["tags"]
    zh += [cue.get("text_zh", "") for cue in doc["cues"]]
    return [x for x in zh if x]


def pinyin_of(doc: dict) -> str:
    """Pinyin of all the Chinese in the document (names, titles, descriptions, transcripts),
    so ``hudie`` finds every item 蝴蝶 finds. Tokens are distinct per document, so prose
    adds its vocabulary once, not its length."""
    return " ".join(dict.fromkeys(text.pinyin_tokens(" ".join(chinese_text(doc)))))


def live_items():
    """Every live item, with what building its document needs prefetched."""
    return (
        ItemPage.objects.live()
        .specific()
        .select_related("place", "community")
        .prefetch_related("tags", "people__person", "cues", "assets__original")
        .order_by("pk")
    )
