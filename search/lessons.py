"""Public lessons as search documents, in the same indexes as items and products.

A lesson document has the shape of an item document with ``type`` ``lesson`` and the
lesson facets ``subject`` and ``grade``; its ``collection``, ``motif`` and ``village``
facets (and the words it is found by beyond its own title and objectives) come from the
items of its sources, and only from those the policy shows everyone, asked now, never
remembered: a source that was restricted, unpublished, expired or lost its consent adds
nothing, so it can neither make a lesson findable nor show in a facet count.

Only lessons a curator reviewed and made public are indexed; a lesson made private,
unlisted, sent back for review or deleted is removed in the process that noticed, as is a
lesson whose source changed (``index_lessons`` runs at once, not in a worker).

Ids: items are positive page ids, products their primary key negated; a lesson is
``-(LESSON_BASE + pk)``, below every product id any engine will ever hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation

from archive.access.models import AccessLevel
from archive.lessons.access import sources_for
from archive.lessons.models import Lesson, LessonSource

from .documents import FACETS, _term_entry

LESSON_TYPE = "lesson"
#: Lesson document ids are -(LESSON_BASE + pk): products (-pk) stay above -LESSON_BASE.
LESSON_BASE = 1_000_000_000_000


def doc_id(lesson_pk: int) -> int:
    return -(LESSON_BASE + int(lesson_pk))


def lesson_pk(document_id: int) -> int | None:
    return -document_id - LESSON_BASE if document_id <= -LESSON_BASE else None


def indexed_lessons() -> QuerySet:
    return Lesson.objects.public().order_by("pk")


def lessons_holding(item_ids: Iterable[int] = (), asset_ids: Iterable[int] = ()) -> list[int]:
    """Every lesson (of any visibility: one may have just stopped being public) with a
    source on one of these items or assets."""
    item_ids, asset_ids = list(item_ids), list(asset_ids)
    ids: set[int] = set()
    if item_ids:
        ids |= set(
            LessonSource.objects.filter(item_id__in=item_ids).values_list("lesson_id", flat=True)
        )
    if asset_ids:
        ids |= set(
            LessonSource.objects.filter(asset_id__in=asset_ids).values_list("lesson_id", flat=True)
        )
    return sorted(ids)


def build(lesson: Lesson) -> dict:
    facets: dict[str, list[str]] = {name: [] for name in FACETS}
    terms: list[dict] = []
    place: dict[str, list[str]] = {"zh": [], "en": [], "hmn": []}
    extra_zh: list[str] = []
    extra_en: list[str] = []

    def add(facet: str, value: str) -> None:
        if value and value not in facets[facet]:
            facets[facet].append(value)

    seen: set[int] = set()
    # The policy for the anonymous visitor: what everyone may see, and nothing more.
    for shown in sources_for(lesson, None):
        if not shown.visible or shown.item.pk in seen:
            continue
        item = shown.item
        seen.add(item.pk)
        extra_zh.append(item.title)
        if getattr(item, "title_en", ""):
            extra_en.append(item.title_en)
        parent = item.get_parent()
        if parent is not None and parent.depth == 3:
            add("collection", parent.slug)
        for motif in item.motifs.all() if hasattr(item, "motifs") else []:
            terms.append(_term_entry("motif", motif))
            for node in [motif, *motif.ancestors()]:
                add("motif", node.slug)
        village = item.place
        if village is not None:
            for node in [village, *village.ancestors()]:
                for lang in place:
                    if value := getattr(node, f"label_{lang}", ""):
                        place[lang].append(value)
            if village.kind == "village":
                add("village", village.slug)
    facets["type"] = [LESSON_TYPE]
    facets["subject"] = [lesson.subject]
    facets["grade"] = [str(lesson.grade)]
    lang = lesson.language if lesson.language in ("zh", "en", "hmn") else "zh"
    titles = {"zh": "", "en": "", "hmn": ""}
    titles[lang] = lesson.title
    with translation.override(settings.LANGUAGE_CODE):
        url = lesson.get_absolute_url()
        subject, grade = lesson.get_subject_display(), lesson.get_grade_display()
    return {
        "id": doc_id(lesson.pk),
        "identifier": f"lesson-{lesson.pk}",
        "url": url,
        "type": LESSON_TYPE,
        "collection": facets["collection"][0] if len(facets["collection"]) == 1 else "",
        "title_zh": titles["zh"],
        "title_en": titles["en"],
        "title_hmn": titles["hmn"],
        "description_zh": lesson.objectives if lang == "zh" else "",
        "description_en": lesson.objectives if lang == "en" else "",
        "description_hmn": lesson.objectives if lang == "hmn" else "",
        "extra_zh": " ".join([subject, grade, *extra_zh]),
        "extra_en": " ".join(extra_en),
        "terms": terms,
        "place": place,
        "people": [],
        "tags": [],
        "cues": [],
        "facets": facets,
        "year": None,
        "published": lesson.updated_at.isoformat(),
        # Only public lessons are indexed, and they show only what everyone may see.
        "access_level": AccessLevel.PUBLIC,
        "community_id": None,
    }


def doc_for(pk: int) -> dict | None:
    lesson = indexed_lessons().filter(pk=pk).first()
    return build(lesson) if lesson is not None else None


def all_docs() -> Iterator[dict]:
    for lesson in indexed_lessons().iterator(chunk_size=200):
        yield build(lesson)
