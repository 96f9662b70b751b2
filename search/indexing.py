"""Keeping the indexes in step with the archive.

The database engine is always written (it is the fallback when a distributed engine is
down, so it must be current). The configured distributed engine is written too; when it
does not answer, the work is recorded as a ``PendingIndexOp`` and replayed by ``catch_up``
(the ``search_catch_up`` task, enqueued when the engine answers again, or the command of
the same name).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from . import documents, engines
from .models import PendingIndexOp

log = logging.getLogger(__name__)


def _live_doc(item_id: int) -> dict | None:
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


def delete_item(item_id: int) -> None:
    engines.database_engine().delete(item_id)
    external = _external()
    if external is not None:
        try:
            external.delete(item_id)
        except engines.EngineUnavailable:
            _record(item_id, PendingIndexOp.Action.DELETE)


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
        docs = (documents.build(page) for page in documents.live_items().iterator(chunk_size=200))
        n = target.rebuild(docs, progress=progress)
        # Items published while the new index was filling went to the old one: add them.
        late = documents.live_items().filter(last_published_at__gte=started)
        target.bulk(documents.build(page) for page in late)
    if engine is None:
        PendingIndexOp.objects.all().delete()
    return n


def on_commit_index(item_ids: list[int]) -> None:
    from .tasks import index_items_task

    ids = sorted(set(item_ids))
    if ids:
        transaction.on_commit(lambda: index_items_task.enqueue(ids))
