"""Keeping the indexes in step with the archive.

The database engine is always written (it is the fallback when a distributed engine is
down, so it must be current). The configured distributed engine is written too; when it
does not answer, the work is recorded as a ``PendingIndexOp`` and replayed by ``catch_up``
(the ``search_catch_up`` task, enqueued when the engine answers again, or the command of
the same name).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable

from django.apps import apps
from django.utils import timezone

from archive.items.models import ItemPage

from . import documents, engines, lessons, products
from .models import PendingIndexOp

log = logging.getLogger(__name__)


def _live_doc(item_id: int) -> dict | None:
    if (lesson_pk := lessons.lesson_pk(item_id)) is not None:
        return lessons.doc_for(lesson_pk)
    if (product_pk := products.product_pk(item_id)) is not None:
        return products.doc_for(product_pk)
    page = documents.live_items().filter(pk=item_id).first()
    return documents.build(page) if page is not None else None


def _external():
    engine = engines.get_engine()
    return None if engine.name == "database" else engine


def _record(item_id: int, action: str) -> None:
    PendingIndexOp.objects.update_or_create(item_id=item_id, defaults={"action": action})


def index_items(item_ids: Iterable[int]) -> int:
    """(Re)index the given items: live ones are written, the others removed."""
    n = 0
    db = engines.database_engine()
    external = _external()
    for item_id in item_ids:
        doc = _live_doc(item_id)
        action = PendingIndexOp.Action.INDEX if doc else PendingIndexOp.Action.DELETE
        if doc:
            db.index(doc)
        else:
            db.delete(item_id)
        if external is not None:
            try:
                external.index(doc) if doc else external.delete(item_id)
            except engines.EngineUnavailable as exc:
                log.warning("search engine down, item %s queued for indexing: %s", item_id, exc)
                _record(item_id, action)
        n += 1
    return n


def catch_up(limit: int = 10_000) -> int:
    """Replay the index work a down engine missed. Returns how many items were done;
    stops (leaving the rest recorded) if the engine is still down."""
    external = _external()
    if external is None:
        n = PendingIndexOp.objects.count()
        PendingIndexOp.objects.all().delete()
        return n
    done = 0
    for op in PendingIndexOp.objects.order_by("created")[:limit]:
        doc = _live_doc(op.item_id)
        try:
            if doc:
                external.index(doc)
            else:
                external.delete(op.item_id)
        except engines.EngineUnavailable:
            PendingIndexOp.objects.filter(pk=op.pk).update(attempts=op.attempts + 1)
            break
        # Only forget the op if nobody re-recorded it meanwhile.
        PendingIndexOp.objects.filter(pk=op.pk, created=op.created).delete()
        done += 1
    return done


def index_products(product_ids: Iterable[int]) -> int:
    """(Re)index marketplace products: shown ones are written, the others removed. Runs in
    the process that changed them (a withdrawal must not wait for a worker)."""
    return index_items([products.doc_id(pk) for pk in product_ids])


def index_lessons(lesson_ids: Iterable[int]) -> int:
    """(Re)index lessons: public ones are written (their facets from what everyone may see
    of their sources now), the others removed. Runs in the process that changed them."""
    return index_items([lessons.doc_id(pk) for pk in lesson_ids])


def index_lessons_holding(item_ids: Iterable[int] = (), asset_ids: Iterable[int] = ()) -> int:
    """An item or asset changed who may see it: the lessons drawing on it are rebuilt."""
    return index_lessons(lessons.lessons_holding(item_ids, asset_ids))


def pending() -> int:
    return PendingIndexOp.objects.count()


def rebuild(engine=None, progress=None) -> int:
    """Index every live item afresh into ``engine`` (default: the configured one, and the
    database engine too when that is a distributed one)."""
    targets = [engine] if engine is not None else [engines.get_engine()]
    if engine is None and targets[0].name != "database":
        targets.append(engines.database_engine())
    n = 0
    for target in targets:
        started = timezone.now()
        docs = itertools.chain(
            (documents.build(page) for page in documents.live_items().iterator(chunk_size=200)),
            products.all_docs(),
            lessons.all_docs(),
        )
        n = target.rebuild(docs, progress=progress)
        # Items published while the new index was filling went to the old one: add them.
        late = documents.live_items().filter(last_published_at__gte=started)
        target.bulk(documents.build(page) for page in late)
    if engine is None:
        PendingIndexOp.objects.all().delete()
    return n


#: Vocabulary model → the item relations that point at it.
TERM_RELATIONS = {
    "Motif": ["embroiderypatternpage__motifs"],
    "Technique": ["embroiderypatternpage__techniques"],
    "Material": ["embroiderypatternpage__materials"],
    "Garment": ["embroiderypatternpage__garment"],
    "Dialect": ["recordingpage__dialect"],
    "Genre": ["musicpiecepage__genre"],
    "Instrument": ["musicpiecepage__instruments"],
    "Festival": ["musicpiecepage__festival"],
    "Place": ["place"],
}


def items_for_term(model_label: str, term_id: int) -> list[int]:
    """Live items carrying the term or any of its narrower terms."""
    model = apps.get_model("vocabularies", model_label)
    ids, frontier = {term_id}, {term_id}
    while frontier and len(ids) < 5000:
        frontier = (
            set(model.objects.filter(broader_id__in=frontier).values_list("pk", flat=True)) - ids
        )
        ids |= frontier
    found: set[int] = set()
    for relation in TERM_RELATIONS.get(model.__name__, []):
        found |= set(
            ItemPage.objects.live().filter(**{f"{relation}__in": ids}).values_list("pk", flat=True)
        )
    return sorted(found)
