"""Index on publish, unpublish and delete, and when a vocabulary label or a person's name
changes. Handlers defer to after the transaction commits. Adding to the index runs as a
task; taking an item out (unpublish, withdrawal, delete) runs at once in the committing
process, so a withdrawn item leaves search even when no worker is running."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from archive.assets.signals import asset_ready
from archive.items.models import ItemPage
from archive.marketplace import signal_handlers as marketplace_signals
from archive.people.models import Person
from archive.vocabularies.models import VOCABULARIES

from . import indexing
from .tasks import index_items_task, reindex_for_term_task


def on_commit_index(item_ids: list[int]) -> None:
    ids = sorted(set(item_ids))
    if ids:
        transaction.on_commit(lambda: index_items_task.enqueue(ids))


def on_publish(sender, instance, **kwargs) -> None:
    if isinstance(instance, ItemPage):
        on_commit_index([instance.pk])


def on_commit_remove(pk: int) -> None:
    # index_items removes what is not live; a down engine gets a pending op to replay.
    transaction.on_commit(lambda: indexing.index_items([pk]))


def on_asset_ready(sender, asset_id: int, item_id: int | None, **kwargs) -> None:
    # A picture's colours are read once its thumbnail exists (index_items skips non-live).
    if item_id:
        on_commit_index([item_id])


def on_unpublish(sender, instance, **kwargs) -> None:
    if isinstance(instance, ItemPage):
        on_commit_remove(instance.pk)


def on_delete(sender, instance, **kwargs) -> None:
    if isinstance(instance, ItemPage):  # fires once per table of the page; removal is idempotent
        on_commit_remove(instance.pk)


def on_term_saved(sender, instance, created, **kwargs) -> None:
    if created:
        return  # a new term is on no item yet
    name, pk = sender.__name__, instance.pk
    transaction.on_commit(lambda: reindex_for_term_task.enqueue(name, pk))


def on_person_saved(sender, instance, created, **kwargs) -> None:
    if created:
        return
    ids = list(ItemPage.objects.live().filter(people__person=instance).values_list("pk", flat=True))
    on_commit_index(ids)


def connect() -> None:
    page_published.connect(on_publish, dispatch_uid="search-published")
    page_unpublished.connect(on_unpublish, dispatch_uid="search-unpublished")
    asset_ready.connect(on_asset_ready, dispatch_uid="search-asset-ready")
    post_delete.connect(on_delete, dispatch_uid="search-deleted")
    for model in VOCABULARIES.values():
        post_save.connect(on_term_saved, sender=model, dispatch_uid=f"search-term-{model.__name__}")
    post_save.connect(on_person_saved, sender=Person, dispatch_uid="search-person")
    if indexing.index_products not in marketplace_signals.product_listeners:
        marketplace_signals.product_listeners.append(indexing.index_products)
