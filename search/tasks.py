"""Background search work, through the django-tasks API (queue ``default``)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def index_items_task(item_ids: list[int]) -> int:
    from .indexing import index_items

    return index_items(item_ids)


@task(queue_name="default")
def reindex_for_term_task(model_label: str, term_id: int) -> int:
    """A vocabulary term's labels changed: re-index every item that carries it or one of
    its narrower terms (their documents hold its labels)."""
    from .indexing import index_items
    from .signal_handlers import items_for_term

    return index_items(items_for_term(model_label, term_id))


@task(queue_name="default")
def catch_up_task() -> int:
    from .indexing import catch_up

    return catch_up()
