"""Background search work, through the django-tasks API (queue ``default``)."""

from __future__ import annotations

from django_tasks import task

from . import indexing


@task(queue_name="default")
def index_items_task(item_ids: list[int]) -> int:
    return indexing.index_items(item_ids)


@task(queue_name="default")
def reindex_for_term_task(model_label: str, term_id: int) -> int:
    """A vocabulary term's labels changed: re-index every item that carries it or one of
    its narrower terms (their documents hold its labels)."""
    return indexing.index_items(indexing.items_for_term(model_label, term_id))


@task(queue_name="default")
def catch_up_task() -> int:
    return indexing.catch_up()
