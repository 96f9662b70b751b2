"""Index on publish, unpublish and delete, and when a vocabulary label or a person's name
changes. Handlers only defer: the work runs as a task after the transaction commits."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

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


def _is_item(instance) -> bool:
    from archive.items.models import ItemPage

    return isinstance(instance, ItemPage)


def on_publish_or_unpublish(sender, instance, **kwargs) -> None:
    if _is_item(instance):
        from .indexing import on_commit_index

        on_commit_index([instance.pk])


def on_delete(sender, instance, **kwargs) -> None:
    if _is_item(instance):  # fires once per table of the page; the task is idempotent
        from .tasks import index_items_task

        pk = instance.pk
        transaction.on_commit(lambda: index_items_task.enqueue([pk]))


def items_for_term(model_label: str, term_id: int) -> list[int]:
    """Live items carrying the term or any of its narrower terms."""
    from archive.items.models import ItemPage

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


def on_term_saved(sender, instance, created, **kwargs) -> None:
    if created:
        return  # a new term is on no item yet
    from .tasks import reindex_for_term_task

    name, pk = sender.__name__, instance.pk
    transaction.on_commit(lambda: reindex_for_term_task.enqueue(name, pk))


def on_person_saved(sender, instance, created, **kwargs) -> None:
    if created:
        return
    from archive.items.models import ItemPage

    from .indexing import on_commit_index

    ids = list(ItemPage.objects.live().filter(people__person=instance).values_list("pk", flat=True))
    on_commit_index(ids)


def connect() -> None:
    from archive.people.models import Person
    from archive.vocabularies.models import VOCABULARIES

    page_published.connect(on_publish_or_unpublish, dispatch_uid="search-published")
    page_unpublished.connect(on_publish_or_unpublish, dispatch_uid="search-unpublished")
    post_delete.connect(on_delete, dispatch_uid="search-deleted")
    for model in VOCABULARIES.values():
        post_save.connect(on_term_saved, sender=model, dispatch_uid=f"search-term-{model.__name__}")
    post_save.connect(on_person_saved, sender=Person, dispatch_uid="search-person")
